package provider

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
)

// The tests in this file cover the traps a new user fell into (issue 14):
// each configuration here was accepted, or refused in unhelpful words, before.

// TestAccProvider_noEnvironment: without environment, auth_url or their
// variables the provider refuses to start instead of assuming production.
func TestAccProvider_noEnvironment(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.env["PAYME_CLIENT_ID"] = demoClientID
	e.env["PAYME_CLIENT_SECRET"] = demoClientSecret
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: `provider "payme" {}` + echoAccessToken,
			ExpectError: diagRegexp("Missing Pay-me Environment", "does not assume production",
				`Set environment to "production", "preproduction" or "development"`, "PAYME_ENVIRONMENT",
				"or set auth_url (or PAYME_AUTH_URL)"),
		}},
	})
	if n := len(e.sandbox.Journal()); n != 0 {
		t.Errorf("a provider without an environment sent %d requests", n)
	}
}

// TestAccProvider_unknownAuthURL: an auth_url known only at apply is not
// mistaken for a missing one during plan.
func TestAccProvider_unknownAuthURL(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "url" {
  input = %q
}
provider "payme" {
  auth_url      = terraform_data.url.output
  client_id     = %q
  client_secret = %q
}
`, e.url, demoClientID, demoClientSecret) + refreshTokenMinimal,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("payme_refresh_token.t", plancheck.ResourceActionCreate)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("payme_refresh_token.t", tfjsonpath.New("granted_scopes"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact("create:token"), knownvalue.StringExact("offline_access")})),
			},
		}},
	})
}

// TestAccRefreshToken_passwordPair: half a password grant fails at plan,
// naming the attributes as written, and never reaches Pay-me.
func TestAccRefreshToken_passwordPair(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	tokenWith := func(arg string) string {
		return e.providerBlock() + `
resource "payme_refresh_token" "t" {
  ` + arg + `
  scopes = ["create:token"]
}`
	}
	e.expectConfigErrors(t, needsWriteOnly, map[string]configError{
		"username without password_wo": {tokenWith(`username = "merchant@example.com"`),
			[]string{"Incomplete Password Grant", "username is set but password_wo is not", "Add password_wo"}},
		"password_wo without username": {tokenWith(`password_wo = "demo-password"`),
			[]string{"Incomplete Password Grant", "password_wo is set but username is not", "Add username"}},
	})
}

// TestAccAccessToken_passwordPair: the same on payme_access_token, where a
// lone username is fine with refresh_token (the refresh grant sends it).
func TestAccAccessToken_passwordPair(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	e.expectConfigErrors(t, needsEphemeral, map[string]configError{
		"username without password": {e.accessTokenWith(`username = "merchant@example.com"`, `scopes = ["create:token"]`),
			[]string{"Incomplete Password Grant", "username is set but password is not", "Add password"}},
		"password without username": {e.accessTokenWith(`password = "demo-password"`, `scopes = ["create:token"]`),
			[]string{"Incomplete Password Grant", "password is set but username is not", "Add username"}},
	})
}

// TestAccAccessToken_usernameWithRefreshToken: username beside
// refresh_token is the documented refresh grant, not half a password grant.
func TestAccAccessToken_usernameWithRefreshToken(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			// The token comes in through an ephemeral variable, so that no
			// diagnostic's source snippet can show it.
			ConfigVariables: config.Variables{"refresh_token": config.StringVariable(e.issueRefreshToken(t))},
			Config: e.providerBlock() + fmt.Sprintf(`
variable "refresh_token" {
  type      = string
  sensitive = true
  ephemeral = true
}
ephemeral "payme_access_token" "t" {
  scopes        = ["create:token"]
  username      = %q
  refresh_token = var.refresh_token
}`, demoUsername) + echoOf("t"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact("refresh_token")),
			},
		}},
	})
}

// issueRefreshToken obtains a refresh token from the sandbox with the
// password grant, as another tool would, outside Terraform.
func (e *testEnv) issueRefreshToken(t *testing.T) string {
	t.Helper()
	c, err := paymeauth.New(paymeauth.Config{
		BaseURL: e.url, Audience: environments[audienceEnvironment].audience, ClientID: demoClientID,
		ClientSecret: demoClientSecret, APIVersion: defaultAPIVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Token(t.Context(), paymeauth.TokenRequest{Grant: paymeauth.GrantPassword,
		Scopes: []string{"create:token", offlineAccess}, Username: demoUsername, Password: demoPassword})
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("the sandbox issued no refresh token (error: %v)", err)
	}
	return tok.RefreshToken
}

// TestAccRefreshToken_import: import explains itself instead of the
// framework's "contact the provider developer".
func TestAccRefreshToken_import(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config:        e.refreshTokenConfig(`scopes = ["create:token"]`),
			ResourceName:  refreshTokenAddr,
			ImportState:   true,
			ImportStateId: "sha256:0123456789abcdef",
			ExpectError: diagRegexp("Import Not Supported", "A payme_refresh_token cannot be imported",
				"let terraform apply create a new token"),
		}},
	})
}

// TestAccDurations_days: days are a unit wherever a duration is, and the
// limits are stated in the error.
func TestAccDurations_days(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{
				Config: e.refreshTokenConfig(`scopes = ["create:token"]`, `rotate_after = "1d12h"`) + `
ephemeral "payme_access_token" "t" {
  scopes       = ["create:token"]
  min_validity = "0.5d"
}` + echoOf("t"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("rotate_at"),
						knownvalue.StringExact(e.clock.Now().Add(36*time.Hour).Format(time.RFC3339))),
					statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact("client_credentials")),
				},
			},
			{
				Config: e.refreshTokenConfig(`scopes = ["create:token"]`, `rotate_after = "30d"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("rotate_at"),
						knownvalue.StringExact(e.clock.Now().Add(30*24*time.Hour).Format(time.RFC3339))),
				},
			},
		},
	})
}

// TestAccDurations_limits: a duration in days beyond an attribute's limits
// is refused with the limits, in days where they are that long.
func TestAccDurations_limits(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	cases := map[string]struct {
		config string
		want   []string
	}{
		"rotate_after": {e.refreshTokenConfig(`scopes = ["create:token"]`, `rotate_after = "3651d"`),
			[]string{"Duration Out of Range", "rotate_after must be between 1m and 3650d"}},
		"min_validity": {e.providerBlock() + `
ephemeral "payme_access_token" "t" {
  scopes       = ["create:token"]
  min_validity = "2d"
}` + echoOf("t"), []string{"Duration Out of Range", "min_validity must be between 0s and 24h"}},
		"request_timeout": {e.providerBlock(`request_timeout = "1d"`) + refreshTokenMinimal,
			[]string{"Invalid Request Timeout", "must be more than 0s and at most 10m"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: diagRegexp(tc.want...)}},
			})
		})
	}
}

// TestClientConfigEnvironment: which service the provider picks, and that
// an environment or auth_url still unknown at plan is not reported missing.
func TestClientConfigEnvironment(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		model       providerModel
		env         map[string]string
		wantMissing bool
		wantKnown   bool
		wantURL     string
	}{
		"nothing":                        {wantMissing: true, wantKnown: true},
		"environment":                    {model: providerModel{Environment: types.StringValue("development")}, wantKnown: true, wantURL: "https://auth.wip.alignet.io"},
		"auth_url":                       {model: providerModel{AuthURL: types.StringValue("http://127.0.0.1:8700")}, wantKnown: true, wantURL: "http://127.0.0.1:8700"},
		"PAYME_ENVIRONMENT":              {env: map[string]string{"PAYME_ENVIRONMENT": "preproduction"}, wantKnown: true, wantURL: "https://auth.preprod.alignet.io"},
		"PAYME_AUTH_URL":                 {env: map[string]string{"PAYME_AUTH_URL": "http://127.0.0.1:1"}, wantKnown: true, wantURL: "http://127.0.0.1:1"},
		"empty PAYME_AUTH_URL":           {env: map[string]string{"PAYME_AUTH_URL": ""}, wantMissing: true, wantKnown: true},
		"unknown environment":            {model: providerModel{Environment: types.StringUnknown()}},
		"unknown auth_url":               {model: providerModel{AuthURL: types.StringUnknown()}},
		"unknown secret, no environment": {model: providerModel{ClientSecret: types.StringUnknown()}, wantMissing: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{"PAYME_CLIENT_ID": demoClientID, "PAYME_CLIENT_SECRET": demoClientSecret}
			maps.Copy(env, tc.env)
			p := &paymeProvider{now: time.Now, lookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
			var diags diag.Diagnostics
			s, known := p.resolveSettings(t.Context(), tc.model, &diags) // zero values are null
			s.require(known, &diags)
			cfg := p.clientConfig(s)
			missing := false
			for _, d := range diags.Errors() {
				if d.Summary() == "Missing Pay-me Environment" {
					missing = true
				}
			}
			if missing != tc.wantMissing || known != tc.wantKnown {
				t.Fatalf("missing=%v known=%v, want missing=%v known=%v (%v)", missing, known, tc.wantMissing, tc.wantKnown, diags)
			}
			if tc.wantURL != "" && cfg.BaseURL != tc.wantURL {
				t.Errorf("base URL %q, want %q", cfg.BaseURL, tc.wantURL)
			}
		})
	}
}
