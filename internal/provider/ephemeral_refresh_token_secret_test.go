package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// openerConfig opens payme_refresh_token.t as ephemeral.payme_refresh_token_secret.t.
const openerConfig = `
ephemeral "payme_refresh_token_secret" "t" {
  id                   = payme_refresh_token.t.id
  sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
}
`

// echoOpened hands the opened token to the echo provider, whose state the
// checks compare with the resource's fingerprint. Only these tests put a
// plaintext token in a state, on purpose.
const echoOpened = `
provider "echo" {
  data = ephemeral.payme_refresh_token_secret.t
}
resource "echo" "t" {}
`

// TestAccRefreshTokenSecret_opensLocally opens the sealed token and checks
// it is the resource's token, and that opening it cost no Pay-me request.
func TestAccRefreshTokenSecret_opensLocally(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	config := e.refreshTokenConfig(`scopes = ["create:token"]`) + openerConfig + echoOpened
	onlyTheGrant := checkNow(func() error {
		if got := e.requestOrder(0); got != "password:200" {
			return fmt.Errorf("requests %q, want the one password grant: opening must cost no request", got)
		}
		return nil
	})
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					captureToken(refreshTokenAddr, h),
					statecheck.CompareValuePairs(refreshTokenAddr, tfjsonpath.New("id"),
						"echo.t", echoData("refresh_token"), paymetest.FingerprintOf),
					onlyTheGrant,
				},
			},
			{ // plans and refreshes open it again, still without calling Pay-me
				Config:            config,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{onlyTheGrant},
			},
		},
	})
}

// TestAccRefreshTokenSecret_consumerInFirstApply feeds the opened token to
// the refresh grant in the same apply that creates it: the opener waits
// while the sealed value is unknown.
func TestAccRefreshTokenSecret_consumerInFirstApply(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{{
			Config: e.refreshTokenConfig(`scopes = ["create:token"]`) + openerConfig + consumerConfig,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectUnknownValue(refreshTokenAddr, tfjsonpath.New("sealed_refresh_token")),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				captureToken(refreshTokenAddr, h),
				e.noSecretInState(h),
				checkNow(func() error {
					// The plan could not open the token; the apply did, once it existed.
					if got := e.requestOrder(0); !strings.HasPrefix(got, "password:200 refresh_token:200") {
						return fmt.Errorf("requests %q, want the password grant, then the consumer's refresh grant", got)
					}
					return nil
				}),
			},
		}},
	})
}

// TestAccRefreshTokenSecret_badInput: each way a sealed value can fail to
// open has its own diagnostic, and nothing reaches Pay-me.
func TestAccRefreshTokenSecret_badInput(t *testing.T) {
	t.Parallel()
	other, _ := seal.NewKey("another-sealing-key-of-32-characters")
	cases := map[string]struct {
		id, sealed string
		want       []string
	}{
		"altered": {`payme_refresh_token.t.id`,
			`"${substr(local.s, 0, 30)}${substr(local.s, 30, 1) == "A" ? "B" : "A"}${substr(local.s, 31, -1)}"`,
			[]string{"Refresh Token ID and Sealed Value Do Not Match", "If they already are, the state was altered"}},
		"other resource's id": {`"sha256:0000000000000000"`, `payme_refresh_token.t.sealed_refresh_token`,
			[]string{"Refresh Token ID and Sealed Value Do Not Match", "does not open with id sha256:0000000000000000",
				"Pass the id and the sealed_refresh_token of the same resource"}},
		"unknown key": {`payme_refresh_token.t.id`, fmt.Sprintf("%q", other.Seal("x", "y")),
			[]string{"Sealing Key Missing", "sealed under the key " + other.ID()}},
		"unknown prefix": {`payme_refresh_token.t.id`, `replace(payme_refresh_token.t.sealed_refresh_token, "pmseal1.", "pmseal9.")`,
			[]string{"Sealed Refresh Token Unreadable", "start with pmseal1."}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			h := e.tokenCapture()
			base := e.refreshTokenConfig(`scopes = ["create:token"]`)
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				CheckDestroy:             e.checkRefusedAfterDestroy(h),
				Steps: []resource.TestStep{
					{Config: base, ConfigStateChecks: []statecheck.StateCheck{captureToken(refreshTokenAddr, h)}},
					{
						Config: base + fmt.Sprintf(`
locals {
  s = payme_refresh_token.t.sealed_refresh_token
}
ephemeral "payme_refresh_token_secret" "t" {
  id                   = %s
  sealed_refresh_token = %s
}
`, tc.id, tc.sealed) + echoOpened,
						ExpectError: diagRegexp(tc.want...),
					},
				},
			})
			// Then CheckDestroy's own refresh grant, refused.
			if got := e.requestOrder(0); got != "password:200 /revoke:200 refresh_token:400" {
				t.Errorf("requests %q, want only the password grant and the destroy's revocation", got)
			}
		})
	}
}
