package provider

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/payme-community/terraform-provider-payme/internal/hostile"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// actionChecks skip a test unless the CLI runs actions: Terraform 1.14 or
// later. OpenTofu has no actions.
var actionChecks = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// requireActions skips a CLI test unless the CLI runs actions.
func (c *cliEnv) requireActions() {
	c.t.Helper()
	if ok, why := c.runsActions(); !ok {
		c.t.Skip(why)
	}
}

// runsActions reports whether the CLI runs actions, and if not, why.
func (c *cliEnv) runsActions() (bool, string) {
	c.t.Helper()
	if usingOpenTofu() {
		return false, "OpenTofu has no actions"
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	out := c.run(nil, "version", "-json")
	var major, minor int
	if json.Unmarshal([]byte(out), &v) != nil {
		c.t.Fatalf("terraform version -json: %s", out)
	}
	if _, err := fmt.Sscanf(v.Version, "%d.%d", &major, &minor); err != nil {
		c.t.Fatalf("terraform version %q: %v", v.Version, err)
	}
	if major == 1 && minor < 14 {
		return false, "Terraform " + v.Version + " has no actions (1.14 or later)"
	}
	return true, ""
}

// journalSince returns the sandbox's journal after its first n entries.
func (c *cliEnv) journalSince(n int) []sandbox.Entry { return c.sandbox.Journal()[n:] }

// requests renders journal entries as "endpoint grant status" lines.
func requests(entries []sandbox.Entry) string {
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = strings.Join(strings.Fields(fmt.Sprintf("%s %s %d", e.Endpoint, e.Grant, e.Status)), " ")
	}
	return strings.Join(lines, "\n")
}

// stateResources returns the state's resources as JSON, to show that an
// action changed none of them.
func (c *cliEnv) stateResources() string {
	var st struct {
		Resources json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal([]byte(c.stateFile()), &st); err != nil {
		c.t.Fatalf("state file: %v", err)
	}
	return string(st.Resources)
}

// stateID returns the id of the only payme_refresh_token in the state.
func (c *cliEnv) stateID() string {
	var rs []struct {
		Type      string `json:"type"`
		Instances []struct {
			Attributes struct {
				ID string `json:"id"`
			} `json:"attributes"`
		} `json:"instances"`
	}
	if err := json.Unmarshal([]byte(c.stateResources()), &rs); err != nil {
		c.t.Fatal(err)
	}
	for _, r := range rs {
		if r.Type == "payme_refresh_token" && len(r.Instances) == 1 {
			return r.Instances[0].Attributes.ID
		}
	}
	c.t.Fatal("no payme_refresh_token in the state")
	return ""
}

// planTexts returns what a saved plan holds: the JSON that terraform show
// prints, and every member of the plan file unpacked.
func (c *cliEnv) planTexts(planFile string) map[string]string {
	texts := map[string]string{"terraform show -json": c.run(nil, "show", "-json", planFile)}
	z, err := zip.OpenReader(filepath.Join(c.dir, planFile))
	if err != nil {
		c.t.Fatal(err)
	}
	defer z.Close()
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			c.t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		_ = r.Close()
		if err != nil {
			c.t.Fatal(err)
		}
		texts["plan file member "+f.Name] = string(b)
	}
	return texts
}

// expectNoLeak fails for any secret of which a text holds a piece, naming
// the secret by index only.
func expectNoLeak(t *testing.T, texts map[string]string, secrets []string) {
	t.Helper()
	if len(secrets) < 3 {
		t.Fatalf("only %d secrets to look for: the scan would prove nothing", len(secrets))
	}
	for name, text := range texts {
		for _, i := range hostile.Leaks(text, secrets) {
			t.Errorf("secret #%d (0: client secret, 1: password, then tokens) appears in %s", i, name)
		}
	}
}

func (c *cliEnv) readLog(path string) string {
	c.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		c.t.Fatal(err)
	}
	return string(b)
}

const revokeActionConfig = `
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
}
action "payme_revoke_refresh_token" "leak" {
  config {
    id                   = payme_refresh_token.t.id
    sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
    username             = "merchant@example.com"
  }
}
`

// TestCLI_revokeActionInvoke revokes a sealed token with terraform apply
// -invoke, through each outcome of the verdict: in doubt (the token stays
// live and the invocation fails), revoked, then already invalid. Each
// invocation sends exactly one /revoke and changes no state, and no secret
// reaches an output, the TRACE log or a saved plan.
func TestCLI_revokeActionInvoke(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t, func(cfg *sandbox.Config) { cfg.RevokeUnknown = sandbox.RevokeUnknownReject })
	c.requireActions()
	c.writeConfig(revokeActionConfig)
	texts := map[string]string{"apply output": c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")}
	id, resources := c.stateID(), c.stateResources()
	if c.sandbox.LiveRefreshTokens() != 1 {
		t.Fatal("the apply left no live token: the test would prove nothing")
	}
	logPath := filepath.Join(c.dir, "trace.log")
	trace := []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH=" + logPath}
	invoke := []string{"apply", "-invoke=action.payme_revoke_refresh_token.leak", "-auto-approve", "-input=false", "-no-color"}

	// A saved plan of the invocation holds the sealed value, not the token.
	texts["plan output"] = c.run(trace, "plan", "-invoke=action.payme_revoke_refresh_token.leak", "-out=invoke.tfplan", "-input=false", "-no-color")
	for name, text := range c.planTexts("invoke.tfplan") {
		texts[name] = text
	}
	if n := len(c.sandbox.Journal()); n != 1 {
		t.Fatalf("planning the invocation reached Pay-me: %d requests in all", n)
	}

	steps := []struct {
		name, want string
		fails      bool
		live       int
		status     int
	}{
		{"in doubt", "Pay-me Unavailable", true, 1, 503},
		{"revoked", "Pay-me revoked the refresh token " + id + ".", false, 0, 200},
		{"already invalid", "Refresh Token Already Invalid", false, 0, 400},
	}
	for _, s := range steps {
		if s.fails {
			c.sandbox.InjectFault(sandbox.Fault{Endpoint: "/revoke", Count: 1, Status: 503})
		}
		before := len(c.sandbox.Journal())
		cmd, out := c.command(t.Context(), append([]string{"PAYME_MAX_RETRIES=0"}, trace...), invoke...)
		err := cmd.Run()
		texts[s.name+" output"] = out.String()
		switch {
		case s.fails && err == nil:
			t.Errorf("%s: the invocation succeeded:\n%s", s.name, out)
		case !s.fails && err != nil:
			t.Errorf("%s: %v\n%s", s.name, err, out)
		}
		if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), s.want) {
			t.Errorf("%s: the output lacks %q:\n%s", s.name, s.want, out)
		}
		if got, want := requests(c.journalSince(before)), fmt.Sprintf("/revoke %d", s.status); got != want {
			t.Errorf("%s: Pay-me received\n%s\nwant exactly %s", s.name, got, want)
		}
		if got := c.sandbox.LiveRefreshTokens(); got != s.live {
			t.Errorf("%s: %d live tokens, want %d", s.name, got, s.live)
		}
		if c.stateResources() != resources {
			t.Errorf("%s: the invocation changed the state", s.name)
		}
	}
	if doubt := texts["in doubt output"]; !strings.Contains(strings.Join(strings.Fields(doubt), " "), "run the action again") {
		t.Errorf("the in-doubt failure does not say what to do:\n%s", doubt)
	}
	if strings.Contains(texts["in doubt output"], "revoke_on_destroy") {
		t.Error("the action's failure gives the advice meant for a destroy")
	}
	texts["TRACE log"] = c.readLog(logPath)
	if !strings.Contains(texts["TRACE log"], `\"refresh_token\":\"***\"`) {
		t.Error("the TRACE log lacks the masked /revoke body: the scan would prove nothing")
	}
	expectNoLeak(t, texts, append([]string{demoClientSecret, demoPassword}, c.seen.issued()...))
}

// TestCLI_revokeActionPlaintext revokes tokens given by value, from a
// sensitive variable: an unknown token is already invalid for a Pay-me that
// says so, and revoked for one that answers success for anything (RFC 7009);
// a token that does not match the id given is not sent at all. The value
// reaches no output and no log.
func TestCLI_revokeActionPlaintext(t *testing.T) {
	t.Parallel()
	leaked := "rt-leaked-" + strings.Repeat("q7Z", 10)
	config := `
variable "leaked" {
  type      = string
  sensitive = true
}
variable "id" {
  type    = string
  default = null
}
action "payme_revoke_refresh_token" "leak" {
  config {
    refresh_token = var.leaked
    id            = var.id
  }
}
`
	invoke := []string{"apply", "-invoke=action.payme_revoke_refresh_token.leak", "-auto-approve", "-input=false", "-no-color"}
	cases := []struct {
		name   string
		policy sandbox.RevokeUnknownPolicy
		id     string
		want   string
		status string
		fails  bool
	}{
		{"unknown, Pay-me says invalid", sandbox.RevokeUnknownReject, "", "Refresh Token Already Invalid", "/revoke 400", false},
		{"unknown, Pay-me says revoked", sandbox.RevokeUnknownSucceed, seal.Fingerprint(leaked), "Pay-me revoked the refresh token " + seal.Fingerprint(leaked), "/revoke 200", false},
		{"another fingerprint", sandbox.RevokeUnknownSucceed, "sha256:0000000000000000", "Refresh Token Does Not Match Its Fingerprint", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newCLIEnv(t, func(cfg *sandbox.Config) { cfg.RevokeUnknown = tc.policy })
			c.requireActions()
			c.writeConfig(config)
			c.run(nil, "init", "-input=false", "-no-color")
			logPath := filepath.Join(c.dir, "trace.log")
			env := []string{"TF_VAR_leaked=" + leaked, "TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH=" + logPath}
			if tc.id != "" {
				env = append(env, "TF_VAR_id="+tc.id)
			}
			cmd, out := c.command(t.Context(), env, invoke...)
			err := cmd.Run()
			if (err != nil) != tc.fails {
				t.Errorf("invocation error %v, want failure %v:\n%s", err, tc.fails, out)
			}
			if !strings.Contains(strings.Join(strings.Fields(out.String()), " "), tc.want) {
				t.Errorf("the output lacks %q:\n%s", tc.want, out)
			}
			if got := requests(c.sandbox.Journal()); got != tc.status {
				t.Errorf("Pay-me received\n%s\nwant exactly %q", got, tc.status)
			}
			texts := map[string]string{"output": out.String(), "TRACE log": c.readLog(logPath)}
			expectNoLeak(t, texts, []string{demoClientSecret, demoPassword, leaked})
		})
	}
}

// TestAccRevokeRefreshTokenAction_trigger revokes a token kept by
// revoke_on_destroy = false from a terraform_data's action_trigger, as a
// runbook would: exactly one /revoke, and the token is dead.
func TestAccRevokeRefreshTokenAction_trigger(t *testing.T) {
	t.Parallel()
	if usingOpenTofu() {
		t.Skip("OpenTofu has no actions")
	}
	e := newTestEnv(t)
	token := e.refreshTokenConfig(`scopes = ["create:token"]`, `revoke_on_destroy = false`)
	before := 0
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionChecks,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: token,
				Check: func(*terraform.State) error {
					before = len(e.sandbox.Journal())
					if e.sandbox.LiveRefreshTokens() != 1 {
						return fmt.Errorf("no live token: the test would prove nothing")
					}
					return nil
				},
			},
			{
				Config: token + `
action "payme_revoke_refresh_token" "old" {
  config {
    id                   = payme_refresh_token.t.id
    sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
  }
}
resource "terraform_data" "incident" {
  input = "INC-1"
  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.payme_revoke_refresh_token.old]
    }
  }
}
`,
				Check: func(*terraform.State) error {
					if got := requests(e.sandbox.Journal()[before:]); got != "/revoke 200" {
						return fmt.Errorf("Pay-me received\n%s\nwant exactly one /revoke", got)
					}
					if n := e.sandbox.LiveRefreshTokens(); n != 0 {
						return fmt.Errorf("%d live tokens after the action", n)
					}
					return nil
				},
			},
		},
	})
}
