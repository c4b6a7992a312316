package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

const verifyActionConfig = `
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
}
action "payme_verify_credentials" "seeded" {
  config {
    scopes               = ["create:token"]
    id                   = payme_refresh_token.t.id
    sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
    username             = "merchant@example.com"
  }
}
`

// TestCLI_verifyActionInvoke verifies the client credentials and a sealed
// refresh token with terraform apply -invoke: exactly one grant of each
// kind, the granted scopes and expiry reported, nothing kept; then the same
// invocation fails with the provider's diagnostics once the token is
// revoked, and with a wrong client secret. No secret reaches an output or
// the TRACE log.
func TestCLI_verifyActionInvoke(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	c.requireActions()
	c.writeConfig(verifyActionConfig)
	texts := map[string]string{"apply output": c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")}
	id, resources := c.stateID(), c.stateResources()
	logPath := filepath.Join(c.dir, "trace.log")
	trace := []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH=" + logPath}
	invoke := []string{"apply", "-invoke=action.payme_verify_credentials.seeded", "-auto-approve", "-input=false", "-no-color"}

	before := len(c.sandbox.Journal())
	out := c.run(trace, invoke...)
	texts["invoke output"] = out
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"The client credentials work: Pay-me granted the scopes create:token; the access token expires at ",
		"The refresh token " + id + " works: Pay-me granted the scopes create:token;",
		"24h0m0s after it was issued",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if got, want := requests(c.journalSince(before)), "/token client_credentials 200\n/token refresh_token 200"; got != want {
		t.Errorf("Pay-me received\n%s\nwant exactly\n%s", got, want)
	}
	if c.stateResources() != resources || c.sandbox.LiveRefreshTokens() != 1 {
		t.Error("verifying changed the state or the live tokens")
	}

	failures := []struct {
		name, want, journal string
		env                 []string
		before              func()
	}{
		{"wrong client secret", "Pay-me Rejected the Credentials", "/token client_credentials 401",
			[]string{"PAYME_CLIENT_SECRET=not-the-secret"}, nil},
		{"revoked token", "Refresh Token Revoked or Expired", "/token client_credentials 200\n/token refresh_token 400", nil,
			func() {
				for _, tok := range c.sandbox.LiveRefreshTokenValues() {
					c.sandbox.RevokeOutOfBand(tok)
				}
			}},
	}
	for _, f := range failures {
		if f.before != nil {
			f.before()
		}
		before := len(c.sandbox.Journal())
		cmd, out := c.command(t.Context(), append(f.env, trace...), invoke...)
		if err := cmd.Run(); err == nil {
			t.Errorf("%s: the invocation succeeded:\n%s", f.name, out)
		}
		texts[f.name+" output"] = out.String()
		if !strings.Contains(out.String(), f.want) {
			t.Errorf("%s: the output lacks %q:\n%s", f.name, f.want, out)
		}
		if got := requests(c.journalSince(before)); got != f.journal {
			t.Errorf("%s: Pay-me received\n%s\nwant exactly\n%s", f.name, got, f.journal)
		}
	}
	if !strings.Contains(texts["revoked token output"], id) {
		t.Error("the refused token is not named by its fingerprint")
	}
	texts["TRACE log"] = c.readLog(logPath)
	expectNoLeak(t, texts, append([]string{demoClientSecret, demoPassword}, c.seen.issued()...))
}

// TestAccVerifyCredentialsAction_trigger verifies the token just written
// from a terraform_data's action_trigger, on create and again when the
// token is replaced: each time exactly one client-credentials and one
// refresh grant.
func TestAccVerifyCredentialsAction_trigger(t *testing.T) {
	t.Parallel()
	if usingOpenTofu() {
		t.Skip("OpenTofu has no actions")
	}
	e := newTestEnv(t)
	config := func(keeper string) string {
		return e.refreshTokenConfig(`scopes = ["create:token"]`, `keepers = { generation = "`+keeper+`" }`) + `
action "payme_verify_credentials" "seeded" {
  config {
    scopes               = ["create:token"]
    id                   = payme_refresh_token.t.id
    sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
  }
}
resource "terraform_data" "store" {
  input = payme_refresh_token.t.id
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.payme_verify_credentials.seeded]
    }
  }
}
`
	}
	// grants lists the grants since the last check, and moves the mark.
	seen := 0
	grants := func() string {
		j := e.sandbox.Journal()
		got := requests(j[seen:])
		seen = len(j)
		return got
	}
	check := func(want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := grants(); got != want {
				return fmt.Errorf("Pay-me received\n%s\nwant exactly\n%s", got, want)
			}
			return nil
		}
	}
	const verified = "/token client_credentials 200\n/token refresh_token 200"
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   actionChecks,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: config("1"), Check: check("/token password 200\n" + verified)},
			// Without create_before_destroy the old token is revoked first.
			{Config: config("2"), Check: check("/revoke 200\n/token password 200\n" + verified)},
		},
	})
}

// rotating makes the sandbox answer every refresh-token grant with a new
// refresh token, as a Pay-me that rotates would.
func rotating(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var req struct {
			Grant string `json:"grant_type"`
		}
		var answer map[string]any
		if json.Unmarshal(body, &req) == nil && req.Grant == "refresh_token" && rec.Code == http.StatusOK &&
			json.Unmarshal(rec.Body.Bytes(), &answer) == nil {
			answer["refresh_token"] = rotatedToken
			b, _ := json.Marshal(answer)
			rec.Body = bytes.NewBuffer(b)
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

const rotatedToken = "rt-rotated-4f9c2a7e1b3d5f6a8c0e2b4d6f8a1c3e"

// TestCLI_rotatedRefreshTokenWarns makes Pay-me rotate on a refresh grant:
// payme_access_token and payme_verify_credentials each warn, naming the
// retired token and the new one by fingerprint, never by value.
func TestCLI_rotatedRefreshTokenWarns(t *testing.T) {
	t.Parallel()
	c := newCLIEnvWrapped(t, rotating)
	c.writeConfig(`
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
}
ephemeral "payme_refresh_token_secret" "t" {
  id                   = payme_refresh_token.t.id
  sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
}
ephemeral "payme_access_token" "refresh" {
  scopes        = ["create:token"]
  refresh_token = ephemeral.payme_refresh_token_secret.t.refresh_token
}
`)
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color", "-target=payme_refresh_token.t")
	id := c.stateID()
	out := c.run(nil, "plan", "-input=false", "-no-color")
	texts := map[string]string{"plan output": out}
	wants := []string{"Refresh Token Rotated by Pay-me", "payme_access_token", seal.Fingerprint(rotatedToken), "retired the token sent (" + id + ")"}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range wants {
		if !strings.Contains(flat, want) {
			t.Errorf("payme_access_token: the output lacks %q:\n%s", want, out)
		}
	}
	if ok, _ := c.runsActions(); ok {
		c.writeConfig(verifyActionConfig)
		out = c.run(nil, "apply", "-invoke=action.payme_verify_credentials.seeded", "-auto-approve", "-input=false", "-no-color")
		texts["invoke output"] = out
		flat = strings.Join(strings.Fields(out), " ")
		for _, want := range append(wants[:1], "payme_verify_credentials", wants[2], wants[3]) {
			if !strings.Contains(flat, want) {
				t.Errorf("payme_verify_credentials: the output lacks %q:\n%s", want, out)
			}
		}
	}
	expectNoLeak(t, texts, append([]string{demoClientSecret, demoPassword, rotatedToken}, c.seen.issued()...))
}
