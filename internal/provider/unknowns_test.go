package provider

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
)

// unknownArg gives one argument a value known only at apply, as any value
// from a resource changed in the same apply is: UNKNOWN stands for
// terraform_data.u.output.v, whose input is first on create and second on
// update, and changes again for the destroy.
type unknownArg struct {
	// provider overrides provider arguments; body is the configuration after
	// the provider block.
	provider      map[string]string
	body          string
	first, second string // HCL expressions; second defaults to first
	// after checks the state after the update.
	after []statecheck.StateCheck
}

const unknownExpr = "terraform_data.u.output.v"

// unknownRefreshToken is a payme_refresh_token "t" with attr (if any) set
// to value and the other arguments it needs.
func unknownRefreshToken(attr, value string) string {
	args := map[string]string{
		"username":    fmt.Sprintf("%q", demoUsername),
		"password_wo": fmt.Sprintf("%q", demoPassword),
		"scopes":      `["create:token"]`,
	}
	if attr != "" {
		args[attr] = value
	}
	return "resource \"payme_refresh_token\" \"t\" {\n" + hclArgs(args) + "}\n"
}

// unknownAccessToken is an ephemeral payme_access_token "t", handed to the
// echo provider, with attr set to value.
func unknownAccessToken(attr, value string, extra map[string]string) string {
	args := map[string]string{"scopes": `["create:token"]`}
	for k, v := range extra {
		args[k] = v
	}
	args[attr] = value
	return "ephemeral \"payme_access_token\" \"t\" {\n" + hclArgs(args) + "}\n" + `
provider "echo" {
  data = ephemeral.payme_access_token.t.grant_type
}
resource "echo" "t" {}
`
}

// plaintextSource is a refresh token kept in plaintext, for the
// refresh-token grant of payme_access_token.
var plaintextSource = strings.Replace(unknownRefreshToken("store_plaintext_refresh_token", "true"),
	`"t"`, `"source"`, 1)

func hclArgs(args map[string]string) string {
	names := make([]string, 0, len(args))
	for n := range args {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "  %s = %s\n", n, args[n])
	}
	return b.String()
}

// providerWith is the sandbox provider block with some arguments replaced
// or added.
func (e *testEnv) providerWith(over map[string]string) string {
	args := map[string]string{
		"auth_url":      fmt.Sprintf("%q", e.url),
		"client_id":     fmt.Sprintf("%q", demoClientID),
		"client_secret": fmt.Sprintf("%q", demoClientSecret),
		"max_retries":   "2",
	}
	for k, v := range over {
		args[k] = v
	}
	return "provider \"payme\" {\n" + hclArgs(args) + "}\n"
}

func (e *testEnv) unknownConfig(c unknownArg, step int, value string) string {
	over := map[string]string{}
	for k, v := range c.provider {
		over[k] = strings.ReplaceAll(v, "UNKNOWN", unknownExpr)
	}
	return e.providerWith(over) + fmt.Sprintf(`
resource "terraform_data" "u" {
  input = { v = %s, step = %d }
}
`, value, step) + strings.ReplaceAll(c.body, "UNKNOWN", unknownExpr)
}

// TestAccUnknownArguments gives each argument of each object, and of the
// provider, a value known only at apply, on create and on update: the
// apply must succeed and the plan after it be empty (the test framework
// checks that after every step). A destroy whose configuration has the
// value unknown again must work too, and leave no token live.
func TestAccUnknownArguments(t *testing.T) {
	t.Parallel()
	sealingKey := fmt.Sprintf("%q", "q3Vb8mZt1LxR7pWc2NyK5sHd9FjA0gUe4TiOvXnM6Yo=")
	previousKey := fmt.Sprintf("%q", "Zr4Tn8Kq2WmX6yBv0PcL9sJd3HfG7aEu1QoRiV5wNkY=")
	tokenPath := tfjsonpath.New("refresh_token")
	rt := func(attr, value string) string { return unknownRefreshToken(attr, value) }
	cases := map[string]unknownArg{
		"payme_refresh_token.username":            {body: rt("username", "UNKNOWN"), first: fmt.Sprintf("%q", demoUsername)},
		"payme_refresh_token.password_wo":         {body: rt("password_wo", "UNKNOWN"), first: fmt.Sprintf("%q", demoPassword)},
		"payme_refresh_token.password_wo_version": {body: rt("password_wo_version", "UNKNOWN"), first: "1", second: "2"},
		"payme_refresh_token.scopes":              {body: rt("scopes", "UNKNOWN"), first: `["create:token"]`, second: `["create:token", "post:charges"]`},
		"payme_refresh_token.scopes element":      {body: rt("scopes", `["create:token", UNKNOWN]`), first: `"post:charges"`},
		"payme_refresh_token.scopes offline_access": {
			body: rt("scopes", `["create:token", UNKNOWN]`), first: `"create:token"`, second: `"offline_access"`,
		},
		"payme_refresh_token.keepers":         {body: rt("keepers", "UNKNOWN"), first: `{ a = "1" }`, second: `{ a = "2" }`},
		"payme_refresh_token.keepers element": {body: rt("keepers", `{ a = UNKNOWN }`), first: `"1"`},
		"payme_refresh_token.rotate_after":    {body: rt("rotate_after", "UNKNOWN"), first: `"30d"`, second: `"60d"`},
		"payme_refresh_token.revoke_on_destroy": {
			body: rt("revoke_on_destroy", "UNKNOWN"), first: "true",
		},
		// The two directions of the plaintext switch, known only at apply.
		"payme_refresh_token.store_plaintext_refresh_token true to false": {
			body: rt("store_plaintext_refresh_token", "UNKNOWN"), first: "true", second: "false",
			after: []statecheck.StateCheck{statecheck.ExpectKnownValue(refreshTokenAddr, tokenPath, knownvalue.Null())},
		},
		"payme_refresh_token.store_plaintext_refresh_token null to true": {
			body: rt("store_plaintext_refresh_token", "UNKNOWN"), first: "null", second: "true",
			after: []statecheck.StateCheck{statecheck.CompareValuePairs(refreshTokenAddr, tfjsonpath.New("id"),
				refreshTokenAddr, tokenPath, paymetest.FingerprintOf)},
		},

		"payme_refresh_token_secret.id": {
			body: rt("", "") + `
ephemeral "payme_refresh_token_secret" "t" {
  id                   = UNKNOWN
  sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
}` + echoOpened,
			first: "payme_refresh_token.t.id",
		},
		"payme_refresh_token_secret.sealed_refresh_token": {
			body: rt("", "") + `
ephemeral "payme_refresh_token_secret" "t" {
  id                   = payme_refresh_token.t.id
  sealed_refresh_token = UNKNOWN
}` + echoOpened,
			first: "payme_refresh_token.t.sealed_refresh_token",
		},

		"payme_access_token.scopes":         {body: unknownAccessToken("scopes", "UNKNOWN", nil), first: `["create:token"]`, second: `["create:token", "post:charges"]`},
		"payme_access_token.scopes element": {body: unknownAccessToken("scopes", `["create:token", UNKNOWN]`, nil), first: `"post:charges"`},
		"payme_access_token.username": {
			body:  unknownAccessToken("username", "UNKNOWN", map[string]string{"password": fmt.Sprintf("%q", demoPassword)}),
			first: fmt.Sprintf("%q", demoUsername),
		},
		"payme_access_token.password": {
			body:  unknownAccessToken("password", "UNKNOWN", map[string]string{"username": fmt.Sprintf("%q", demoUsername)}),
			first: fmt.Sprintf("%q", demoPassword),
		},
		"payme_access_token.refresh_token": {
			body:  plaintextSource + unknownAccessToken("refresh_token", "UNKNOWN", nil),
			first: "payme_refresh_token.source.refresh_token",
		},
		// Unknown beside refresh_token, null once known: no conflict.
		"payme_access_token.password beside refresh_token": {
			body:  plaintextSource + unknownAccessToken("password", "UNKNOWN", map[string]string{"refresh_token": "payme_refresh_token.source.refresh_token"}),
			first: "null",
		},
		"payme_access_token.min_validity": {body: unknownAccessToken("min_validity", "UNKNOWN", nil), first: `"10m"`, second: `"1h"`},
	}
	for attr, value := range map[string]string{
		"environment":           `"development"`,
		"auth_url":              "", // the sandbox's, filled in below
		"audience":              `"https://api.alignet.io"`,
		"client_id":             fmt.Sprintf("%q", demoClientID),
		"client_secret":         fmt.Sprintf("%q", demoClientSecret),
		"api_version":           fmt.Sprintf("%q", defaultAPIVersion),
		"request_timeout":       `"30s"`,
		"max_retries":           "2",
		"sealing_key":           sealingKey,
		"previous_sealing_keys": `[` + previousKey + `]`,
	} {
		cases["provider."+attr] = unknownArg{provider: map[string]string{attr: "UNKNOWN"}, body: rt("", ""), first: value}
	}
	cases["provider.previous_sealing_keys element"] = unknownArg{
		provider: map[string]string{"previous_sealing_keys": "[UNKNOWN]"}, body: rt("", ""), first: previousKey,
	}

	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			if c.first == "" {
				c.first = fmt.Sprintf("%q", e.url)
			}
			if c.second == "" {
				c.second = c.first
			}
			unknownNow := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("terraform_data.u", plancheck.ResourceActionUpdate),
			}}
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				CheckDestroy: func(*terraform.State) error {
					if n := e.sandbox.LiveRefreshTokens(); n != 0 {
						return fmt.Errorf("%d refresh tokens still live after destroy", n)
					}
					return nil
				},
				Steps: []resource.TestStep{
					{Config: e.unknownConfig(c, 1, c.first)},
					{Config: e.unknownConfig(c, 2, c.second), ConfigPlanChecks: unknownNow, ConfigStateChecks: c.after},
					{Config: e.unknownConfig(c, 3, c.second), Destroy: true},
				},
			})
		})
	}
}
