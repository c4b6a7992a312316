// Package mirrorinstall proves that the release archives of `make
// release-snapshot` install and run the way Terraform and OpenTofu users
// install providers: from a filesystem mirror, checked against the lock file,
// with no dev_overrides.
//
// The tests read the release from the folder named by PAYME_RELEASE_DIST
// (.ci/run sets it to dist/ after the snapshot) and the CLI from the
// environment tools/tfcli.sh prints; without PAYME_RELEASE_DIST they skip.
package mirrorinstall

import (
	"archive/zip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	providerType = "payme"
	binaryPrefix = "terraform-provider-" + providerType
	namespace    = "payme-community"
)

// registryPlatforms are the platforms .goreleaser.yml builds: those the
// Terraform Registry lists for most providers.
var registryPlatforms = []string{
	"darwin_amd64", "darwin_arm64",
	"freebsd_386", "freebsd_amd64", "freebsd_arm", "freebsd_arm64",
	"linux_386", "linux_amd64", "linux_arm", "linux_arm64",
	"windows_386", "windows_amd64", "windows_arm64",
}

// release is what make release-snapshot left in dist/.
type release struct {
	dir     string
	version string
	sums    string            // file name of the SHA256SUMS
	zips    map[string]string // platform => archive path
}

// loadRelease finds the release in PAYME_RELEASE_DIST, or skips the test.
func loadRelease(t *testing.T) release {
	t.Helper()
	dir := os.Getenv("PAYME_RELEASE_DIST")
	if dir == "" {
		t.Skip("PAYME_RELEASE_DIST is not set: run make release-snapshot and point it at dist/ (.ci/run does).")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := filepath.Glob(filepath.Join(dir, binaryPrefix+"_*_SHA256SUMS"))
	if err != nil || len(sums) != 1 {
		t.Fatalf("want exactly one %s_<version>_SHA256SUMS in %s, found %d", binaryPrefix, dir, len(sums))
	}
	name := filepath.Base(sums[0])
	r := release{
		dir:     dir,
		version: strings.TrimSuffix(strings.TrimPrefix(name, binaryPrefix+"_"), "_SHA256SUMS"),
		sums:    name,
		zips:    map[string]string{},
	}
	zips, err := filepath.Glob(filepath.Join(dir, binaryPrefix+"_"+r.version+"_*.zip"))
	if err != nil {
		t.Fatal(err)
	}
	for _, z := range zips {
		platform := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(z), binaryPrefix+"_"+r.version+"_"), ".zip")
		r.zips[platform] = z
	}
	return r
}

// binaryName is the executable's name inside the archive for a platform.
func (r release) binaryName(platform string) string {
	name := binaryPrefix + "_v" + r.version
	if strings.HasPrefix(platform, "windows_") {
		name += ".exe"
	}
	return name
}

func TestReleaseArchives(t *testing.T) {
	r := loadRelease(t)
	got := slices.Sorted(func(yield func(string) bool) {
		for p := range r.zips {
			if !yield(p) {
				return
			}
		}
	})
	if !slices.Equal(got, registryPlatforms) {
		t.Errorf("archives for platforms %v, want %v", got, registryPlatforms)
	}
	for platform, path := range r.zips {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatalf("%s: %v", platform, err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		_ = zr.Close()
		if want := []string{r.binaryName(platform)}; !slices.Equal(names, want) {
			t.Errorf("%s archive holds %q, want exactly %q", platform, names, want)
		}
	}

	var manifest struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	raw, err := os.ReadFile(filepath.Join(r.dir, binaryPrefix+"_"+r.version+"_manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if manifest.Version != 1 || !slices.Equal(manifest.Metadata.ProtocolVersions, []string{"6.0"}) {
		t.Errorf("manifest declares version %d, protocols %v; want 1 and [6.0]", manifest.Version, manifest.Metadata.ProtocolVersions)
	}
}

// TestChecksumsAndSignature checks the release the way the README tells an
// air-gapped user to: gpg --verify, then sha256sum -c.
func TestChecksumsAndSignature(t *testing.T) {
	r := loadRelease(t)

	out, err := command(t, r.dir, nil, "sha256sum", "--check", "--strict", r.sums)
	if err != nil {
		t.Fatalf("sha256sum --check failed: %v\n%s", err, out)
	}
	ok := strings.Count(out, ": OK\n")
	if want := len(registryPlatforms) + 1; ok != want { // every archive and the manifest
		t.Errorf("sha256sum checked %d files, want %d:\n%s", ok, want, out)
	}

	gpgHome := t.TempDir()
	env := []string{"GNUPGHOME=" + gpgHome}
	t.Cleanup(func() { _, _ = command(t, "", env, "gpgconf", "--kill", "gpg-agent") })
	if out, err := command(t, "", env, "gpg", "--batch", "--import", filepath.Join(r.dir, "snapshot-signing-key.asc")); err != nil {
		t.Fatalf("gpg --import: %v\n%s", err, out)
	}
	sig := filepath.Join(r.dir, r.sums+".sig")
	if out, err := command(t, r.dir, env, "gpg", "--batch", "--verify", sig, r.sums); err != nil {
		t.Fatalf("gpg --verify of %s failed: %v\n%s", r.sums, err, out)
	}

	// The same signature must not cover a checksum file with one line changed.
	altered := filepath.Join(t.TempDir(), r.sums)
	raw, err := os.ReadFile(filepath.Join(r.dir, r.sums))
	if err != nil {
		t.Fatal(err)
	}
	raw[0] ^= 1
	if err := os.WriteFile(altered, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := command(t, "", env, "gpg", "--batch", "--verify", sig, altered); err == nil {
		t.Errorf("gpg --verify accepted an altered SHA256SUMS:\n%s", out)
	}
}

// command runs a program with extra environment variables and returns its
// combined output.
func command(t *testing.T, dir string, env []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := execCommand(t, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// execCommand prepares a program that is stopped when the test ends.
func execCommand(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	return exec.CommandContext(t.Context(), name, args...)
}
