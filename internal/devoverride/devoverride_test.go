package devoverride

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

func TestWriteCLIConfig(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		sources []string
		want    []string
		wantNot []string
	}{
		"both registries by default": {
			want: []string{
				`"registry.terraform.io/payme-community/payme" = "/tmp/with \"quotes\""`,
				`"registry.opentofu.org/payme-community/payme" = "/tmp/with \"quotes\""`,
				"direct {}",
			},
			wantNot: []string{DocsSource},
		},
		"the docs address alone": {
			sources: []string{DocsSource},
			want:    []string{`"registry.terraform.io/hashicorp/payme" = "/tmp/with \"quotes\""`, "direct {}"},
			wantNot: []string{"payme-community"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "cli.tfrc")
			if err := WriteCLIConfig(path, `/tmp/with "quotes"`, tc.sources...); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(string(b), want) {
					t.Errorf("config lacks %q:\n%s", want, b)
				}
			}
			for _, not := range tc.wantNot {
				if strings.Contains(string(b), not) {
					t.Errorf("config has %q:\n%s", not, b)
				}
			}
		})
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

// TestStartSandbox checks the environment a CLI gets: the CLI
// configuration in the folder, the machine's own one replaced, and the
// provider pointed at a live loopback sandbox with the demo credentials.
// Not parallel: it sets TF_CLI_CONFIG_FILE, as this machine does.
func TestStartSandbox(t *testing.T) {
	t.Setenv("TF_CLI_CONFIG_FILE", "/nonexistent/.terraformrc")
	dir := t.TempDir()
	wrapped := false
	e, err := Start(t.Context(), dir, Options{
		Plugins: "/plugins",
		Sandbox: sandbox.New(sandbox.DefaultConfig()),
		Wrap: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { wrapped = true; h.ServeHTTP(w, r) })
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })

	env := e.Environ("EXTRA=1")
	rc := filepath.Join(dir, "cli.tfrc")
	for _, want := range []string{
		"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "PAYME_AUTH_URL=" + e.URL,
		"PAYME_CLIENT_ID=" + sandbox.DemoClientID, "PAYME_CLIENT_SECRET=" + sandbox.DemoClientSecret,
		"TF_VAR_password=" + sandbox.DemoPassword, "EXTRA=1",
	} {
		if !slices.Contains(env, want) {
			t.Errorf("the environment lacks %s", strings.SplitN(want, "=", 2)[0])
		}
	}
	if slices.Contains(env, "TF_CLI_CONFIG_FILE=/nonexistent/.terraformrc") {
		t.Error("the machine's TF_CLI_CONFIG_FILE was kept")
	}
	if b, err := os.ReadFile(rc); err != nil || !strings.Contains(string(b), `= "/plugins"`) {
		t.Errorf("CLI configuration %s: %v\n%s", rc, err, b)
	}
	if !strings.HasPrefix(e.URL, "http://127.0.0.1:") {
		t.Errorf("the sandbox listens on %s, not loopback", e.URL)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.URL+"/_sandbox/stats", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !wrapped {
		t.Errorf("the sandbox answered %d (through the wrapper: %v)", resp.StatusCode, wrapped)
	}
}

func TestStartWithoutSandbox(t *testing.T) {
	t.Parallel()
	e, err := Start(t.Context(), t.TempDir(), Options{Plugins: "/plugins", Sources: []string{DocsSource}})
	if err != nil {
		t.Fatal(err)
	}
	if e.URL != "" {
		t.Errorf("a sandbox was started at %s", e.URL)
	}
	for _, kv := range e.Vars() {
		if strings.HasPrefix(kv, "PAYME_") || strings.HasPrefix(kv, "TF_VAR_") {
			t.Errorf("%s set without a sandbox", strings.SplitN(kv, "=", 2)[0])
		}
	}
	if err := e.Close(); err != nil {
		t.Error(err)
	}
}
