package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
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
	cases := map[string]struct {
		args string
		want []string
	}{
		"username without password_wo": {`username = "merchant@example.com"`,
			[]string{"Incomplete Password Grant", "username is set but password_wo is not", "Add password_wo"}},
		"password_wo without username": {`password_wo = "demo-password"`,
			[]string{"Incomplete Password Grant", "password_wo is set but username is not", "Add username"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config: e.providerBlock() + fmt.Sprintf(`
resource "payme_refresh_token" "t" {
  %s
  scopes = ["create:token"]
}`, tc.args),
					PlanOnly:    true,
					ExpectError: diagRegexp(tc.want...),
				}},
			})
		})
	}
	if n := len(e.sandbox.Journal()); n != 0 {
		t.Errorf("half a password grant reached Pay-me %d times", n)
	}
}

// TestAccAccessToken_passwordPair: the same on payme_access_token, where a
// lone username is fine with refresh_token (the refresh grant sends it).
func TestAccAccessToken_passwordPair(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	cases := map[string]struct {
		args string
		want []string
	}{
		"username without password": {`username = "merchant@example.com"`,
			[]string{"Incomplete Password Grant", "username is set but password is not", "Add password"}},
		"password without username": {`password = "demo-password"`,
			[]string{"Incomplete Password Grant", "password is set but username is not", "Add username"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsEphemeral,
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config: e.providerBlock() + fmt.Sprintf(`
ephemeral "payme_access_token" "t" {
  %s
  scopes = ["create:token"]
}`, tc.args) + echoOf("t"),
					ExpectError: diagRegexp(tc.want...),
				}},
			})
		})
	}
	if n := len(e.sandbox.Journal()); n != 0 {
		t.Errorf("half a password grant reached Pay-me %d times", n)
	}
}

// TestAccAccessToken_usernameWithRefreshToken: username beside
// refresh_token is the documented refresh grant, not half a password grant.
func TestAccAccessToken_usernameWithRefreshToken(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.refreshTokenConfig(`scopes = ["create:token"]`) + fmt.Sprintf(`
ephemeral "payme_access_token" "t" {
  scopes        = ["create:token"]
  username      = %q
  refresh_token = payme_refresh_token.t.refresh_token
}`, demoUsername) + echoOf("t"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact("refresh_token")),
			},
		}},
	})
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
  scopes        = ["create:token"]
  min_validity  = "0.5d"
  refresh_token = payme_refresh_token.t.refresh_token
}` + echoOf("t"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("rotate_at"),
						knownvalue.StringExact(e.clock.Now().Add(36*time.Hour).Format(time.RFC3339))),
					statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact("refresh_token")),
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
			[]string{"Invalid request timeout", "must be more than 0s and at most 10m"}},
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

// TestAccRefreshToken_revokedFeedingAccessToken: a refresh token revoked
// outside Terraform blocks every plan of the access token it feeds, and
// replacing the resource (as -replace does; the test harness taints) gets
// out, as the resource page says.
func TestAccRefreshToken_revokedFeedingAccessToken(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var h tokenHolder
	config := e.refreshTokenConfig(`scopes = ["create:token"]`) + `
ephemeral "payme_access_token" "t" {
  scopes        = ["create:token"]
  refresh_token = payme_refresh_token.t.refresh_token
}` + echoOf("t")
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(&h),
		Steps: []resource.TestStep{
			{Config: config, Check: h.capture(refreshTokenAddr)},
			{
				PreConfig: func() {
					if !e.sandbox.RevokeOutOfBand(h.last()) {
						t.Error("the token was not live")
					}
				},
				Config:      config,
				ExpectError: regexp.MustCompile(`(?i)refresh[\s_]token`),
			},
			{
				Config: config,
				Taint:  []string{refreshTokenAddr},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact("refresh_token")),
				},
				Check: h.capture(refreshTokenAddr),
			},
		},
	})
}
