// Package design checks the import rules of DESIGN.md ("Architecture").
package design

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The import rules of DESIGN.md ("Architecture"), checked with go list so
// that a change breaking them fails here rather than in review.

const module = "github.com/payme-community/terraform-provider-payme"

// testOnly are packages for tests and developers; the provider binary never
// contains them.
var testOnly = []string{
	"internal/sandbox",
	"internal/devoverride",
	"internal/paymetest",
	"internal/hostile",
	"internal/mirrorinstall",
	"internal/design",
	"internal/cmd/",
}

// goList runs go list with a template over pattern and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}

// imports maps each package of the module (relative path, "" for the
// root) to the packages its production files import.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	m := map[string][]string{}
	for _, line := range goList(t, "-f", `{{.ImportPath}}|{{join .Imports ","}}`, module+"/...") {
		pkg, imps, _ := strings.Cut(line, "|")
		rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
		m[rel] = strings.Split(imps, ",")
	}
	return m
}

func isTestOnly(pkg string) bool {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	return slices.ContainsFunc(testOnly, func(p string) bool { return rel == p || strings.HasPrefix(rel, p) && strings.HasSuffix(p, "/") })
}

func TestBinaryHoldsNoTestSupport(t *testing.T) {
	t.Parallel()
	for _, dep := range goList(t, "-deps", module) {
		if strings.HasPrefix(dep, module) && isTestOnly(dep) {
			t.Errorf("the provider binary depends on %s, a package for tests and developers", dep)
		}
	}
}

func TestImportRules(t *testing.T) {
	t.Parallel()
	ours := func(imp string) bool { return strings.HasPrefix(imp, module+"/") }
	rules := []struct {
		pkg     string
		allowed func(imp string) bool
		why     string
	}{
		{"internal/paymeauth", func(imp string) bool {
			leaf := imp == module+"/internal/redact" || imp == module+"/internal/backoff" || imp == module+"/internal/lenient"
			return (leaf || !ours(imp)) && !strings.Contains(imp, "terraform-plugin-framework")
		}, "the auth client knows nothing of Terraform, and of the module only the secret gate, the retry wait and the lenient field types"},
		{"internal/redact", func(imp string) bool { return !strings.Contains(imp, ".") },
			"the secret gate is the standard library only, so every package can use it"},
		{"internal/lenient", func(imp string) bool { return !strings.Contains(imp, ".") },
			"the lenient JSON field types are the standard library only"},
		{"internal/backoff", func(imp string) bool { return !strings.Contains(imp, ".") },
			"the retry wait is a pure function over the standard library"},
		{"internal/seal", func(imp string) bool { return !ours(imp) && !strings.Contains(imp, "terraform") },
			"sealing is cryptography from the standard library or x/crypto, apart from Terraform"},
		{"internal/duration", func(imp string) bool { return !strings.Contains(imp, ".") },
			"the duration parser is the standard library only"},
		{"internal/loglevel", func(imp string) bool { return !strings.Contains(imp, ".") },
			"matching the log levels is the standard library only"},
		{"", func(imp string) bool {
			return !ours(imp) || imp == module+"/internal/provider" || imp == module+"/internal/loglevel"
		}, "main only serves the provider and matches the log levels; everything else lives under internal/"},
		{"internal/sandbox", func(imp string) bool { return !strings.Contains(imp, ".") },
			"the sandbox is the standard library only, so that it stays a neutral judge of the wire"},
		{"internal/provider", func(imp string) bool { return !ours(imp) || !isTestOnly(imp) },
			"the provider's production code uses no test support"},
	}
	all := imports(t)
	for _, r := range rules {
		imps, ok := all[r.pkg]
		if !ok {
			t.Errorf("no package %s: update the rules here and in DESIGN.md", r.pkg)
			continue
		}
		for _, imp := range imps {
			if imp != "" && !r.allowed(imp) {
				t.Errorf("%s imports %s: %s", r.pkg, imp, r.why)
			}
		}
	}
	for pkg, imps := range all {
		if slices.Contains(imps, module+"/internal/paymetest") {
			t.Errorf("%s imports internal/paymetest outside its tests", pkg)
		}
	}
}

// TestTopLevel keeps main.go the only Go file at the top of the module:
// everything else lives in a package under internal/ named for what it holds.
func TestTopLevel(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "..", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || filepath.Base(files[0]) != "main.go" {
		t.Errorf("Go files at the top of the module: %v; want only main.go", files)
	}
}
