package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// Ephemeral resources came in Terraform 1.10, write-only attributes in 1.11.
var (
	needsEphemeral = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)}
	needsWriteOnly = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}
)

// echoOf hands the results of ephemeral.payme_access_token.<name> to the
// echo provider, whose state the checks read.
func echoOf(name string) string {
	return fmt.Sprintf(`
provider "echo" {
  data = ephemeral.payme_access_token.%[1]s
}
resource "echo" "t" {}
`, name)
}

func echoData(attr string) tfjsonpath.Path { return tfjsonpath.New("data").AtMapKey(attr) }

func TestAccAccessToken_grants(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		args      string
		grant     string
		wantField map[string]string
	}{
		"client credentials": {
			args:      `scopes = ["create:token", "post:charges"]`,
			grant:     "client_credentials",
			wantField: map[string]string{"scope": "create:token post:charges"},
		},
		"password": {
			args: fmt.Sprintf(`scopes = ["create:token"]
  username = %q
  password = %q`, demoUsername, demoPassword),
			grant:     "password",
			wantField: map[string]string{"scope": "create:token", "username": demoUsername, "password": "***"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsEphemeral,
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config: e.providerBlock() + fmt.Sprintf(`
ephemeral "payme_access_token" "t" {
  %s
}`, tc.args) + echoOf("t"),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact(tc.grant)),
						statecheck.ExpectKnownValue("echo.t", echoData("token_type"), knownvalue.StringExact("Bearer")),
						statecheck.ExpectKnownValue("echo.t", echoData("expires_in"), knownvalue.Int64Exact(86400)),
						statecheck.ExpectKnownValue("echo.t", echoData("access_token"), knownvalue.StringRegexp(regexp.MustCompile(`^ey[\w-]+\.[\w-]+\.[\w-]+$`))),
						statecheck.ExpectKnownValue("echo.t", echoData("authorization_header"), knownvalue.StringRegexp(regexp.MustCompile(`^Bearer ey`))),
						statecheck.ExpectKnownValue("echo.t", echoData("expires_at"), knownvalue.StringFunc(func(v string) error {
							at, err := time.Parse(time.RFC3339, v)
							if err != nil {
								return err
							}
							if want := e.clock.Now().Add(24 * time.Hour); !at.Equal(want) {
								return fmt.Errorf("expires_at %s, want %s", at, want)
							}
							return nil
						})),
					},
					Check: func(*terraform.State) error {
						for _, j := range e.sandbox.Journal() {
							if j.Grant != tc.grant {
								return fmt.Errorf("grant %q sent, want %q", j.Grant, tc.grant)
							}
							for k, want := range tc.wantField {
								if j.Fields[k] != want {
									return fmt.Errorf("field %s = %q, want %q", k, j.Fields[k], want)
								}
							}
						}
						if n := e.sandbox.LiveRefreshTokens(); n != 0 {
							return fmt.Errorf("the ephemeral resource left %d refresh tokens behind", n)
						}
						return nil
					},
				}},
			})
		})
	}
}

// TestAccAccessToken_fromRefreshToken feeds a managed refresh token, opened
// by payme_refresh_token_secret, to the ephemeral resource's refresh grant.
func TestAccAccessToken_fromRefreshToken(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{{
			Config: e.refreshTokenConfig(`scopes = ["create:token", "post:charges"]`) + openerConfig + `
ephemeral "payme_access_token" "t" {
  scopes        = ["create:token"]
  refresh_token = ephemeral.payme_refresh_token_secret.t.refresh_token
}` + echoOf("t"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact("refresh_token")),
				captureToken(refreshTokenAddr, h),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				func(*terraform.State) error {
					if e.tokenRequests("refresh_token") == 0 {
						return fmt.Errorf("no refresh grant reached the sandbox")
					}
					return nil
				},
			),
		}},
	})
}

// TestAccAccessToken_sharedAcrossInstances runs the same steps with one and
// with three identical blocks: the three must cost what the one costs,
// whatever number of Terraform commands the test harness runs.
func TestAccAccessToken_sharedAcrossInstances(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, scopes ...string) int {
		e := newTestEnv(t)
		var blocks strings.Builder
		var refs []string
		for i, s := range scopes {
			fmt.Fprintf(&blocks, "ephemeral \"payme_access_token\" \"t%d\" {\n  scopes = [%s]\n}\n", i, s)
			refs = append(refs, fmt.Sprintf("ephemeral.payme_access_token.t%d.expires_at", i))
		}
		// Every block is used, so Terraform opens every one in each command.
		fmt.Fprintf(&blocks, "provider \"echo\" {\n  data = [%s]\n}\nresource \"echo\" \"t\" {}\n", strings.Join(refs, ", "))
		resource.UnitTest(t, resource.TestCase{
			TerraformVersionChecks:   needsEphemeral,
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{{
				Config: e.providerBlock() + blocks.String(),
			}},
		})
		return e.tokenRequests("")
	}
	const base = `"create:token"`
	one := run(t, base)
	if one == 0 {
		t.Fatal("no token request at all")
	}
	if three := run(t, base, base, base); three != one {
		t.Errorf("three identical blocks cost %d token requests, one block %d: want the same", three, one)
	}
	if distinct := run(t, base, base+`, "post:charges"`, base+`, "get:charges"`); distinct != 3*one {
		t.Errorf("three distinct blocks cost %d token requests, want %d", distinct, 3*one)
	}
}

func TestAccAccessToken_tooShortLived(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *sandbox.Config) { c.AccessTokenTTL = 2 * time.Minute })
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.providerBlock() + `
ephemeral "payme_access_token" "t" {
  scopes = ["create:token"]
}` + echoOf("t"),
			ExpectError: diagRegexp("Access Token Too Short-Lived", "valid for 2m0s, less than min_validity (5m0s)"),
		}, {
			Config: e.providerBlock() + `
ephemeral "payme_access_token" "t" {
  scopes       = ["create:token"]
  min_validity = "1m"
}` + echoOf("t"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", echoData("expires_in"), knownvalue.Int64Exact(120)),
			},
		}},
	})
}

func TestAccAccessToken_invalidConfiguration(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	cases := map[string]struct {
		args string
		want []string
	}{
		"no scopes":        {`scopes = []`, []string{"No Scopes", "scopes is empty", `such as scopes = ["create:token", "post:charges"]`}},
		"blank scope":      {`scopes = [""]`, []string{"Invalid Scope", "A scope name is empty"}},
		"scope with space": {`scopes = ["a b"]`, []string{"Invalid Scope", `"a b" contains white space`}},
		"offline_access":   {`scopes = ["create:token", "offline_access"]`, []string{"Offline Access Not Allowed Here", "would stay live", "Remove offline_access", "use a payme_refresh_token resource"}},
		"password and refresh token": {
			`scopes = ["create:token"]
  password      = "x"
  refresh_token = "y"`,
			[]string{"Conflicting Grants", "password and refresh_token are both set", "remove password (username may stay", "remove refresh_token"}},
		"bad min_validity":      {`scopes = ["create:token"]` + "\n" + `min_validity = "5 minutes"`, []string{"Invalid Duration", `"5 minutes" is not a duration`, "between 0s and 24h"}},
		"negative min_validity": {`scopes = ["create:token"]` + "\n" + `min_validity = "-5m"`, []string{"Duration Out of Range", `"-5m" is out of range: min_validity must be between 0s and 24h`}},
		"password too long":     {`scopes = ["create:token"]` + "\n" + fmt.Sprintf(`password = %q`, strings.Repeat("p", 101)), []string{"Invalid Attribute Value Length", "string length must be between 1 and 100"}},
		"scopes wrong type":     {`scopes = "create:token"`, []string{"Incorrect attribute value type", "set of string required"}},
	}
	configs := map[string]configError{}
	for name, tc := range cases {
		configs[name] = configError{e.accessTokenWith(tc.args), tc.want}
	}
	e.expectConfigErrors(t, needsEphemeral, configs)
}

// accessTokenWith is a payme_access_token "t" with lines as its arguments,
// its token echoed.
func (e *testEnv) accessTokenWith(lines ...string) string {
	return e.providerBlock() + `
ephemeral "payme_access_token" "t" {
  ` + strings.Join(lines, "\n  ") + `
}` + echoOf("t")
}

func TestRenewWarning(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`"2026-11-22T03:00:00Z"`: "expires at 2026-11-22T03:00:00Z and cannot be renewed",
		``:                       "expires soon and cannot be renewed",
		`not json`:               "expires soon and cannot be renewed",
	} {
		summary, detail := renewWarning([]byte(in))
		if summary != "Pay-me Access Token About to Expire" || !strings.Contains(detail, want) {
			t.Errorf("renewWarning(%q) = %q, %q; want a detail containing %q", in, summary, detail, want)
		}
	}
}
