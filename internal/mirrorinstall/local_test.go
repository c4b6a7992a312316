package mirrorinstall

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"
)

// TestLocalBuildMirror runs `make install` into a plugin folder and inits
// with the CLI configuration the README documents for a local build: a
// filesystem mirror for payme-community/payme and direct installation for
// every other provider. Unlike dev_overrides, init accepts it and locks it.
func TestLocalBuildMirror(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC is not set: this test builds the provider and runs the CLI.")
	}
	c := loadCLI(t)
	const version = "0.0.0-dev"
	plugins := t.TempDir()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := command(t, root, nil, "make", "--no-print-directory", "install", "PLUGIN_DIR="+plugins, "INSTALL_VERSION="+version); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}

	cfg := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, `provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/payme-community/payme", "registry.opentofu.org/payme-community/payme"]
  }
  direct {
    exclude = ["registry.terraform.io/payme-community/payme", "registry.opentofu.org/payme-community/payme"]
  }
}
`, plugins), 0o600); err != nil {
		t.Fatal(err)
	}
	c.env = []string{"TF_CLI_CONFIG_FILE=" + cfg}
	dir := workdir(t, version, "http://127.0.0.1:9/")
	out, err := c.run(t, dir, "init", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("init with the local build failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "payme-community/payme v"+version) {
		t.Errorf("init did not install payme-community/payme v%s:\n%s", version, out)
	}

	platform := runtime.GOOS + "_" + runtime.GOARCH
	want, err := dirhash.HashDir(filepath.Join(plugins, c.host, namespace, providerType, version, platform), "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	lock := readFile(t, filepath.Join(dir, ".terraform.lock.hcl"))
	if got := lockHashes(lock, "h1:"); !slices.Equal(got, []string{want}) {
		t.Errorf("lock file records %q, want the local build's %q:\n%s", got, want, lock)
	}
}
