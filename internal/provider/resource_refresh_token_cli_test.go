package provider

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// sealedConfig is the recommended pattern, for the CLI tests: a sealed
// token, its opener, and a consumer (the refresh grant) that a sink's
// write-only argument would stand in for. keepers and scopes vary per run.
func sealedConfig(keeper, scopes string) string {
	return `
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = [` + scopes + `]
  keepers     = { deploy = "` + keeper + `" }
  lifecycle {
    create_before_destroy = true
  }
}
ephemeral "payme_refresh_token_secret" "t" {
  id                   = payme_refresh_token.t.id
  sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
}
ephemeral "payme_access_token" "consumer" {
  scopes        = ["create:token"]
  username      = "merchant@example.com"
  refresh_token = ephemeral.payme_refresh_token_secret.t.refresh_token
}
resource "terraform_data" "consumer" {
  triggers_replace = payme_refresh_token.t.id
  provisioner "local-exec" {
    command     = "test \"$GRANT\" = refresh_token"
    environment = { GRANT = ephemeral.payme_access_token.consumer.grant_type }
  }
}
output "sealed_prefix" {
  value = split(".", payme_refresh_token.t.sealed_refresh_token)[0]
}
`
}

// requestOrder lists the sandbox's requests as grant (or endpoint) and
// status, from the mark'th on.
func (c *cliEnv) requestOrder(mark int) string {
	var order []string
	for _, j := range c.sandbox.Journal()[mark:] {
		what := j.Grant
		if j.Endpoint != "/token" {
			what = j.Endpoint
		}
		order = append(order, what+":"+strconv.Itoa(j.Status))
	}
	return strings.Join(order, " ")
}

// noPlaintext looks for every token the sandbox issued, the password and the
// client secret in each text; a leak is named by its index and place only.
func (c *cliEnv) noPlaintext(stage string, texts map[string]string) {
	c.t.Helper()
	issued := c.seen.issued()
	if len(issued) == 0 {
		c.t.Fatalf("%s: no token issued: the check would prove nothing", stage)
	}
	secrets := append([]string{demoClientSecret, demoPassword}, issued...)
	for i, s := range secrets {
		for where, text := range texts {
			if strings.Contains(text, s) {
				c.t.Errorf("%s: secret #%d (0: client secret, 1: password, then tokens in issue order) appears in %s", stage, i, where)
			}
		}
	}
}

// TestCLI_sealedTokenNeverInPlaintext creates, rotates (create_before_destroy),
// replaces and destroys a sealed token with a consumer, and after each step
// looks for any plaintext token in the state file, in show -json of the
// state and of a saved plan, in the TRACE log and in the output.
func TestCLI_sealedTokenNeverInPlaintext(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	logPath := filepath.Join(c.dir, "trace.log")
	trace := []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH=" + logPath}
	outputs := map[string]string{}
	check := func(stage string) {
		t.Helper()
		state := c.stateFile()
		showState := c.run(nil, "show", "-json", "-no-color")
		c.run(trace, "plan", "-input=false", "-no-color", "-out=saved.plan")
		showPlan := c.run(nil, "show", "-json", "-no-color", "saved.plan")
		log, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		texts := map[string]string{"the state file": state, "show -json": showState, "show -json of a saved plan": showPlan, "the TRACE log": string(log)}
		for k, v := range outputs {
			texts[k] = v
		}
		c.noPlaintext(stage, texts)
		if stage != "destroy" && !regexp.MustCompile(`"sealed_refresh_token": ?"pmseal1\.(?:[0-9a-f]{8}|c[0-9a-f]{12})\.`).MatchString(state) {
			t.Errorf("%s: the state has no sealed token", stage)
		}
	}
	mark := 0
	apply := func(stage, config string) {
		t.Helper()
		c.writeConfig(config)
		mark = len(c.sandbox.Journal())
		outputs[stage+" output"] = c.run(trace, "apply", "-auto-approve", "-input=false", "-no-color")
		check(stage)
	}

	apply("create", sealedConfig("1", `"create:token"`))
	if got := c.requestOrder(mark); !strings.HasPrefix(got, "password:200 refresh_token:200") {
		t.Errorf("create: requests %q, want the password grant, then the consumer's refresh grant in the same apply", got)
	}
	if out := c.run(nil, "output", "-raw", "sealed_prefix"); out != seal.Prefix {
		t.Errorf("create: the sealed value starts with %q, want %q", out, seal.Prefix)
	}
	apply("rotation", sealedConfig("2", `"create:token"`))
	if got := c.requestOrder(mark); !regexp.MustCompile(`^password:200 refresh_token:200 /revoke:200`).MatchString(got) {
		t.Errorf("rotation: requests %q, want the new token, the consumer's refresh grant with it, then the old one's revocation", got)
	}
	apply("replacement", sealedConfig("2", `"create:token", "post:charges"`))
	if live := c.sandbox.LiveRefreshTokens(); live != 1 {
		t.Errorf("replacement: %d live tokens, want 1", live)
	}
	mark = len(c.sandbox.Journal())
	outputs["destroy output"] = c.run(trace, "destroy", "-auto-approve", "-input=false", "-no-color")
	// The destroy's plan evaluates the ephemeral resources, so the consumer
	// may ask for an access token once more before the revocation.
	if got := c.requestOrder(mark); !regexp.MustCompile(`^(refresh_token:200 )?/revoke:200$`).MatchString(got) {
		t.Errorf("destroy: requests %q, want one revocation", got)
	}
	check("destroy")
}

// tamper changes one character of the sealed value in the state file and
// returns the original file.
func (c *cliEnv) tamper() string {
	c.t.Helper()
	orig := c.stateFile()
	m := regexp.MustCompile(`("sealed_refresh_token": ?"pmseal1\.(?:[0-9a-f]{8}|c[0-9a-f]{12})\.)(.)`).FindStringSubmatchIndex(orig)
	if m == nil {
		c.t.Fatal("no sealed value in the state")
	}
	repl := "A"
	if orig[m[4]:m[5]] == "A" {
		repl = "B"
	}
	writeFile(c.t, filepath.Join(c.dir, "terraform.tfstate"), orig[:m[4]]+repl+orig[m[5]:])
	return orig
}

// TestCLI_tamperedSealedValue: a destroy of a state whose sealed value was
// altered fails with a named diagnostic, keeps the resource and revokes
// nothing; the token stays live until a destroy that can open it.
func TestCLI_tamperedSealedValue(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	c.writeConfig(`
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
}
`)
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	orig := c.tamper()
	cmd, out := c.command(t.Context(), nil, "destroy", "-auto-approve", "-input=false", "-no-color")
	if err := cmd.Run(); err == nil {
		t.Fatal("destroy succeeded with a tampered sealed value")
	}
	if !diagRegexp("Sealed Refresh Token Tampered", "stays in the state", "does not authenticate").MatchString(out.String()) {
		t.Errorf("destroy did not say the sealed value was tampered with:\n%s", out)
	}
	if c.sandbox.Requests("/revoke") != 0 || c.sandbox.LiveRefreshTokens() != 1 || c.stateInstances("payme_refresh_token") != 1 {
		t.Fatal("after the failed destroy the token must stay live and in the state, with no revocation sent")
	}
	writeFile(t, filepath.Join(c.dir, "terraform.tfstate"), orig)
	c.run(nil, "destroy", "-auto-approve", "-input=false", "-no-color")
	if c.sandbox.LiveRefreshTokens() != 0 {
		t.Error("the token is still live after a destroy that could open it")
	}
}

// v0Token is the token held by testdata/v0.tfstate, a state written by the
// provider before sealing (commit 521e50b, applied against a sandbox).
type v0Token struct {
	ID           string `json:"id"`
	RefreshToken string `json:"refresh_token"`
}

// loadV0 puts testdata/v0.tfstate in the working directory and makes the
// sandbox know its token, as the sandbox that issued it did.
func (c *cliEnv) loadV0() v0Token {
	c.t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "v0.tfstate"))
	if err != nil {
		c.t.Fatal(err)
	}
	var v0 struct {
		Resources []struct {
			Instances []struct {
				Attributes v0Token `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &v0); err != nil {
		c.t.Fatal(err)
	}
	old := v0.Resources[0].Instances[0].Attributes
	if old.RefreshToken == "" || seal.Fingerprint(old.RefreshToken) != old.ID {
		c.t.Fatal("testdata/v0.tfstate does not hold a plaintext token matching its id")
	}
	c.sandbox.AdoptRefreshToken(old.RefreshToken, demoClientID, demoUsername, []string{"create:token", "post:charges", "offline_access"})
	state := string(raw)
	if usingOpenTofu() {
		// The state OpenTofu writes names its own registry.
		state = strings.ReplaceAll(state, "registry.terraform.io", "registry.opentofu.org")
	}
	writeFile(c.t, filepath.Join(c.dir, "terraform.tfstate"), state)
	return old
}

const v0Resource = `
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token", "post:charges"]
}
`

// checkUpgraded: after the first refresh with keys, the state holds the same
// token, sealed, and no plaintext; then destroy revokes that very token
// with the only request Pay-me ever got.
func (c *cliEnv) checkUpgraded(old v0Token) {
	c.t.Helper()
	after := c.stateFile()
	if strings.Contains(after, old.RefreshToken) {
		c.t.Error("the plaintext token is still in the state after the first refresh")
	}
	if !strings.Contains(after, `"schema_version": 1`) || !strings.Contains(after, `"id": "`+old.ID+`"`) ||
		!regexp.MustCompile(`"sealed_refresh_token": ?"pmseal1\.`).MatchString(after) {
		c.t.Error("the upgraded state lacks schema version 1, the same id, or the sealed token")
	}
	if n := len(c.sandbox.Journal()); n != 0 {
		c.t.Errorf("the upgrade sent %d requests to Pay-me, want none", n)
	}
	c.run(nil, "destroy", "-auto-approve", "-input=false", "-no-color")
	if got := c.requestOrder(0); got != "/revoke:200" || c.sandbox.RefreshTokenLive(old.RefreshToken) {
		c.t.Errorf("destroy: requests %q, and the old token live: %v; want it revoked by one request", got, c.sandbox.RefreshTokenLive(old.RefreshToken))
	}
}

// TestCLI_upgradeFromV0: the upgrade seals the token with no Pay-me call
// and no new token, and destroy revokes the same token.
func TestCLI_upgradeFromV0(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	old := c.loadV0()
	c.writeConfig(v0Resource)
	// No changes to make: exit code 0 with -detailed-exitcode.
	c.run(nil, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	c.run(nil, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	c.checkUpgraded(old)
}

// TestCLI_upgradeFromV0WithoutKey upgrades under a provider configuration
// that is not known yet (the client secret comes from a resource created in
// the same apply), so the upgrader has no key: the plaintext stays, the plan
// marks sealed_refresh_token unknown, and the apply, whose configuration is
// known, seals it. Nothing is lost, and no new token is made.
func TestCLI_upgradeFromV0WithoutKey(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	old := c.loadV0()
	// A provider block in the configuration wins over PAYME_CLIENT_SECRET.
	c.writeConfig(v0Resource + `
resource "terraform_data" "secret" {
  input = "` + demoClientSecret + `"
}
`)
	main := filepath.Join(c.dir, "main.tf")
	b, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, main, strings.Replace(string(b), `provider "payme" {}`,
		`provider "payme" {
  client_secret = terraform_data.secret.output
}`, 1))
	out := c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if !strings.Contains(out, "payme_refresh_token.t will be updated in-place") {
		t.Errorf("the plan without a key does not plan the sealing:\n%s", out)
	}
	c.checkUpgraded(old)
}
