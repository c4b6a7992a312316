package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

const refreshTokenAddr = "payme_refresh_token.t"

// refreshTokenConfig renders a payme_refresh_token "t" with the given body
// lines, after the sandbox provider block.
func (e *testEnv) refreshTokenConfig(lines ...string) string {
	return e.providerBlock() + fmt.Sprintf(`
resource "payme_refresh_token" "t" {
  username    = %q
  password_wo = %q
  %s
}
`, demoUsername, demoPassword, strings.Join(lines, "\n  "))
}

// tokenCapture captures refresh tokens by their fingerprint (a state's id),
// taking the plaintext from the sandbox while the token is live, so that
// checks can use or look for tokens the state no longer holds.
func (e *testEnv) tokenCapture() *paymetest.Capture {
	return paymetest.NewCapture(func(id string) (string, error) {
		for _, tok := range e.sandbox.LiveRefreshTokenValues() {
			if seal.Fingerprint(tok) == id {
				return tok, nil
			}
		}
		return "", fmt.Errorf("no live token in the sandbox has the fingerprint %s", id)
	})
}

// captureToken adds the token of the resource at addr to h.
func captureToken(addr string, h *paymetest.Capture) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), h)
}

// noSecretInState checks that the state holds neither the demo password,
// nor the client secret, nor any refresh token the sandbox knows or a
// capture saw.
func (e *testEnv) noSecretInState(captures ...*paymetest.Capture) statecheck.StateCheck {
	return paymetest.NoSecretInState(func() []string {
		secrets := append([]string{demoPassword, demoClientSecret}, e.sandbox.LiveRefreshTokenValues()...)
		for _, c := range captures {
			secrets = append(secrets, c.Values()...)
		}
		return secrets
	})
}

// sealedShape is what sealed_refresh_token looks like.
var sealedShape = knownvalue.StringRegexp(regexp.MustCompile(`^pmseal1\.(?:[0-9a-f]{8}|c[0-9a-f]{12})\.[A-Za-z0-9_-]{60,}$`))

// useRefreshToken runs Pay-me's refresh grant against the sandbox, as a
// consumer of the seeded secret would.
func (e *testEnv) useRefreshToken(token string) error {
	c, err := paymeauth.New(paymeauth.Config{
		BaseURL: e.url, Audience: "https://api.alignet.io", ClientID: demoClientID, ClientSecret: demoClientSecret,
		APIVersion: defaultAPIVersion,
	})
	if err != nil {
		return err
	}
	_, err = c.Token(context.Background(), paymeauth.TokenRequest{
		Grant: paymeauth.GrantRefreshToken, Scopes: []string{"create:token"}, RefreshToken: token,
	})
	return err
}

// checkRefusedAfterDestroy is a CheckDestroy: every token seen must now be
// refused by the refresh grant.
func (e *testEnv) checkRefusedAfterDestroy(h *paymetest.Capture) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for i, tok := range h.Values() {
			err := e.useRefreshToken(tok)
			if err == nil {
				return fmt.Errorf("token %d still works after destroy", i)
			}
			if !errors.Is(err, paymeauth.ErrInvalidToken) {
				return fmt.Errorf("token %d: refresh grant after destroy: %w; want an invalid-token error", i, err)
			}
		}
		if n := e.sandbox.LiveRefreshTokens(); n != 0 {
			return fmt.Errorf("the sandbox still has %d live refresh tokens", n)
		}
		return nil
	}
}

func TestAccRefreshToken_lifecycle(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{{
			Config: e.refreshTokenConfig(`scopes = ["create:token", "post:charges"]`),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(refreshTokenAddr, tfjsonpath.New("sealed_refresh_token")),
					plancheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("refresh_token"), knownvalue.Null()),
					plancheck.ExpectSensitiveValue(refreshTokenAddr, tfjsonpath.New("refresh_token")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^sha256:[0-9a-f]{16}$`))),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("password_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("password_wo_version"), knownvalue.Null()),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("scopes"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("create:token"), knownvalue.StringExact("post:charges"),
				})),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("granted_scopes"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact("create:token"), knownvalue.StringExact("post:charges"), knownvalue.StringExact("offline_access"),
				})),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("issued_at"), knownvalue.StringExact(e.clock.Now().Format(time.RFC3339))),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("issued_at_unix"), knownvalue.Int64Exact(e.clock.Now().Unix())),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("rotate_at"), knownvalue.Null()),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("revoke_on_destroy"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("store_plaintext_refresh_token"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("refresh_token"), knownvalue.Null()),
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("sealed_refresh_token"), sealedShape),
				captureToken(refreshTokenAddr, h),
				e.noSecretInState(h),
				checkNow(func() error {
					// Exactly one password grant with the scopes plus offline_access, sorted.
					var grants []string
					for _, j := range e.sandbox.Journal() {
						if j.Endpoint == "/token" {
							grants = append(grants, j.Grant+" "+j.Fields["scope"]+" "+j.Fields["username"])
						}
					}
					want := "password create:token offline_access post:charges " + demoUsername
					if len(grants) != 1 || grants[0] != want {
						return fmt.Errorf("token requests %q, want one %q", grants, want)
					}
					return e.useRefreshToken(h.Last())
				}),
			},
		}},
	})
	if n := e.sandbox.Requests("/revoke"); n != 1 {
		t.Errorf("destroy sent %d revoke requests, want 1", n)
	}
}

func TestAccRefreshToken_replaceAndUpdate(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	differentID := statecheck.CompareValue(compare.ValuesDiffer())
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{
			{
				Config:            e.refreshTokenConfig(`scopes = ["create:token"]`, `keepers = { deploy = "1" }`),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")), captureToken(refreshTokenAddr, h)},
			},
			{ // writing offline_access changes nothing that needs a new token
				Config: e.refreshTokenConfig(`scopes = ["create:token", "offline_access"]`, `keepers = { deploy = "1" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id"))},
			},
			{ // rotate_after and revoke_on_destroy update in place
				Config: e.refreshTokenConfig(`scopes = ["create:token", "offline_access"]`, `keepers = { deploy = "1" }`,
					`rotate_after = "720h"`, `revoke_on_destroy = true`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					differentID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("rotate_at"),
						knownvalue.StringExact(e.clock.Now().Add(720*time.Hour).Format(time.RFC3339))),
				},
			},
			{ // a new scope means a new token
				Config: e.refreshTokenConfig(`scopes = ["create:token", "post:charges"]`, `keepers = { deploy = "1" }`, `rotate_after = "720h"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")), captureToken(refreshTokenAddr, h)},
			},
			{ // so does a keeper
				Config: e.refreshTokenConfig(`scopes = ["create:token", "post:charges"]`, `keepers = { deploy = "2" }`, `rotate_after = "720h"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")), captureToken(refreshTokenAddr, h)},
			},
			{ // and a new password version
				Config: e.refreshTokenConfig(`scopes = ["create:token", "post:charges"]`, `keepers = { deploy = "2" }`, `rotate_after = "720h"`,
					`password_wo_version = 2`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{differentID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")), captureToken(refreshTokenAddr, h)},
			},
		},
	})
	// Four tokens were minted; every replaced one was revoked at once.
	if got := e.tokenRequests("password"); got != 4 {
		t.Errorf("%d password grants, want 4", got)
	}
	if got := e.sandbox.Requests("/revoke"); got != 4 {
		t.Errorf("%d revocations, want 4", got)
	}
}

// TestAccRefreshToken_rotation rotates a token under create_before_destroy
// while a consumer (the refresh grant of payme_access_token, fed by
// payme_refresh_token_secret) uses it: the consumer gets the new token
// before the old one is revoked.
func TestAccRefreshToken_rotation(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	config := e.refreshTokenConfig(`scopes = ["create:token"]`, `rotate_after = "24h"`,
		`lifecycle {
    create_before_destroy = true
  }`) + openerConfig + consumerConfig
	mark := 0 // journal entries before the rotation
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("rotate_at"),
						knownvalue.StringExact(e.clock.Now().Add(24*time.Hour).Format(time.RFC3339))),
					captureToken(refreshTokenAddr, h),
				},
			},
			{ // not yet due: nothing to do
				PreConfig: func() { e.clock.Advance(23 * time.Hour) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{ // due: a new token, handed to the consumer, then the old one revoked
				PreConfig: func() { e.clock.Advance(time.Hour); mark = len(e.sandbox.Journal()) },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("issued_at"), knownvalue.StringFunc(func(v string) error {
						if v != e.clock.Now().Format(time.RFC3339) {
							return fmt.Errorf("issued_at %s is not the moved clock's %s", v, e.clock.Now().Format(time.RFC3339))
						}
						return nil
					})),
					captureToken(refreshTokenAddr, h),
					checkNow(func() error {
						tokens := h.Values()
						if tokens[0] == tokens[1] {
							return errors.New("rotation kept the same token")
						}
						if got := e.requestOrder(mark); !consumerBeforeRevoke.MatchString(got) {
							return fmt.Errorf("requests in order %q, want the new token, a successful refresh grant, then the old one's revocation", got)
						}
						if e.useRefreshToken(tokens[0]) == nil {
							return errors.New("the old token still works after rotation")
						}
						return e.useRefreshToken(tokens[1])
					}),
				},
			},
		},
	})
}

// consumerBeforeRevoke: the rotation's password grant, then a successful
// refresh grant (the consumer, with the new token), and the revocation last.
var consumerBeforeRevoke = regexp.MustCompile(`^(refresh_token:\d+ )*password:200 (refresh_token:\d+ )*refresh_token:200 (refresh_token:\d+ )*/revoke:200$`)

// consumerConfig uses the opened token for the refresh grant, as a sink
// with a write-only argument would: a resource replaced with the token,
// whose provisioner needs the ephemeral value, so the apply must open it
// (and Terraform orders it before the old token's destroy).
const consumerConfig = `
ephemeral "payme_access_token" "t" {
  scopes        = ["create:token"]
  username      = "merchant@example.com"
  refresh_token = ephemeral.payme_refresh_token_secret.t.refresh_token
}
resource "terraform_data" "consumer" {
  triggers_replace = payme_refresh_token.t.id
  provisioner "local-exec" {
    command     = "test \"$GRANT\" = refresh_token"
    environment = { GRANT = ephemeral.payme_access_token.t.grant_type }
  }
}
`

// requestOrder lists the sandbox's requests as grant (or endpoint) and
// status, from the mark'th on.
func (e *testEnv) requestOrder(mark int) string {
	var order []string
	for _, j := range e.sandbox.Journal()[mark:] {
		what := j.Grant
		if j.Endpoint != "/token" {
			what = j.Endpoint
		}
		order = append(order, fmt.Sprintf("%s:%d", what, j.Status))
	}
	return strings.Join(order, " ")
}

// checkNow runs a check among state checks, in order, after the captures
// listed before it.
type checkNow func() error

func (f checkNow) CheckState(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f()
}

func TestAccRefreshToken_noRevokeOnDestroy(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy: func(*terraform.State) error {
			if n := e.sandbox.Requests("/revoke"); n != 0 {
				return fmt.Errorf("destroy sent %d revocations, want none", n)
			}
			return e.useRefreshToken(h.Last())
		},
		Steps: []resource.TestStep{{
			Config:            e.refreshTokenConfig(`scopes = ["create:token"]`, `revoke_on_destroy = false`),
			ConfigStateChecks: []statecheck.StateCheck{captureToken(refreshTokenAddr, h)},
		}},
	})
}

func TestAccRefreshToken_revokedOutOfBand(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t, func(c *sandbox.Config) { c.RevokeUnknown = sandbox.RevokeUnknownReject })
	h := e.tokenCapture()
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy: func(*terraform.State) error {
			// The revoke was refused as unknown, and destroy still succeeded.
			for _, j := range e.sandbox.Journal() {
				if j.Endpoint == "/revoke" && j.Status == 400 {
					return nil
				}
			}
			return errors.New("no refused revocation in the journal")
		},
		Steps: []resource.TestStep{{
			Config: e.refreshTokenConfig(`scopes = ["create:token"]`),
			ConfigStateChecks: []statecheck.StateCheck{
				captureToken(refreshTokenAddr, h),
				checkNow(func() error {
					if !e.sandbox.RevokeOutOfBand(h.Last()) {
						return errors.New("the token was not live")
					}
					return nil
				}),
			},
		}},
	})
}

func TestAccRefreshToken_failedRevokeKeepsResource(t *testing.T) {
	t.Parallel()
	cases := map[string]sandbox.Fault{
		"bad credentials": {Endpoint: "/revoke", Count: 1, Status: 401, Kind: sandbox.FaultStatus},
		"forbidden":       {Endpoint: "/revoke", Count: 1, Status: 403, Kind: sandbox.FaultStatus},
		// max_retries is 2 in the test provider block: three failures outlast it.
		"unavailable": {Endpoint: "/revoke", Count: 3, Status: 503, Kind: sandbox.FaultStatus},
	}
	for name, fault := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			h := e.tokenCapture()
			withToken := e.refreshTokenConfig(`scopes = ["create:token"]`)
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				CheckDestroy:             e.checkRefusedAfterDestroy(h),
				Steps: []resource.TestStep{
					{Config: withToken, ConfigStateChecks: []statecheck.StateCheck{captureToken(refreshTokenAddr, h)}},
					{
						PreConfig:   func() { e.sandbox.InjectFault(fault) },
						Config:      e.providerBlock(),
						ExpectError: diagRegexp("Could not revoke the Pay-me refresh token sha256:", "it stays in the state", "HTTP"),
					},
					{ // still in state and still live: the next run finishes the job
						Config: withToken,
						ConfigPlanChecks: resource.ConfigPlanChecks{
							PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
						},
						Check: func(*terraform.State) error { return e.useRefreshToken(h.Last()) },
					},
				},
			})
		})
	}
}

func TestAccRefreshToken_invalidConfiguration(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	cases := map[string]struct {
		lines []string
		want  []string
	}{
		"no scopes":        {[]string{`scopes = []`}, []string{"No Scopes", "scopes is empty"}},
		"blank scope":      {[]string{`scopes = [""]`}, []string{"Invalid Scope", "A scope name is empty"}},
		"scope with space": {[]string{`scopes = ["create:token post:charges"]`}, []string{"Invalid Scope", `"create:token post:charges" contains white space`}},
		"bad rotate_after": {[]string{`scopes = ["create:token"]`, `rotate_after = "monthly"`}, []string{"Invalid Duration", `"monthly" is not a duration`, "such as 30d"}},
		// The advice must itself be valid here: not the parser's "30s".
		"rotate_after in months": {[]string{`scopes = ["create:token"]`, `rotate_after = "1mo"`},
			[]string{"Invalid Duration", `"1mo" is not a duration`, "no unit for months", "between 1m and 3650d, such as 30d"}},
		"negative rotate_after": {[]string{`scopes = ["create:token"]`, `rotate_after = "-1h"`},
			[]string{"Duration Out of Range", `"-1h" is out of range: rotate_after must be between 1m and 3650d`}},
	}
	configs := map[string]configError{
		"username too long": {e.providerBlock() + fmt.Sprintf(`
resource "payme_refresh_token" "t" {
  username = %q
  scopes   = ["create:token"]
}`, strings.Repeat("u", 101)), []string{"Invalid Attribute Value Length", "string length must be between 1 and 100"}},
	}
	for name, tc := range cases {
		configs[name] = configError{e.refreshTokenConfig(tc.lines...), tc.want}
	}
	e.expectConfigErrors(t, needsWriteOnly, configs)
}

func TestAccRefreshToken_createFailsCleanly(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		fault sandbox.Fault
		want  []string
	}{
		"no refresh token": {sandbox.Fault{Endpoint: "/token", Count: 1, Kind: sandbox.FaultNoRefresh}, []string{"Unexpected Answer from Pay-me"}},
		"bad password":     {sandbox.Fault{Endpoint: "/token", Count: 1, Status: 401, Kind: sandbox.FaultStatus}, []string{"Pay-me Rejected the Credentials", "HTTP 401"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			e.sandbox.InjectFault(tc.fault)
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.refreshTokenConfig(`scopes = ["create:token"]`),
					ExpectError: diagRegexp(tc.want...),
				}},
			})
			if n := e.sandbox.LiveRefreshTokens(); n != 0 {
				t.Errorf("%d live refresh tokens after a failed create", n)
			}
		})
	}
}

// kidOf is the key identifier the sealing key k writes.
func kidOf(t *testing.T, k string) string {
	t.Helper()
	key, err := seal.NewKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return key.ID()
}

func sealedUnder(kid string) knownvalue.Check {
	return knownvalue.StringRegexp(regexp.MustCompile(`^pmseal1\.` + kid + `\.`))
}

// TestAccRefreshToken_sealingKeyChange moves a token from one sealing key
// to the next (re-sealed on refresh, no Pay-me call), then loses the key:
// destroy fails naming the missing key, the token stays in the state and
// live, and a destroy with the key revokes it.
func TestAccRefreshToken_sealingKeyChange(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	const keyA, keyB, keyC = "sealing-key-A-0123456789abcdefghij", "sealing-key-B-0123456789abcdefghij", "sealing-key-C-0123456789abcdefghij"
	config := e.refreshTokenConfig(`scopes = ["create:token"]`)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	onlyOneGrant := checkNow(func() error {
		if got := e.requestOrder(0); got != "password:200" {
			return fmt.Errorf("requests %q, want only the first password grant", got)
		}
		return nil
	})
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { e.env["PAYME_SEALING_KEY"] = keyA },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("sealed_refresh_token"), sealedUnder(kidOf(t, keyA))),
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					captureToken(refreshTokenAddr, h),
				},
			},
			{ // a new key, the old one kept to open: re-sealed by the refresh alone
				PreConfig: func() { e.env["PAYME_SEALING_KEY"], e.env["PAYME_PREVIOUS_SEALING_KEYS"] = keyB, keyA },
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("sealed_refresh_token"), sealedUnder(kidOf(t, keyB))),
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					onlyOneGrant,
				},
			},
			{ // the old key can go now
				PreConfig: func() { delete(e.env, "PAYME_PREVIOUS_SEALING_KEYS") },
				Config:    config + openerConfig + consumerConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
				},
			},
			{ // key B lost: destroy refuses, naming it, and forgets nothing
				PreConfig:   func() { e.env["PAYME_SEALING_KEY"] = keyC },
				Config:      e.providerBlock(),
				ExpectError: diagRegexp("Sealing Key Missing", "stays in the state", "sealed under the key "+kidOf(t, keyB)),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					checkNow(func() error {
						if !e.sandbox.RefreshTokenLive(h.Last()) {
							return errors.New("the token is no longer live, though no destroy could open it")
						}
						return nil
					}),
				},
			},
			{ // with key B back (as an old key), destroy revokes it
				PreConfig: func() { e.env["PAYME_PREVIOUS_SEALING_KEYS"] = keyB },
				Config:    config,
			},
		},
	})
}

// TestAccRefreshToken_passwordChange: without password_wo_version, a new
// password plans a new token (here, one the sandbox refuses, so the old
// token stays thanks to create_before_destroy); the old password plans
// nothing; with password_wo_version, only the version decides.
func TestAccRefreshToken_passwordChange(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	cbd := `lifecycle {
    create_before_destroy = true
  }`
	withPassword := func(password string, lines ...string) string {
		return e.providerBlock() + fmt.Sprintf(`
resource "payme_refresh_token" "t" {
  username    = %q
  password_wo = %q
  scopes      = ["create:token"]
  %s
}
`, demoUsername, password, strings.Join(append(lines, cbd), "\n  "))
	}
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{
			{
				Config:            withPassword(demoPassword),
				ConfigStateChecks: []statecheck.StateCheck{captureToken(refreshTokenAddr, h), sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id"))},
			},
			{
				Config: withPassword("a-new-password"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ExpectError: diagRegexp("HTTP 401"),
			},
			{
				Config:            withPassword(demoPassword),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id"))},
			},
			{ // adding a version is itself a change of version
				Config: withPassword(demoPassword, `password_wo_version = 1`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				ConfigStateChecks: []statecheck.StateCheck{captureToken(refreshTokenAddr, h)},
			},
			{
				Config:           withPassword("a-new-password", `password_wo_version = 1`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccRefreshToken_plaintextOptIn keeps the token in plaintext only
// while store_plaintext_refresh_token is true, switching in place.
func TestAccRefreshToken_plaintextOptIn(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	h := e.tokenCapture()
	sameID := statecheck.CompareValue(compare.ValuesSame())
	inPlace := resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(refreshTokenAddr, plancheck.ResourceActionUpdate)},
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		CheckDestroy:             e.checkRefusedAfterDestroy(h),
		Steps: []resource.TestStep{
			{
				Config: e.refreshTokenConfig(`scopes = ["create:token"]`, `store_plaintext_refresh_token = true`),
				ConfigStateChecks: []statecheck.StateCheck{
					captureToken(refreshTokenAddr, h),
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					statecheck.CompareValuePairs(refreshTokenAddr, tfjsonpath.New("id"), refreshTokenAddr, tfjsonpath.New("refresh_token"), paymetest.FingerprintOf),
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("sealed_refresh_token"), sealedShape),
				},
			},
			{
				Config:           e.refreshTokenConfig(`scopes = ["create:token"]`),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("refresh_token"), knownvalue.Null()),
					e.noSecretInState(h),
				},
			},
			{
				Config:           e.refreshTokenConfig(`scopes = ["create:token"]`, `store_plaintext_refresh_token = true`),
				ConfigPlanChecks: inPlace,
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(refreshTokenAddr, tfjsonpath.New("id")),
					statecheck.CompareValuePairs(refreshTokenAddr, tfjsonpath.New("id"), refreshTokenAddr, tfjsonpath.New("refresh_token"), paymetest.FingerprintOf),
				},
			},
		},
	})
	if got := e.tokenRequests("password"); got != 1 {
		t.Errorf("%d token requests, want 1: switching the opt-in needs no new token", got)
	}
}
