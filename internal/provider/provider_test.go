package provider

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// echoAccessToken opens a client-credentials token and copies its non-secret
// results into the echo provider's state, where checks can see them.
const echoAccessToken = `
ephemeral "payme_access_token" "t" {
  scopes = ["create:token"]
}
provider "echo" {
  data = {
    grant_type = ephemeral.payme_access_token.t.grant_type
    token_type = ephemeral.payme_access_token.t.token_type
  }
}
resource "echo" "t" {}
`

func TestAccProvider_endpoints(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		block        string
		env          map[string]string
		wantURL      string
		wantAudience string
	}{
		"production from the environment": {
			block: `provider "payme" {}`,
			env: map[string]string{"PAYME_ENVIRONMENT": "production",
				"PAYME_CLIENT_ID": demoClientID, "PAYME_CLIENT_SECRET": demoClientSecret},
			wantURL:      "https://auth.alignet.io/token",
			wantAudience: "https://api.alignet.io",
		},
		"preproduction preset": {
			block: fmt.Sprintf(`provider "payme" {
  environment   = "preproduction"
  client_id     = %q
  client_secret = %q
}`, demoClientID, demoClientSecret),
			wantURL:      "https://auth.preprod.alignet.io/token",
			wantAudience: "https://api.preprod.alignet.io/",
		},
		"development from the environment": {
			block: `provider "payme" {}`,
			env: map[string]string{"PAYME_ENVIRONMENT": "development",
				"PAYME_CLIENT_ID": demoClientID, "PAYME_CLIENT_SECRET": demoClientSecret},
			wantURL:      "https://auth.wip.alignet.io/token",
			wantAudience: "https://api.dev.alignet.io",
		},
		"configuration beats the environment": {
			block: fmt.Sprintf(`provider "payme" {
  environment = "production"
  client_id   = %q
}`, demoClientID),
			env: map[string]string{"PAYME_ENVIRONMENT": "development",
				"PAYME_CLIENT_ID": "someone-else", "PAYME_CLIENT_SECRET": demoClientSecret},
			wantURL:      "https://auth.alignet.io/token",
			wantAudience: "https://api.alignet.io",
		},
		"overrides from the environment": {
			block: `provider "payme" {}`,
			env: map[string]string{"PAYME_AUTH_URL": "https://payme-proxy.example.internal/auth",
				"PAYME_AUDIENCE":  "https://api.dev.alignet.io",
				"PAYME_CLIENT_ID": demoClientID, "PAYME_CLIENT_SECRET": demoClientSecret},
			wantURL:      "https://payme-proxy.example.internal/auth/token",
			wantAudience: "https://api.dev.alignet.io",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			var mu sync.Mutex
			var seen []string
			e.httpClient = routeAllTo(e.sandbox, &seen, &mu)
			for k, v := range tc.env {
				e.env[k] = v
			}
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_10_0)},
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config: tc.block + echoAccessToken,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("echo.t", tfjsonpath.New("data").AtMapKey("grant_type"), knownvalue.StringExact("client_credentials")),
					},
					Check: func(*terraform.State) error {
						mu.Lock()
						defer mu.Unlock()
						if len(seen) == 0 || seen[0] != tc.wantURL {
							return fmt.Errorf("requests went to %v, want %s", seen, tc.wantURL)
						}
						for _, j := range e.sandbox.Journal() {
							if j.Fields["audience"] != tc.wantAudience {
								return fmt.Errorf("audience sent %q, want %q", j.Fields["audience"], tc.wantAudience)
							}
							if j.Fields["client_id"] != demoClientID {
								return fmt.Errorf("client_id sent %q, want %q", j.Fields["client_id"], demoClientID)
							}
						}
						return nil
					},
				}},
			})
		})
	}
}

func TestAccProvider_invalidConfiguration(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 101)
	cases := map[string]struct {
		block   string
		env     map[string]string
		noCreds bool
		want    []string
	}{
		"unknown environment": {
			block: `environment = "staging"`,
			want:  []string{"Invalid Pay-me Environment", "use production, preproduction or development", "PAYME_ENVIRONMENT environment variable"},
		},
		"unknown environment from env": {
			env:  map[string]string{"PAYME_ENVIRONMENT": "staging"},
			want: []string{"Invalid Pay-me Environment", "PAYME_ENVIRONMENT environment variable is not a Pay-me environment"},
		},
		"http to a remote host": {
			block: `auth_url = "http://auth.alignet.io"`,
			want:  []string{"Invalid Pay-me Auth URL", "host that is not loopback: use https://"},
		},
		"not a URL": {
			block: `auth_url = "auth.alignet.io"`,
			want:  []string{"Invalid Pay-me Auth URL", "is not an absolute URL"},
		},
		"other scheme": {
			block: `auth_url = "ftp://127.0.0.1"`,
			want:  []string{"Invalid Pay-me Auth URL", `uses the scheme "ftp": use https://`},
		},
		"URL with a query": {
			block: `auth_url = "https://auth.alignet.io/?x=1"`,
			want:  []string{"Invalid Pay-me Auth URL", "must not have a query or a fragment"},
		},
		"URL with an empty query": {
			block: `auth_url = "https://auth.alignet.io?"`,
			want:  []string{"Invalid Pay-me Auth URL", "must not have a query or a fragment"},
		},
		"URL ending in /token": {
			block: `auth_url = "https://auth.alignet.io/token"`,
			want:  []string{"Invalid Pay-me Auth URL", "ends in /token, which the provider appends itself", "without it"},
		},
		"URL with credentials": {
			block: `auth_url = "https://user:pw@auth.alignet.io"`,
			want:  []string{"Invalid Pay-me Auth URL", "must not carry credentials"},
		},
		"bad URL from env": {
			env:  map[string]string{"PAYME_AUTH_URL": "http://10.0.0.1"},
			want: []string{"Invalid Pay-me Auth URL", "PAYME_AUTH_URL environment variable uses http://"},
		},
		"empty audience": {
			block: `audience = ""`,
			want:  []string{"Invalid Pay-me Audience", "must be a non-empty identifier"},
		},
		"client_id too long": {
			block: fmt.Sprintf(`client_id = %q`, long),
			want:  []string{"Invalid Pay-me Client ID", "The value of client_id is longer than 100 characters"},
		},
		"client_id with white space": {
			block: `client_id = "demo client"`,
			want:  []string{"Invalid Pay-me Client ID", "contains white space"},
		},
		"client_secret too long from env": {
			env:  map[string]string{"PAYME_CLIENT_SECRET": long},
			want: []string{"Invalid Pay-me Client Secret", "PAYME_CLIENT_SECRET environment variable is longer than 100 characters"},
		},
		"missing credentials": {
			noCreds: true,
			want:    []string{"Missing Pay-me Client ID", "PAYME_CLIENT_ID environment variable"},
		},
		"missing secret": {
			noCreds: true,
			block:   fmt.Sprintf(`client_id = %q`, demoClientID),
			want:    []string{"Missing Pay-me Client Secret", "PAYME_CLIENT_SECRET environment variable"},
		},
		"api_version not digits": {
			block: `api_version = "v2"`,
			want:  []string{"Invalid Pay-me API Version", "must be digits only"},
		},
		"request_timeout not a duration": {
			block: `request_timeout = "soon"`,
			want:  []string{"Invalid Request Timeout", "is not a duration", "PAYME_REQUEST_TIMEOUT"},
		},
		"request_timeout negative": {
			block: `request_timeout = "-5s"`,
			want:  []string{"Invalid Request Timeout", "must be more than 0s and at most 10m"},
		},
		"request_timeout from env": {
			env:  map[string]string{"PAYME_REQUEST_TIMEOUT": "forever"},
			want: []string{"Invalid Request Timeout", "PAYME_REQUEST_TIMEOUT environment variable is not a duration"},
		},
		"max_retries negative": {
			block: `max_retries = -1`,
			want:  []string{"Invalid Maximum Retries", "must be between 0 (no retries) and 10", "PAYME_MAX_RETRIES"},
		},
		"max_retries too high from env": {
			env:  map[string]string{"PAYME_MAX_RETRIES": "11"},
			want: []string{"Invalid Maximum Retries", "PAYME_MAX_RETRIES environment variable must be between 0"},
		},
		"max_retries not a number from env": {
			env:  map[string]string{"PAYME_MAX_RETRIES": "many"},
			want: []string{"Invalid Maximum Retries", "is not a whole number"},
		},
		"max_retries wrong type": {
			block: `max_retries = "four"`,
			want:  []string{"Incorrect attribute value type", "a number is required"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			if !tc.noCreds {
				e.env["PAYME_CLIENT_ID"] = demoClientID
				e.env["PAYME_CLIENT_SECRET"] = demoClientSecret
			}
			for k, v := range tc.env {
				e.env[k] = v
			}
			block := tc.block
			if !strings.Contains(block, "auth_url") && tc.env["PAYME_AUTH_URL"] == "" {
				block = fmt.Sprintf("auth_url = %q\n%s", e.url, block)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      "provider \"payme\" {\n" + block + "\n}\n" + refreshTokenMinimal,
					ExpectError: diagRegexp(tc.want...),
				}},
			})
		})
	}
}

// TestAccProvider_unknownConfiguration proves that credentials only known at
// apply (here from another resource) do not fail the plan.
func TestAccProvider_unknownConfiguration(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "secret" {
  input = %q
}
provider "payme" {
  auth_url      = %q
  client_id     = %q
  client_secret = terraform_data.secret.output
}
`, demoClientSecret, e.url, demoClientID) + refreshTokenMinimal,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("payme_refresh_token.t", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^sha256:[0-9a-f]{16}$`))),
			},
		}},
	})
}

// TestAccProvider_unknownConfigurationEphemeral: with credentials known only
// at apply, Terraform plans the ephemeral token as unknown and opens it for
// real during apply. OpenTofu does not accept unknown ephemeral results, so
// there the plan fails; the docs say so.
func TestAccProvider_unknownConfigurationEphemeral(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	step := resource.TestStep{
		Config: fmt.Sprintf(`
resource "terraform_data" "secret" {
  input = %q
}
provider "payme" {
  auth_url      = %q
  client_id     = %q
  client_secret = terraform_data.secret.output
}
ephemeral "payme_access_token" "t" {
  scopes = ["create:token"]
}
`, demoClientSecret, e.url, demoClientID) + echoOf("t"),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("echo.t", echoData("grant_type"), knownvalue.StringExact("client_credentials")),
		},
	}
	if usingOpenTofu() {
		step.ConfigStateChecks = nil
		step.ExpectError = diagRegexp("produced a value for ephemeral.payme_access_token.t that is not wholly known")
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps:                    []resource.TestStep{step},
	})
}

const refreshTokenMinimal = `
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = "demo-password"
  scopes      = ["create:token"]
}
`

// diagRegexp matches Terraform's rendering of a diagnostic that contains
// each part in order; Terraform wraps long lines, so any white space in a
// part matches any run of white space. The first part (the title, where a
// test names one) must match exactly, letter case included, so that tests
// hold titles to Title Case (TestDiagnosticTitles checks every title the
// code writes); the prose after it matches in any case.
func diagRegexp(parts ...string) *regexp.Regexp {
	quoted := make([]string, len(parts))
	for i, p := range parts {
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(p)), `\s+`)
	}
	re := quoted[0]
	if len(quoted) > 1 {
		re += `[\s\S]*(?i:` + strings.Join(quoted[1:], `[\s\S]*`) + `)`
	}
	return regexp.MustCompile(re)
}
