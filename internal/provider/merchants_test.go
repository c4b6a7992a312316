package provider

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// guideMerchants is the sandbox guide's configuration of three merchants,
// each with its own user, which the many-merchants guide uses too.
func guideMerchants(t *testing.T) sandbox.Config {
	t.Helper()
	cfg, err := sandbox.LoadConfig("../../examples/guides/sandbox_merchants.json")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newMerchantsEnv is a test world whose sandbox knows the guide's merchants
// (and the demo client, for the default credentials).
func newMerchantsEnv(t *testing.T) (*testEnv, sandbox.Config) {
	t.Helper()
	guide := guideMerchants(t)
	e := newTestEnv(t, func(c *sandbox.Config) {
		c.Clients = append(c.Clients, guide.Clients...)
		c.Users = append(c.Users, guide.Users...)
	})
	return e, guide
}

// merchantsHCL writes the guide's merchants as a provider's merchants
// argument, keyed by the first word of each client id (bodega, libreria,
// cafe), leaving out the names in drop.
func merchantsHCL(guide sandbox.Config, drop ...string) string {
	var b strings.Builder
	b.WriteString("merchants = {\n")
	for _, c := range guide.Clients {
		name, _, _ := strings.Cut(c.ID, "-")
		if !slices.Contains(drop, name) {
			fmt.Fprintf(&b, "    %s = { client_id = %q, client_secret = %q }\n", name, c.ID, c.Secret)
		}
	}
	b.WriteString("  }")
	return b.String()
}

// providerOnlyMerchants configures the provider with merchants and no
// default credentials.
func (e *testEnv) providerOnlyMerchants(merchants string) string {
	return fmt.Sprintf("provider \"payme\" {\n  auth_url    = %q\n  max_retries = 2\n  %s\n}\n", e.url, merchants)
}

// tokenRequestsBy counts /token requests per client_id.
func (e *testEnv) tokenRequestsBy() map[string]int {
	out := map[string]int{}
	for _, j := range e.sandbox.Journal() {
		if j.Endpoint == "/token" {
			out[j.Fields["client_id"]]++
		}
	}
	return out
}

// TestAccMerchants_accessTokensPerMerchant: identical blocks of one merchant
// share one token; another merchant's identical block never does.
func TestAccMerchants_accessTokensPerMerchant(t *testing.T) {
	t.Parallel()
	e, guide := newMerchantsEnv(t)
	config := e.providerOnlyMerchants(merchantsHCL(guide)) + `
ephemeral "payme_access_token" "bodega1" {
  merchant = "bodega"
  scopes   = ["create:token"]
}
ephemeral "payme_access_token" "bodega2" {
  merchant = "bodega"
  scopes   = ["create:token"]
}
ephemeral "payme_access_token" "cafe" {
  merchant = "cafe"
  scopes   = ["create:token"]
}
provider "echo" {
  data = {
    same_merchant   = ephemeral.payme_access_token.bodega1.access_token == ephemeral.payme_access_token.bodega2.access_token
    other_merchant  = ephemeral.payme_access_token.bodega1.access_token == ephemeral.payme_access_token.cafe.access_token
  }
}
resource "echo" "t" {}
`
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("echo.t", tfjsonpath.New("data"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"same_merchant":  knownvalue.Bool(true),
					"other_merchant": knownvalue.Bool(false),
				})),
			},
		}},
	})
	by := e.tokenRequestsBy()
	if by["bodega-lima"] == 0 || by["bodega-lima"] != by["cafe-arequipa"] || len(by) != 2 {
		t.Errorf("token requests per client %v: want the same number for bodega-lima (two identical blocks) and cafe-arequipa (one), and no other client", by)
	}
}

// TestAccMerchants_invalid: every mistake about merchants fails at plan,
// before any Pay-me call, naming the attribute and the valid names.
func TestAccMerchants_invalid(t *testing.T) {
	t.Parallel()
	e, guide := newMerchantsEnv(t)
	all := merchantsHCL(guide)
	token := func(merchant string) string {
		return fmt.Sprintf(`
resource "payme_refresh_token" "t" {
  merchant    = %q
  username    = "caja@bodega-lima.example"
  password_wo = "bodega-lima-password"
  scopes      = ["create:token"]
}
`, merchant)
	}
	e.expectConfigErrors(t, needsWriteOnly, map[string]configError{
		"unknown merchant": {e.providerOnlyMerchants(all) + token("tienda"),
			[]string{"Invalid Pay-me Merchant", `merchant = "tienda" names no merchant`, `"bodega", "cafe", "libreria"`}},
		"merchant without merchants": {e.providerBlock() + token("bodega"),
			[]string{"Invalid Pay-me Merchant", `merchant = "bodega" names a merchant, but the provider configures none`, `add "bodega" to the provider's merchants`}},
		"merchant without secret": {e.providerOnlyMerchants(`merchants = {
    bodega = { client_id = "bodega-lima" }
    cafe   = { client_id = "cafe-arequipa", client_secret = "cafe-arequipa-secret" }
  }`) + token("bodega"),
			[]string{"Invalid Pay-me Merchant", `"bodega" without both client_id and client_secret`, `the others are "cafe"`}},
		"merchant client_id with a space": {e.providerOnlyMerchants(`merchants = {
    bodega = { client_id = "bodega lima", client_secret = "bodega-lima-secret" }
  }`) + token("bodega"),
			[]string{"Invalid Pay-me Client ID", `The value of merchants["bodega"].client_id contains white space`, "PAYME_MERCHANTS"}},
		"no merchant and no default credentials": {e.providerOnlyMerchants(all) + strings.Replace(token("x"), `merchant    = "x"`, "", 1),
			[]string{"Invalid Pay-me Merchant", "merchant is not set, and the provider has no default client_id", `"bodega", "cafe", "libreria"`}},
		"access token of an unknown merchant": {e.providerOnlyMerchants(all) + `
ephemeral "payme_access_token" "t" {
  merchant = "tienda"
  scopes   = ["create:token"]
}` + echoOf("t"),
			[]string{"Invalid Pay-me Merchant", `merchant = "tienda" names no merchant`, `"bodega", "cafe", "libreria"`}},
		"access token without merchant or default": {e.providerOnlyMerchants(all) + `
ephemeral "payme_access_token" "t" {
  scopes = ["create:token"]
}` + echoOf("t"),
			[]string{"Invalid Pay-me Merchant", "merchant is not set, and the provider has no default client_id", `"bodega", "cafe", "libreria"`}},
	})
}

// TestAccMerchants_environment: PAYME_MERCHANTS holds the same map as JSON;
// a malformed or incomplete one fails at plan without quoting it.
func TestAccMerchants_environment(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		value string
		want  []string
	}{
		"not JSON":   {`{bodega: 1}`, []string{"Invalid Pay-me Merchants", "PAYME_MERCHANTS environment variable is not a JSON object of merchants"}},
		"incomplete": {`{"bodega": {"client_id": "bodega-lima"}}`, []string{"Invalid Pay-me Merchants", `merchant "bodega" without both client_id and client_secret`}},
		"unknown key": {`{"bodega": {"client_id": "bodega-lima", "client_secret": "s", "scope": "x"}}`,
			[]string{"Invalid Pay-me Merchants", "not a JSON object of merchants"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e, _ := newMerchantsEnv(t)
			e.env["PAYME_MERCHANTS"] = tc.value
			e.expectConfigErrors(t, needsWriteOnly, map[string]configError{"plan": {e.providerBlock() + `
resource "payme_refresh_token" "t" {
  merchant    = "bodega"
  username    = "caja@bodega-lima.example"
  password_wo = "bodega-lima-password"
  scopes      = ["create:token"]
}
`, tc.want}})
		})
	}
	e, guide := newMerchantsEnv(t)
	m := map[string]map[string]string{}
	for _, c := range guide.Clients {
		name, _, _ := strings.Cut(c.ID, "-")
		m[name] = map[string]string{"client_id": c.ID, "client_secret": c.Secret}
	}
	var b strings.Builder
	b.WriteString("{")
	for i, name := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:{%q:%q,%q:%q}", name, "client_id", m[name]["client_id"], "client_secret", m[name]["client_secret"])
	}
	b.WriteString("}")
	e.env["PAYME_MERCHANTS"] = b.String()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.providerBlock() + `
ephemeral "payme_access_token" "t" {
  merchant = "libreria"
  scopes   = ["create:token"]
}` + echoOf("t"),
		}},
	})
	if by := e.tokenRequestsBy(); by["libreria-cusco"] == 0 || len(by) != 1 {
		t.Errorf("token requests per client %v: want libreria-cusco's only", by)
	}
}

// TestAccMerchants_refreshTokens: tokens per merchant, a merchant from an
// unknown value, a changed merchant replaces, and removing a merchant whose
// token remains fails the plan, the destroy plan included.
func TestAccMerchants_refreshTokens(t *testing.T) {
	t.Parallel()
	e, guide := newMerchantsEnv(t)
	token := func(name, merchant, user, password string) string {
		return fmt.Sprintf(`
resource "payme_refresh_token" %q {
  merchant    = %s
  username    = %q
  password_wo = %q
  scopes      = ["create:token"]
}
`, name, merchant, user, password)
	}
	bodega := token("bodega", `terraform_data.m.output`, "caja@bodega-lima.example", "bodega-lima-password")
	cafe := token("cafe", `"cafe"`, "admin@cafe-arequipa.example", "cafe-arequipa-password")
	unknownMerchant := `
resource "terraform_data" "m" {
  input = "bodega"
}
`
	all := e.providerOnlyMerchants(merchantsHCL(guide))
	withoutCafe := e.providerOnlyMerchants(merchantsHCL(guide, "cafe"))
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: all + unknownMerchant + bodega + cafe,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("payme_refresh_token.bodega", tfjsonpath.New("merchant"), knownvalue.StringExact("bodega")),
				statecheck.ExpectKnownValue("payme_refresh_token.cafe", tfjsonpath.New("merchant"), knownvalue.StringExact("cafe")),
			},
		}, {
			Config:      withoutCafe + unknownMerchant + bodega + cafe,
			ExpectError: diagRegexp("Pay-me Merchant Removed", `issued for the merchant "cafe"`, `its merchants: "bodega", "libreria"`, "Put the merchant back"),
		}, {
			// The destroy plan of the token, with its merchant gone.
			Config:      withoutCafe + unknownMerchant + bodega,
			ExpectError: diagRegexp("Pay-me Merchant Removed", `issued for the merchant "cafe"`),
		}, {
			Config: all + unknownMerchant + bodega,
		}},
	})
	revokes := map[string]int{}
	for _, j := range e.sandbox.Journal() {
		if j.Endpoint == "/revoke" && j.Status == 200 {
			revokes[j.Fields["client_id"]]++
		}
	}
	if revokes["cafe-arequipa"] != 1 || revokes["bodega-lima"] != 1 || len(revokes) != 2 {
		t.Errorf("revocations per client %v: want one by cafe-arequipa and one by bodega-lima", revokes)
	}
	if live := e.sandbox.LiveRefreshTokens(); live != 0 {
		t.Errorf("%d refresh tokens live after destroy", live)
	}
}

// TestAccMerchants_unknownCredentials: a merchant whose secret comes from a
// resource created in the same apply plans, applies and destroys.
func TestAccMerchants_unknownCredentials(t *testing.T) {
	t.Parallel()
	e, guide := newMerchantsEnv(t)
	i := slices.IndexFunc(guide.Clients, func(c sandbox.Client) bool { return c.ID == "cafe-arequipa" })
	config := fmt.Sprintf(`
resource "terraform_data" "secret" {
  input = %q
}
provider "payme" {
  auth_url  = %q
  merchants = {
    cafe = { client_id = "cafe-arequipa", client_secret = terraform_data.secret.output }
  }
}
resource "payme_refresh_token" "t" {
  merchant    = "cafe"
  username    = "admin@cafe-arequipa.example"
  password_wo = "cafe-arequipa-password"
  scopes      = ["create:token"]
}
`, guide.Clients[i].Secret, e.url)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("payme_refresh_token.t", tfjsonpath.New("merchant"), knownvalue.StringExact("cafe")),
			},
		}},
	})
	if by := e.tokenRequestsBy(); by["cafe-arequipa"] != 1 || len(by) != 1 {
		t.Errorf("token requests per client %v, want one by cafe-arequipa", by)
	}
	if live := e.sandbox.LiveRefreshTokens(); live != 0 {
		t.Errorf("%d refresh tokens live after destroy", live)
	}
}
