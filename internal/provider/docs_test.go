package provider

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	providerschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	resourceschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/payme-community/terraform-provider-payme/internal/duration"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// The tests in this file hold the documentation to what the provider does:
// the examples users copy, and the claims the README and the guides make.

// repoRoot is where README.md, examples/, templates/ and docs/ live.
const repoRoot = "../.."

// hclSource is one piece of HCL users may copy: an example file, or a
// fenced block in a Markdown page or template.
type hclSource struct {
	name string
	src  []byte
}

var fencedHCL = regexp.MustCompile("(?s)```(?:hcl|terraform)\n(.*?)```")

// hclSources returns every example file and every fenced HCL block of the
// README and the templates.
func hclSources(t *testing.T) []hclSource {
	t.Helper()
	var out []hclSource
	walk := func(dir string, fn func(path string, b []byte)) {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fn(p, b)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	markdown := func(p string, b []byte) {
		for i, m := range fencedHCL.FindAllSubmatch(b, -1) {
			out = append(out, hclSource{name: fmt.Sprintf("%s block %d", p, i+1), src: m[1]})
		}
	}
	walk("examples", func(p string, b []byte) {
		if strings.HasSuffix(p, ".tf") {
			out = append(out, hclSource{name: p, src: b})
		}
	})
	walk("templates", markdown)
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	markdown("README.md", readme)
	if len(out) < 10 {
		t.Fatalf("found only %d HCL sources; is repoRoot right?", len(out))
	}
	return out
}

// isTrue reports whether body sets attribute name to the literal true.
func isTrue(body *hclsyntax.Body, name string) bool {
	a, ok := body.Attributes[name]
	if !ok {
		return false
	}
	v, diags := a.Expr.Value(nil)
	return !diags.HasErrors() && v.Type().FriendlyName() == "bool" && v.True()
}

// TestDocsSensitiveVariablesAreEphemeral: a sensitive variable that is not
// ephemeral is written into saved plan files, so no example shows one.
func TestDocsSensitiveVariablesAreEphemeral(t *testing.T) {
	t.Parallel()
	for _, s := range hclSources(t) {
		f, diags := hclsyntax.ParseConfig(s.src, s.name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Errorf("%s does not parse: %s", s.name, diags.Error())
			continue
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			t.Fatalf("%s: unexpected body type %T", s.name, f.Body)
		}
		actionOnly := actionVariables(body)
		for _, b := range body.Blocks {
			if b.Type == "variable" && isTrue(b.Body, "sensitive") && !isTrue(b.Body, "ephemeral") && !actionOnly[b.Labels[0]] {
				t.Errorf("%s: variable %q is sensitive but not ephemeral = true", s.name, b.Labels[0])
			}
		}
	}
}

// actionVariables names the variables that only actions' configurations
// read. Terraform refuses ephemeral values there, so such a variable can only
// be sensitive; the action's page says not to save a plan of it.
func actionVariables(body *hclsyntax.Body) map[string]bool {
	uses := map[string]map[bool]bool{} // variable -> read by an action?
	var walk func(b *hclsyntax.Body, inAction bool)
	walk = func(b *hclsyntax.Body, inAction bool) {
		for _, a := range b.Attributes {
			for _, tr := range a.Expr.Variables() {
				if step, ok := tr[len(tr)-1].(hcl.TraverseAttr); ok && tr.RootName() == "var" && len(tr) == 2 {
					if uses[step.Name] == nil {
						uses[step.Name] = map[bool]bool{}
					}
					uses[step.Name][inAction] = true
				}
			}
		}
		for _, nested := range b.Blocks {
			walk(nested.Body, inAction || nested.Type == "action")
		}
	}
	walk(body, false)
	only := map[string]bool{}
	for name, by := range uses {
		only[name] = by[true] && !by[false]
	}
	return only
}

// TestDocsREADMEDeclaresItsVariables: the README's example runs as shown.
func TestDocsREADMEDeclaresItsVariables(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var hclText strings.Builder
	for _, m := range fencedHCL.FindAllSubmatch(readme, -1) {
		hclText.Write(m[1])
	}
	for _, m := range regexp.MustCompile(`var\.(\w+)`).FindAllStringSubmatch(hclText.String(), -1) {
		decl := regexp.MustCompile(`variable "` + m[1] + `" \{[^}]*ephemeral\s*=\s*true`)
		if !decl.MatchString(hclText.String()) {
			t.Errorf("README uses var.%s without declaring it with ephemeral = true", m[1])
		}
	}
}

// readDoc returns a file of the repository as text.
func readDoc(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDocsClaims: what the README and the pages say matches what the
// provider does, and each trap of issue 14 is documented where users look.
func TestDocsClaims(t *testing.T) {
	t.Parallel()
	// A token is shared within one provider process; terraform apply starts
	// two, so "one token per run" (or per command) is not true.
	overstated := regexp.MustCompile(`(?i)(share|shares|sharing) one token (with)?in (one|a) (terraform )?(run|command)|one token per (run|command)|in one run share`)
	for _, name := range []string{"README.md", "docs/index.md", "docs/ephemeral-resources/access_token.md",
		"docs/resources/refresh_token.md", "docs/guides/ephemeral-access-token.md", "docs/guides/multiple-environments.md"} {
		if m := overstated.FindString(readDoc(t, name)); m != "" {
			t.Errorf("%s claims %q; tokens are shared per provider process", name, m)
		}
	}
	cases := map[string][]string{
		"README.md": {"ephemeral = true", "`terraform apply` starts\n  one for its plan and one for its apply, so it makes two requests",
			"docs/guides/sandbox.md", "docs/guides/multiple-environments.md", "required (or auth_url)"},
		"docs/index.md": {"none: required, unless `auth_url` is set", "Missing Pay-me Environment",
			"guides/sandbox.md", "guides/multiple-environments.md", "`d` (24 hours)"},
		"docs/ephemeral-resources/access_token.md": {"one for its plan, one for the apply", "Two aliases of the provider never share a token",
			"ephemeralasnull()", "Error message refers to ephemeral values", "When a refresh token was revoked outside Terraform"},
		"docs/resources/refresh_token.md": {"## When a refresh token was revoked outside Terraform",
			"terraform plan", "terraform apply -replace=payme_refresh_token.checkout", "terraform destroy -target=payme_refresh_token.checkout",
			"`terraform destroy` fails the same way", "Import Not Supported", "between `1m` and `3650d`"},
		"docs/guides/multiple-environments.md": {"alias", "`PAYME_*` variables apply to every alias", "ephemeral = true",
			"Credentials per alias through ephemeral variables", "Missing Pay-me Environment"},
		"docs/guides/sandbox.md": {"make sandbox", "is the server's own",
			"## The `-config` file", "## Faults", "## The journal", "## Control endpoints", "status of `0` means"},
	}
	for name, wants := range cases {
		doc := readDoc(t, name)
		flat := strings.Join(strings.Fields(doc), " ")
		for _, w := range wants {
			if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
				t.Errorf("%s does not say %q", name, w)
			}
		}
	}
	if doc := readDoc(t, "docs/resources/refresh_token.md"); strings.Contains(doc, "only noticed when the resource is destroyed") {
		t.Error("docs/resources/refresh_token.md still says a revoked token is only noticed on destroy")
	}
}

// TestDocsSandboxGuide: the guide documents every fault kind and control
// endpoint, and its multi-merchant configuration is one the sandbox loads.
func TestDocsSandboxGuide(t *testing.T) {
	t.Parallel()
	doc := readDoc(t, "docs/guides/sandbox.md")
	kinds := []sandbox.FaultKind{sandbox.FaultStatus, sandbox.FaultDrop, sandbox.FaultNotJSON, sandbox.FaultTruncated,
		sandbox.FaultNoToken, sandbox.FaultNoRefresh, sandbox.FaultSuccessFalse, sandbox.FaultLatency}
	for _, k := range kinds {
		if !strings.Contains(doc, "| `"+string(k)+"` |") {
			t.Errorf("the sandbox guide does not explain the fault kind %q", k)
		}
	}
	for _, ep := range []string{"GET /_sandbox/requests", "GET /_sandbox/stats", "GET /_sandbox/faults",
		"POST /_sandbox/faults", "DELETE /_sandbox/faults", "POST /_sandbox/reset"} {
		if !strings.Contains(doc, ep) {
			t.Errorf("the sandbox guide does not list %s", ep)
		}
	}
	cfg, err := sandbox.LoadConfig(filepath.Join(repoRoot, "examples/guides/sandbox_merchants.json"))
	if err != nil {
		t.Fatalf("the guide's configuration does not load: %v", err)
	}
	owners := map[string]int{}
	for _, u := range cfg.Users {
		owners[u.ClientID]++
	}
	if len(cfg.Clients) != 3 || len(owners) != 3 {
		t.Errorf("the guide's configuration has %d clients and users for %d of them, want three merchants with users", len(cfg.Clients), len(owners))
	}
	if !slices.Contains(cfg.Audiences, environments[audienceEnvironment].audience) {
		t.Error("the guide's configuration refuses the audience the provider sends with only auth_url")
	}
	// No error text may send users to Go package documentation.
	err = filepath.WalkDir(filepath.Join(repoRoot, "internal"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), "package documentation") {
			t.Errorf("%s points users at the package documentation; point them at docs/guides/sandbox.md", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocsDurationLimits: every duration argument's description states the
// limits its validator enforces, so users need not learn them from errors.
func TestDocsDurationLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Every unit the one parser accepts is named, and no other.
	units := func(object, attr, desc string) {
		for _, u := range []string{"d", "h", "m", "s", "ms", "us", "ns", "w", "y"} {
			_, err := duration.Parse("1" + u)
			if named := strings.Contains(desc, "`"+u+"`"); named != (err == nil) {
				t.Errorf("%s.%s: the description names the unit %s: %v; the parser accepts it: %v", object, attr, u, named, err == nil)
			}
		}
	}
	check := func(object, attr, desc string, validators []validator.String) {
		for _, v := range validators {
			switch d := v.(type) {
			case durationValidator:
				units(object, attr, desc)
				for _, limit := range []string{duration.Format(d.min), duration.Format(d.max)} {
					if !strings.Contains(desc, "`"+limit+"`") {
						t.Errorf("%s.%s: the description does not state the limit %s", object, attr, limit)
					}
				}
			case stringSetting:
				if d.attr == settingRequestTimeout.attr {
					units(object, attr, desc)
				}
				if d.attr == settingRequestTimeout.attr && !strings.Contains(desc, "`"+duration.Format(maxRequestTimeout)+"`") {
					t.Errorf("%s.%s: the description does not state the limit %s", object, attr, duration.Format(maxRequestTimeout))
				}
			}
		}
	}
	var pr provider.SchemaResponse
	(&paymeProvider{}).Schema(ctx, provider.SchemaRequest{}, &pr)
	for name, a := range pr.Schema.Attributes {
		if s, ok := a.(providerschema.StringAttribute); ok {
			check("provider", name, s.MarkdownDescription, s.Validators)
		}
	}
	var rr resource.SchemaResponse
	NewRefreshTokenResource().Schema(ctx, resource.SchemaRequest{}, &rr)
	for name, a := range rr.Schema.Attributes {
		if s, ok := a.(resourceschema.StringAttribute); ok {
			check("payme_refresh_token", name, s.MarkdownDescription, s.Validators)
		}
	}
	var er ephemeral.SchemaResponse
	NewAccessTokenEphemeralResource().Schema(ctx, ephemeral.SchemaRequest{}, &er)
	for name, a := range er.Schema.Attributes {
		if s, ok := a.(ephemeralschema.StringAttribute); ok {
			check("payme_access_token", name, s.MarkdownDescription, s.Validators)
		}
	}
}

// TestDocsStoreExamplesRotateNewBeforeOld: every example that opens a
// payme_refresh_token for a sink (the guides' examples, the README's and
// the guides' HCL blocks) declares the token with create_before_destroy, so
// that a replacement writes the new token to the store before the old one
// is revoked and the store never holds a revoked token.
func TestDocsStoreExamplesRotateNewBeforeOld(t *testing.T) {
	t.Parallel()
	checked := 0
	for _, s := range hclSources(t) {
		f, diags := hclsyntax.ParseConfig(s.src, s.name, hcl.InitialPos)
		if diags.HasErrors() {
			continue // TestDocsSensitiveVariablesAreEphemeral reports it
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			t.Fatalf("%s: unexpected body type %T", s.name, f.Body)
		}
		opened := map[string]bool{}
		for _, b := range body.Blocks {
			if b.Type != "ephemeral" || b.Labels[0] != "payme_refresh_token_secret" {
				continue
			}
			if a, ok := b.Body.Attributes["sealed_refresh_token"]; ok {
				for _, tr := range a.Expr.Variables() {
					if tr.RootName() == "payme_refresh_token" && len(tr) > 1 {
						if attr, ok := tr[1].(hcl.TraverseAttr); ok {
							opened[attr.Name] = true
						}
					}
				}
			}
		}
		for _, b := range body.Blocks {
			if b.Type != "resource" || b.Labels[0] != "payme_refresh_token" || !opened[b.Labels[1]] {
				continue
			}
			checked++
			cbd := false
			for _, l := range b.Body.Blocks {
				if l.Type == "lifecycle" && isTrue(l.Body, "create_before_destroy") {
					cbd = true
				}
			}
			if !cbd {
				t.Errorf("%s: payme_refresh_token.%s is opened for a sink but lacks lifecycle { create_before_destroy = true }",
					s.name, b.Labels[1])
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d opened tokens found in the examples: the test would prove nothing", checked)
	}
}

// TestDocsKeyLifecycle: the rotation guide gives the runbooks exactly as
// the CLI tests follow them, and no page repeats the claims issue 19 found
// untrue (a plan that re-seals, Terraform 1.10 for the opener, the PID on
// the first line).
func TestDocsKeyLifecycle(t *testing.T) {
	t.Parallel()
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	rotation := flat(readDoc(t, "docs/guides/rotation.md"))
	for i, step := range []string{"1. " + runbookSecretStep1, "2. " + runbookSecretStep2, "1. " + runbookKeyStep1, "2. " + runbookKeyStep2} {
		if !strings.Contains(rotation, flat(step)) {
			t.Errorf("docs/guides/rotation.md lacks runbook step %d as the CLI tests follow it: %q", i, step)
		}
	}
	for _, want := range []string{"`terraform plan` shows \"No changes\" and the warning \"Refresh Token Sealed Under an Older Key\"",
		"leaves the state file as it was"} {
		if !strings.Contains(rotation, flat(want)) {
			t.Errorf("docs/guides/rotation.md does not say %q", want)
		}
	}
	untrue := regexp.MustCompile(`(?i)next (plan|refresh)( or (plan|refresh))? re-?seals|the PID in the first line|Terraform 1\.10 or later`)
	for _, name := range []string{"README.md", "docs/index.md", "docs/resources/refresh_token.md", "docs/guides/security.md",
		"docs/guides/rotation.md", "docs/guides/sandbox.md", "docs/ephemeral-resources/refresh_token_secret.md"} {
		if m := untrue.FindString(flat(readDoc(t, name))); m != "" {
			t.Errorf("%s says %q, which is not true", name, m)
		}
	}
	wants := map[string][]string{
		"docs/index.md": {"| `sealing_key` | `PAYME_SEALING_KEY` |", "| `previous_sealing_keys` | `PAYME_PREVIOUS_SEALING_KEYS`",
			"| `previous_client_secrets` | `PAYME_PREVIOUS_CLIENT_SECRETS`"},
		"docs/resources/refresh_token.md": {"Plaintext Refresh Token Still Exposed", "terraform apply -replace=payme_refresh_token.checkout",
			"terraform apply -refresh-only"},
		"docs/guides/security.md":                          {"Argon2id", "What can that reader not do?", "Sealing Key Missing", "previous_client_secrets"},
		"docs/ephemeral-resources/refresh_token_secret.md": {"Terraform 1.11 or later", "Refresh Token ID and Sealed Value Do Not Match"},
		"docs/guides/sandbox.md": {"-rotate-client-secret", "-revoke-refresh-token", "-live-refresh-tokens",
			"POST /_sandbox/client-secret", "GET /_sandbox/tokens", "POST /_sandbox/revoke", "\"Pay-me auth sandbox listening on\" (the third line"},
	}
	for name, ws := range wants {
		doc := flat(readDoc(t, name))
		for _, w := range ws {
			if !strings.Contains(doc, flat(w)) {
				t.Errorf("%s does not say %q", name, w)
			}
		}
	}
}
