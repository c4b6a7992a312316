package provider

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// The key lifecycle through the real CLI: rotating the client secret and
// the sealing key by the runbooks of the rotation guide, the re-seal
// warning, and the warnings and errors that point a user at the right fix.

// The runbooks as docs/guides/rotation.md gives them; TestDocsRunbooks
// checks that the guide says exactly this, and the tests below do it.
const (
	runbookSecretStep1 = "Set `client_secret` (or `PAYME_CLIENT_SECRET`) to the new secret and add the old one to " +
		"`previous_client_secrets` (or `PAYME_PREVIOUS_CLIENT_SECRETS`), then run `terraform apply -refresh-only`."
	runbookSecretStep2 = "Once `terraform plan` shows no \"Refresh Token Sealed Under an Older Key\" warning, remove the " +
		"old secret from `previous_client_secrets`."
	runbookKeyStep1 = "Set `sealing_key` (or `PAYME_SEALING_KEY`) to the new key and add the old one to " +
		"`previous_sealing_keys` (or `PAYME_PREVIOUS_SEALING_KEYS`), then run `terraform apply -refresh-only`."
	runbookKeyStep2 = "Once `terraform plan` shows no \"Refresh Token Sealed Under an Older Key\" warning, remove the " +
		"old key from `previous_sealing_keys`."
)

const resealWarning = "Refresh Token Sealed Under an Older Key"

var warningTitle = regexp.MustCompile(`Warning: (.*)`)

// providerWarning reports whether the output has a warning other than the
// CLI's own about development overrides.
func providerWarning(out string) bool {
	for _, m := range warningTitle.FindAllStringSubmatch(out, -1) {
		if !strings.HasPrefix(m[1], "Provider development overrides") {
			return true
		}
	}
	return false
}

// try runs the CLI and returns its output and error, for steps expected to fail.
func (c *cliEnv) try(extraEnv []string, args ...string) (string, error) {
	c.t.Helper()
	cmd, out := c.command(c.t.Context(), extraEnv, args...)
	err := cmd.Run()
	return out.String(), err
}

// twoTokensConfig is the sealed pattern with two tokens, each opened for a
// consumer, so that every token's key matters.
func twoTokensConfig() string {
	return sealedConfig("1", `"create:token"`) + `
resource "payme_refresh_token" "second" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
}
ephemeral "payme_refresh_token_secret" "second" {
  id                   = payme_refresh_token.second.id
  sealed_refresh_token = payme_refresh_token.second.sealed_refresh_token
}
ephemeral "payme_access_token" "second" {
  scopes        = ["create:token"]
  username      = "merchant@example.com"
  refresh_token = ephemeral.payme_refresh_token_secret.second.refresh_token
}
`
}

var sealedKid = regexp.MustCompile(`"sealed_refresh_token": ?"pmseal1\.([0-9a-fc]+)\.`)

// kids lists the key identifiers the state's sealed values carry.
func (c *cliEnv) kids() []string {
	var out []string
	for _, m := range sealedKid.FindAllStringSubmatch(c.stateFile(), -1) {
		out = append(out, m[1])
	}
	return out
}

func (c *cliEnv) wantKids(stage string, want string, n int) {
	c.t.Helper()
	kids := c.kids()
	if len(kids) != n {
		c.t.Fatalf("%s: %d sealed values in the state, want %d", stage, len(kids), n)
	}
	for _, k := range kids {
		if k != want {
			c.t.Fatalf("%s: a token is sealed under %s, want %s", stage, k, want)
		}
	}
}

// TestCLI_clientSecretRotation follows the client-secret runbook, with no
// sealing_key, after each of the rotations Pay-me's back office allows:
// both secrets valid for a while, or the old one refused at once. Every
// token opens throughout, the warning names the fix and goes away, and
// destroy (with the new secret) leaves no token live.
func TestCLI_clientSecretRotation(t *testing.T) {
	t.Parallel()
	for name, overlap := range map[string]time.Duration{"overlap": time.Hour, "old secret gone at once": 0} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := newCLIEnv(t)
			const newSecret = "new-demo-secret"
			c.writeConfig(twoTokensConfig())
			c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
			oldKid := seal.FromClientCredentials(demoClientID, demoClientSecret).ID()
			newKid := seal.FromClientCredentials(demoClientID, newSecret).ID()
			c.wantKids("create", oldKid, 2)
			if err := c.sandbox.RotateClientSecret(demoClientID, newSecret, overlap); err != nil {
				t.Fatal(err)
			}

			// The trap this runbook avoids: the new secret alone opens nothing,
			// and the error says which kind of key is missing and what to add.
			onlyNew := []string{"PAYME_CLIENT_SECRET=" + newSecret}
			out, err := c.try(onlyNew, "plan", "-input=false", "-no-color")
			if err == nil || !diagRegexp("Sealing Key Missing", "sealed under the key "+oldKid,
				`derived from the client credentials of client_id "demo-client"`, "previous_client_secrets").MatchString(out) {
				t.Fatalf("plan with only the new secret: err %v, want Sealing Key Missing naming the client and previous_client_secrets:\n%s", err, out)
			}

			// Step 1.
			step1 := []string{"PAYME_CLIENT_SECRET=" + newSecret, "PAYME_PREVIOUS_CLIENT_SECRETS=" + demoClientSecret}
			out = c.run(step1, "plan", "-input=false", "-no-color")
			if !diagRegexp(resealWarning, "sealed under the older key "+oldKid, "current key "+newKid,
				"terraform apply -refresh-only").MatchString(out) {
				t.Fatalf("the plan does not warn that tokens need re-sealing:\n%s", out)
			}
			c.wantKids("after plan (which saves nothing)", oldKid, 2)
			c.run(step1, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
			c.wantKids("after apply -refresh-only", newKid, 2)

			// Step 2: no warning left, so the old secret goes.
			step2 := []string{"PAYME_CLIENT_SECRET=" + newSecret}
			out = c.run(step2, "plan", "-detailed-exitcode", "-input=false", "-no-color")
			if providerWarning(out) {
				t.Fatalf("a warning is left after the runbook:\n%s", out)
			}
			c.run(step2, "apply", "-auto-approve", "-input=false", "-no-color")
			c.run(step2, "destroy", "-auto-approve", "-input=false", "-no-color")
			if live := c.sandbox.LiveTokens(); len(live) != 0 {
				t.Fatalf("after destroy %d refresh tokens are live: %v", len(live), live)
			}
		})
	}
}

// TestCLI_sealingKeyRotation follows the sealing-key runbook from one
// dedicated key to the next: plan warns and saves nothing, apply
// -refresh-only re-seals without calling Pay-me, and the warning is gone.
func TestCLI_sealingKeyRotation(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	const keyA, keyB = "sealing-key-A-0123456789abcdefghij", "sealing-key-B-0123456789abcdefghij"
	kidOf := func(k string) string { key, _ := seal.NewKey(k); return key.ID() }
	c.writeConfig(twoTokensConfig())
	first := []string{"PAYME_SEALING_KEY=" + keyA}
	c.run(first, "apply", "-auto-approve", "-input=false", "-no-color")
	c.wantKids("create", kidOf(keyA), 2)
	mark := len(c.sandbox.Journal())

	step1 := []string{"PAYME_SEALING_KEY=" + keyB, "PAYME_PREVIOUS_SEALING_KEYS=" + keyA}
	out := c.run(step1, "plan", "-input=false", "-no-color")
	if !diagRegexp(resealWarning, "older key "+kidOf(keyA), "terraform plan does not save that").MatchString(out) {
		t.Fatalf("the plan does not warn about tokens under the old key:\n%s", out)
	}
	c.wantKids("after plan", kidOf(keyA), 2)
	c.run(step1, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	c.wantKids("after apply -refresh-only", kidOf(keyB), 2)
	// Re-sealing calls no /token with the password grant and creates nothing:
	// only the consumers' refresh grants reach Pay-me.
	for _, j := range c.sandbox.Journal()[mark:] {
		if j.Grant == "password" || j.Endpoint == "/revoke" {
			t.Fatalf("re-sealing sent %s %s to Pay-me", j.Endpoint, j.Grant)
		}
	}
	step2 := []string{"PAYME_SEALING_KEY=" + keyB}
	if out := c.run(step2, "plan", "-detailed-exitcode", "-input=false", "-no-color"); providerWarning(out) {
		t.Fatalf("a warning is left after the runbook:\n%s", out)
	}
	c.run(step2, "destroy", "-auto-approve", "-input=false", "-no-color")
	if n := c.sandbox.LiveRefreshTokens(); n != 0 {
		t.Fatalf("%d tokens live after destroy", n)
	}
}

// TestCLI_legacyCredentialKey: a token sealed under the key earlier
// versions derived from the client credentials with HKDF still opens, and
// is re-sealed under the Argon2id key with the same warning.
func TestCLI_legacyCredentialKey(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	c.writeConfig(sealedConfig("1", `"create:token"`))
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	// Rewrite the sealed value as an earlier version would have written it.
	var token string
	for _, tok := range c.seen.issued() {
		if c.sandbox.RefreshTokenLive(tok) {
			token = tok
		}
	}
	id := seal.Fingerprint(token)
	legacy := seal.LegacyFromClientCredentials(demoClientID, demoClientSecret)
	state := regexp.MustCompile(`"sealed_refresh_token": ?"[^"]*"`).ReplaceAllString(c.stateFile(),
		`"sealed_refresh_token": "`+legacy.Seal(token, id)+`"`)
	writeFile(t, filepath.Join(c.dir, "terraform.tfstate"), state)
	out := c.run(nil, "plan", "-input=false", "-no-color")
	if !diagRegexp(resealWarning, "older key "+legacy.ID()).MatchString(out) {
		t.Fatalf("no re-seal warning for a token under the legacy key:\n%s", out)
	}
	c.run(nil, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	c.wantKids("after apply -refresh-only", seal.FromClientCredentials(demoClientID, demoClientSecret).ID(), 1)
	if out := c.run(nil, "plan", "-input=false", "-no-color"); strings.Contains(out, resealWarning) {
		t.Fatalf("the warning stays after apply -refresh-only:\n%s", out)
	}
}

// TestCLI_plaintextOff: turning store_plaintext_refresh_token off warns at
// plan that earlier states still hold the token, with the -replace command;
// following it revokes the exposed token.
func TestCLI_plaintextOff(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	config := func(plaintext bool) string {
		p := "false"
		if plaintext {
			p = "true"
		}
		return `
resource "payme_refresh_token" "main" {
  username                      = "merchant@example.com"
  password_wo                   = var.password
  scopes                        = ["create:token"]
  store_plaintext_refresh_token = ` + p + `
}
`
	}
	c.writeConfig(config(true))
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	exposed := c.seen.issued()
	c.writeConfig(config(false))
	out := c.run(nil, "plan", "-input=false", "-no-color")
	if !diagRegexp("Plaintext Refresh Token Still Exposed", "terraform.tfstate.backup", "stays live",
		"terraform apply -replace=ADDRESS", "payme_refresh_token.main").MatchString(out) {
		t.Fatalf("no plaintext-off warning with the -replace command:\n%s", out)
	}
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	c.run(nil, "apply", "-replace=payme_refresh_token.main", "-auto-approve", "-input=false", "-no-color")
	for _, tok := range exposed {
		if c.sandbox.RefreshTokenLive(tok) {
			t.Fatal("the exposed token is still live after -replace")
		}
	}
	if out := c.run(nil, "plan", "-input=false", "-no-color"); providerWarning(out) {
		t.Fatalf("a warning is left once the plaintext is off:\n%s", out)
	}
	c.run(nil, "destroy", "-auto-approve", "-input=false", "-no-color")
}

// TestCLI_openerMismatch: an opener given one resource's id and another's
// sealed value names both arguments, and a made-up id is refused as such.
func TestCLI_openerMismatch(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	base := twoTokensConfig()
	c.writeConfig(base)
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	swapped := strings.Replace(base, "id                   = payme_refresh_token.second.id",
		"id                   = payme_refresh_token.t.id", 1)
	if swapped == base {
		t.Fatal("the configuration did not change")
	}
	c.writeConfig(swapped)
	out, err := c.try(nil, "plan", "-input=false", "-no-color")
	if err == nil || !diagRegexp("Refresh Token ID and Sealed Value Do Not Match", "sealed_refresh_token does not open with id",
		"Pass the id and the sealed_refresh_token of the same resource").MatchString(out) || strings.Contains(out, "Tampered") {
		t.Fatalf("plan with a mismatched opener: err %v, want the mismatch named:\n%s", err, out)
	}
	c.writeConfig(strings.Replace(base, "id                   = payme_refresh_token.second.id", `id                   = "not-a-fingerprint"`, 1))
	out, err = c.try(nil, "plan", "-input=false", "-no-color")
	if err == nil || !diagRegexp("Invalid Refresh Token ID", "sha256: and 16 lowercase hex digits").MatchString(out) {
		t.Fatalf("plan with a made-up id: err %v:\n%s", err, out)
	}
	c.writeConfig(base)
	c.run(nil, "destroy", "-auto-approve", "-input=false", "-no-color")
	if n := c.sandbox.LiveRefreshTokens(); n != 0 {
		t.Fatalf("%d tokens live after destroy", n)
	}
}

// TestCLI_weakSealingKey: a low-variety key is refused before Pay-me is
// called, with the rule in the message.
func TestCLI_weakSealingKey(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	c.writeConfig(sealedConfig("1", `"create:token"`))
	out, err := c.try([]string{"PAYME_SEALING_KEY=" + strings.Repeat("a", 32)}, "plan", "-input=false", "-no-color")
	if err == nil || !diagRegexp("Invalid Sealing Key", "too little variety", "at least 12 different characters").MatchString(out) {
		t.Fatalf("a weak key was not refused: %v\n%s", err, out)
	}
	if n := len(c.sandbox.Journal()); n != 0 {
		t.Fatalf("%d requests reached Pay-me", n)
	}
}

// TestCLI_revokedOutsideTerraform rehearses, as the sandbox guide does, a
// token revoked by fingerprint outside Terraform: the plan that opens it
// fails naming the fix, -replace gives a new token, and destroy leaves
// nothing live.
func TestCLI_revokedOutsideTerraform(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	c.writeConfig(sealedConfig("1", `"create:token"`))
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	m := regexp.MustCompile(`"id": ?"(sha256:[0-9a-f]{16})"`).FindStringSubmatch(c.stateFile())
	if m == nil || !c.sandbox.RevokeFingerprint(m[1]) {
		t.Fatal("no live token with the state's id to revoke")
	}
	out, err := c.try(nil, "plan", "-input=false", "-no-color")
	if err == nil || !diagRegexp("Refresh Token Revoked or Expired", "terraform apply -replace=ADDRESS").MatchString(out) {
		t.Fatalf("plan after the revocation: err %v:\n%s", err, out)
	}
	c.run(nil, "apply", "-replace=payme_refresh_token.t", "-auto-approve", "-input=false", "-no-color")
	if live := c.sandbox.LiveTokens(); len(live) != 1 || strings.Contains(c.stateFile(), m[1]) {
		t.Fatalf("after -replace: %d live tokens, want the one new token in the state", len(live))
	}
	c.run(nil, "destroy", "-auto-approve", "-input=false", "-no-color")
	if n := c.sandbox.LiveRefreshTokens(); n != 0 {
		t.Fatalf("%d tokens live after destroy", n)
	}
}
