package devoverride

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteCLIConfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := WriteCLIConfig(path, `/tmp/with "quotes"`); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"registry.terraform.io/payme-community/payme" = "/tmp/with \"quotes\""`,
		`"registry.opentofu.org/payme-community/payme" = "/tmp/with \"quotes\""`,
		"direct {}",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("config lacks %q:\n%s", want, b)
		}
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the provider build")
	}
	dir, err := Build(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "terraform-provider-payme")); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("no executable provider in %s: %v", dir, err)
	}
}
