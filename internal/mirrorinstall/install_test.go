package mirrorinstall

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// registryHosts are the names the provider has in Terraform's and
// OpenTofu's registries; the mirror serves both.
var registryHosts = []string{"registry.terraform.io", "registry.opentofu.org"}

// cli is the Terraform or OpenTofu binary that tools/tfcli.sh chose.
type cli struct {
	path string
	host string // the registry host this CLI resolves payme-community/payme to
	env  []string
}

func loadCLI(t *testing.T) cli {
	t.Helper()
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		t.Skip(`TF_ACC_TERRAFORM_PATH is not set: eval "$(tools/tfcli.sh)" first.`)
	}
	host := os.Getenv("TF_ACC_PROVIDER_HOST")
	if host == "" {
		host = registryHosts[0]
	}
	return cli{path: path, host: host}
}

// run runs the CLI in dir with only the environment given (plus PATH and
// HOME), so that no TF_* setting or plugin cache of the caller leaks in.
func (c cli) run(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := execCommand(t, c.path, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
	}, c.env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// packedMirror lays archives (platform => file) out as a filesystem mirror
// in the packed layout (HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_TARGET.zip)
// under both registry hosts.
func packedMirror(t *testing.T, r release, archives map[string]string) string {
	t.Helper()
	mirror := t.TempDir()
	for _, host := range registryHosts {
		dir := filepath.Join(mirror, host, namespace, providerType)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for platform, src := range archives {
			copyFile(t, src, filepath.Join(dir, filepath.Base(r.zips[platform])))
		}
	}
	return mirror
}

// mirrorOnlyConfig is a CLI configuration that installs payme-community/payme
// from mirror and nothing from anywhere else.
func mirrorOnlyConfig(t *testing.T, mirror string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cli.tfrc")
	cfg := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/%[2]s/%[3]s", "registry.opentofu.org/%[2]s/%[3]s"]
  }
}
`, mirror, namespace, providerType)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// workdir writes a root module that pins the release exactly (a pre-release
// is only chosen when pinned) and manages one refresh token.
func workdir(t *testing.T, version, authURL string) string {
	t.Helper()
	dir := t.TempDir()
	mainTF := fmt.Sprintf(`terraform {
  required_providers {
    payme = {
      source  = "%s/%s"
      version = "%s"
    }
  }
}

provider "payme" {
  auth_url = %q
}

variable "password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "payme_refresh_token" "mirror" {
  username            = "merchant@example.com"
  password_wo         = var.password
  password_wo_version = 1
  scopes              = ["create:token", "post:charges"]
}
`, namespace, providerType, version, authURL)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestMirrorInstall installs the archive for this machine from a packed
// filesystem mirror with the CLI alone, checks the lock file and the
// installed binary, applies and destroys a refresh token against the
// sandbox, and checks the version the binary reports to Pay-me.
func TestMirrorInstall(t *testing.T) {
	r := loadRelease(t)
	c := loadCLI(t)
	platform := runtime.GOOS + "_" + runtime.GOARCH
	archive, ok := r.zips[platform]
	if !ok {
		t.Fatalf("no release archive for %s", platform)
	}

	sb := sandbox.New(sandbox.DefaultConfig())
	var mu sync.Mutex
	agents := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		agents[req.UserAgent()]++
		mu.Unlock()
		sb.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)

	mirror := packedMirror(t, r, map[string]string{platform: archive})
	c.env = []string{
		"TF_CLI_CONFIG_FILE=" + mirrorOnlyConfig(t, mirror),
		// Public demo credentials of the sandbox.
		"PAYME_CLIENT_ID=demo-client", "PAYME_CLIENT_SECRET=demo-secret", "TF_VAR_password=demo-password",
	}
	dir := workdir(t, r.version, srv.URL)

	out, err := c.run(t, dir, "init", "-input=false", "-no-color")
	t.Logf("%s init (from the packed mirror, no dev_overrides):\n%s", filepath.Base(c.path), out)
	if err != nil {
		t.Fatalf("init failed: %v", err)
	}
	wantHash, err := dirhash.HashZip(archive, dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	lock := readFile(t, filepath.Join(dir, ".terraform.lock.hcl"))
	if hashes := lockHashes(lock, "h1:"); !slices.Equal(hashes, []string{wantHash}) {
		t.Errorf("lock file records h1 hashes %q, want exactly the archive's %q:\n%s", hashes, wantHash, lock)
	}
	installed := filepath.Join(dir, ".terraform", "providers", c.host, namespace, providerType, r.version, platform, r.binaryName(platform))
	if got, want := fileSHA256(t, installed), zipEntrySHA256(t, archive, r.binaryName(platform)); got != want {
		t.Errorf("installed binary %s differs from the one in %s", installed, filepath.Base(archive))
	}

	for _, step := range [][]string{
		{"apply", "-auto-approve", "-input=false", "-no-color"},
		{"destroy", "-auto-approve", "-input=false", "-no-color"},
	} {
		out, err := c.run(t, dir, step...)
		if err != nil {
			t.Fatalf("%s failed: %v\n%s", step[0], err, out)
		}
		if step[0] == "apply" && sb.LiveRefreshTokens() != 1 {
			t.Errorf("after apply the sandbox holds %d live refresh tokens, want 1", sb.LiveRefreshTokens())
		}
	}
	if n := sb.LiveRefreshTokens(); n != 0 {
		t.Errorf("after destroy the sandbox holds %d live refresh tokens, want 0", n)
	}

	// The version the binary was built with reaches Pay-me in User-Agent.
	mu.Lock()
	defer mu.Unlock()
	if len(agents) == 0 {
		t.Fatal("the sandbox received no request")
	}
	for agent, n := range agents {
		t.Logf("Pay-me received %d requests with User-Agent %q", n, agent)
		if !strings.HasPrefix(agent, binaryPrefix+"/"+r.version+" ") {
			t.Errorf("User-Agent %q does not report version %s", agent, r.version)
		}
	}

	t.Run("altered archive fails init against the lock file", func(t *testing.T) {
		tampered := filepath.Join(t.TempDir(), filepath.Base(archive))
		rewriteZip(t, archive, tampered, func(b []byte) []byte {
			b = slices.Clone(b)
			b[len(b)/2] ^= 0xff
			return b
		})
		out, err := reinit(t, c, r, lock, srv.URL, map[string]string{platform: tampered})
		if err == nil {
			t.Fatalf("init accepted an archive whose binary was altered:\n%s", out)
		}
		if !strings.Contains(out, "checksums previously recorded") {
			t.Errorf("init failed, but not on the lock file's checksums:\n%s", out)
		}
	})

	// h1: hashes what the archive holds, so bytes appended to the zip (which
	// no unzip reads) change nothing: signed checksums are the guard for
	// the file itself.
	t.Run("bytes appended to the archive do not change h1", func(t *testing.T) {
		padded := filepath.Join(t.TempDir(), filepath.Base(archive))
		raw := readFile(t, archive)
		if err := os.WriteFile(padded, append([]byte(raw), "appended\n"...), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := reinit(t, c, r, lock, srv.URL, map[string]string{platform: padded}); err != nil {
			t.Fatalf("init refused an archive with only bytes appended: %v\n%s", err, out)
		}
	})
}

// reinit runs init in a new working folder that already has lock as its
// lock file, from a mirror of archives.
func reinit(t *testing.T, c cli, r release, lock, authURL string, archives map[string]string) (string, error) {
	t.Helper()
	c.env = slices.Clone(c.env)
	c.env[0] = "TF_CLI_CONFIG_FILE=" + mirrorOnlyConfig(t, packedMirror(t, r, archives))
	dir := workdir(t, r.version, authURL)
	if err := os.WriteFile(filepath.Join(dir, ".terraform.lock.hcl"), []byte(lock), 0o600); err != nil {
		t.Fatal(err)
	}
	return c.run(t, dir, "init", "-input=false", "-no-color")
}

// TestProvidersLock checks that `providers lock -fs-mirror` records one h1
// hash per platform asked for, each that platform's archive's.
func TestProvidersLock(t *testing.T) {
	r := loadRelease(t)
	c := loadCLI(t)
	platforms := []string{"darwin_arm64", "freebsd_amd64", "linux_amd64", "linux_arm64", "windows_amd64"}
	archives := map[string]string{}
	for _, p := range platforms {
		archives[p] = r.zips[p]
	}
	mirror := packedMirror(t, r, archives)
	c.env = []string{"TF_CLI_CONFIG_FILE=" + mirrorOnlyConfig(t, mirror)}
	dir := workdir(t, r.version, "http://127.0.0.1:9/")

	args := []string{"providers", "lock", "-no-color", "-fs-mirror=" + mirror}
	var want []string
	for _, p := range platforms {
		args = append(args, "-platform="+p)
		h, err := dirhash.HashZip(r.zips[p], dirhash.Hash1)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, h)
	}
	out, err := c.run(t, dir, args...)
	if err != nil {
		t.Fatalf("providers lock failed: %v\n%s", err, out)
	}
	slices.Sort(want)
	lock := readFile(t, filepath.Join(dir, ".terraform.lock.hcl"))
	if got := lockHashes(lock, "h1:"); !slices.Equal(got, want) {
		t.Errorf("lock file records h1 hashes %q, want one per platform %q:\n%s", got, want, lock)
	}
}

var lockHash = regexp.MustCompile(`"((?:h1|zh):[^"]+)"`)

// lockHashes returns the sorted hashes of one scheme in a lock file.
func lockHashes(lock, scheme string) []string {
	var out []string
	for _, m := range lockHash.FindAllStringSubmatch(lock, -1) {
		if strings.HasPrefix(m[1], scheme) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// rewriteZip writes a copy of the single-file archive src to dst with the
// file's content passed through alter.
func rewriteZip(t *testing.T, src, dst string, alter func([]byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		content := readZipEntry(t, f)
		hdr := &zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: f.Modified}
		hdr.SetMode(f.Mode())
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(alter(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readZipEntry(t *testing.T, f *zip.File) []byte {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zipEntrySHA256(t *testing.T, archive, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			return fmt.Sprintf("%x", sha256.Sum256(readZipEntry(t, f)))
		}
	}
	t.Fatalf("%s holds no %s", archive, name)
	return ""
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	return fmt.Sprintf("%x", sha256.Sum256([]byte(readFile(t, path))))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.WriteFile(dst, []byte(readFile(t, src)), 0o644); err != nil {
		t.Fatal(err)
	}
}
