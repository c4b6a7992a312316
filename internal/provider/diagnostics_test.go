package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// The tests in this file hold the diagnostics of diagnostics.go to what they
// promise: each names what happened and the way out.

func TestAccDiagnostics_refreshTokenRefused(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			// A token the sandbox never issued is refused as a revoked one is.
			Config: e.providerBlock() + `
ephemeral "payme_access_token" "t" {
  scopes        = ["create:token"]
  refresh_token = "rt-revoked-outside-terraform"
}` + echoOf("t"),
			ExpectError: diagRegexp("Refresh Token Revoked or Expired", "revoked (perhaps outside Terraform) or has expired",
				"Every plan, apply and destroy", "terraform apply -replace=ADDRESS", "payme_refresh_token.main",
				"When a refresh token was revoked outside Terraform"),
		}},
	})
}

// failingClient fails every request as the transport would for err.
func failingClient(err error, seen *[]string, mu *sync.Mutex) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		*seen = append(*seen, r.URL.String())
		mu.Unlock()
		return nil, err
	})}
}

func TestAccDiagnostics_endpointUnusable(t *testing.T) {
	t.Parallel()
	redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/token", http.StatusTemporaryRedirect)
	})
	cases := map[string]struct {
		client   func(seen *[]string, mu *sync.Mutex) *http.Client
		provider func(e *testEnv) string
		want     []string
	}{
		"unresolvable host in auth_url": {
			client: func(seen *[]string, mu *sync.Mutex) *http.Client {
				return failingClient(&net.DNSError{Err: "no such host", Name: "auth.example.invalid", IsNotFound: true}, seen, mu)
			},
			provider: func(e *testEnv) string {
				return strings.Replace(e.providerBlock(), e.url, "https://auth.example.invalid", 1)
			},
			want: []string{"Pay-me Auth URL Unusable", "the host name does not resolve", "(after 1 attempt)",
				"https://auth.example.invalid/token (from auth_url in the provider configuration)"},
		},
		"redirect from PAYME_AUTH_URL": {
			client: func(seen *[]string, mu *sync.Mutex) *http.Client { return routeAllTo(redirect, seen, mu) },
			provider: func(e *testEnv) string {
				e.env["PAYME_AUTH_URL"] = "https://auth.example.test"
				return strings.Replace(e.providerBlock(), fmt.Sprintf("auth_url      = %q", e.url), "", 1)
			},
			want: []string{"Pay-me Auth URL Unusable", "HTTP 307", "redirect refused", "(after 1 attempt)",
				"https://auth.example.test/token (from the PAYME_AUTH_URL environment variable)"},
		},
		"404 under a path in auth_url": {
			client: func(seen *[]string, mu *sync.Mutex) *http.Client { return routeAllTo(http.NotFoundHandler(), seen, mu) },
			provider: func(e *testEnv) string {
				return strings.Replace(e.providerBlock(), e.url, "https://auth.example.test/v2", 1)
			},
			// The URL comes first: it is the likely mistake.
			want: []string{"Pay-me Rejected the Request", "HTTP 404",
				"Nothing answers at https://auth.example.test/v2/token (from auth_url in the provider configuration)",
				"without /token or /revoke", "audience, scopes, username"},
		},
		"refused connection from environment": {
			client: func(seen *[]string, mu *sync.Mutex) *http.Client {
				return failingClient(&net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connection refused")}, seen, mu)
			},
			provider: func(e *testEnv) string {
				return strings.Replace(e.providerBlock(), fmt.Sprintf("auth_url      = %q", e.url), `environment = "development"`, 1)
			},
			// Retried (a restarting server refuses too), then named.
			want: []string{"Pay-me Unreachable", "(after 3 attempts)",
				`https://auth.wip.alignet.io/token (from environment = "development" in the provider configuration)`},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			var (
				seen []string
				mu   sync.Mutex
			)
			e.httpClient = tc.client(&seen, &mu)
			start := time.Now()
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsEphemeral,
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config: tc.provider(e) + `
ephemeral "payme_access_token" "t" {
  scopes = ["create:token"]
}` + echoOf("t"),
					ExpectError: diagRegexp(tc.want...),
				}},
			})
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestAccDiagnostics_revokeInDoubt: an answer that does not say beyond doubt
// that the token is dead fails the destroy, keeps the resource, and says how
// to forget the token on purpose.
func TestAccDiagnostics_revokeInDoubt(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	withToken := e.refreshTokenConfig(`scopes = ["create:token"]`)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{
			{Config: withToken},
			{
				PreConfig: func() {
					e.sandbox.InjectFault(sandbox.Fault{Endpoint: "/revoke", Count: 1, Status: 404, Kind: sandbox.FaultStatus})
				},
				Config: e.providerBlock(),
				ExpectError: diagRegexp("Pay-me Rejected the Request", "HTTP 404", "stays in the state and the destroy fails",
					"revoke_on_destroy = false", "terraform state rm"),
			},
			{Config: withToken}, // still in state: the final destroy revokes it
		},
	})
	if n := e.sandbox.LiveRefreshTokens(); n != 0 {
		t.Errorf("%d live refresh tokens after the final destroy", n)
	}
}

// sloppyPayme answers /token with body and /revoke with success, recording
// how many revokes it got.
func sloppyPayme(body string, revokes *int, mu *sync.Mutex) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/revoke" {
			mu.Lock()
			*revokes++
			mu.Unlock()
			_, _ = w.Write([]byte(`{"action":"revoke","success":true,"revoke":{"meta":{"status":{"code":"00"}}}}`))
			return
		}
		_, _ = w.Write([]byte(body))
	})
}

// TestAccDiagnostics_sloppySuccessKeepsToken: an answer with an unusable
// expires_in, "yes" for success, repeated scopes, a byte-order mark and
// trailing bytes still puts its refresh token into the state, and destroy
// revokes it.
func TestAccDiagnostics_sloppySuccessKeepsToken(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var (
		seen    []string
		mu      sync.Mutex
		revokes int
	)
	e.httpClient = routeAllTo(sloppyPayme("\xEF\xBB\xBF"+`{"success":"yes","access_token":"at-1","refresh_token":"rt-sloppy-1",`+
		`"expires_in":"soon","scope":"create:token create:token offline_access"}<!-- served by cache-7 -->`, &revokes, &mu), &seen, &mu)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsWriteOnly,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.refreshTokenConfig(`scopes = ["create:token"]`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(refreshTokenAddr, tfjsonpath.New("granted_scopes"), knownvalue.SetExact(
					[]knownvalue.Check{knownvalue.StringExact("create:token"), knownvalue.StringExact("offline_access")})),
			},
		}},
	})
	mu.Lock()
	defer mu.Unlock()
	if revokes != 1 {
		t.Errorf("%d revokes after destroy, want 1", revokes)
	}
}

// TestAccDiagnostics_unusableLifetime: an access token whose expires_in is
// unusable counts as expiring when issued, so payme_access_token refuses it
// under the default min_validity rather than invent a lifetime.
func TestAccDiagnostics_unusableLifetime(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var (
		seen    []string
		mu      sync.Mutex
		revokes int
	)
	e.httpClient = routeAllTo(sloppyPayme(`{"success":true,"access_token":"at-1","expires_in":"soon"}`, &revokes, &mu), &seen, &mu)
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   needsEphemeral,
		ProtoV6ProviderFactories: e.factories(),
		Steps: []resource.TestStep{{
			Config: e.providerBlock() + `
ephemeral "payme_access_token" "t" {
  scopes = ["create:token"]
}` + echoOf("t"),
			ExpectError: diagRegexp("Access Token Too Short-Lived", "valid for 0s"),
		}},
	})
	// An access token is refused, not retried, and there is nothing to revoke.
	mu.Lock()
	defer mu.Unlock()
	if revokes != 0 {
		t.Errorf("%d revokes, want none: the answer carried no refresh token", revokes)
	}
	if len(seen) != 1 || !strings.HasSuffix(seen[0], "/token") {
		t.Errorf("requests to %q, want one to /token", seen)
	}
}

// TestAccDiagnostics_tokenLengthPolicy: one length policy for both objects.
// A refresh token longer than paymeauth.MaxTokenLength is revoked, not
// stored, and payme_access_token refuses one as an argument.
func TestAccDiagnostics_tokenLengthPolicy(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("r", paymeauth.MaxTokenLength+1)
	t.Run("issued", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t)
		var (
			seen    []string
			mu      sync.Mutex
			revokes int
		)
		e.httpClient = routeAllTo(sloppyPayme(`{"success":true,"access_token":"at-1","refresh_token":"`+long+`","expires_in":60}`, &revokes, &mu), &seen, &mu)
		resource.UnitTest(t, resource.TestCase{
			TerraformVersionChecks:   needsWriteOnly,
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{{
				Config: e.refreshTokenConfig(`scopes = ["create:token"]`),
				ExpectError: diagRegexp("Unexpected Answer from Pay-me", fmt.Sprintf("longer than %d characters", paymeauth.MaxTokenLength),
					"1 refresh token the answer carried was revoked", "so none was left live"),
			}},
		})
		mu.Lock()
		defer mu.Unlock()
		if revokes != 1 {
			t.Errorf("%d revokes, want 1", revokes)
		}
	})
	t.Run("argument", func(t *testing.T) {
		t.Parallel()
		e := newTestEnv(t)
		resource.UnitTest(t, resource.TestCase{
			TerraformVersionChecks:   needsEphemeral,
			ProtoV6ProviderFactories: e.factories(),
			Steps: []resource.TestStep{{
				Config: e.providerBlock() + fmt.Sprintf(`
ephemeral "payme_access_token" "t" {
  scopes        = ["create:token"]
  refresh_token = %q
}`, long) + echoOf("t"),
				ExpectError: diagRegexp("refresh_token", fmt.Sprintf("string length must be between 1 and %d", paymeauth.MaxTokenLength)),
			}},
		})
	})
}

// TestMintedDiagnostics: what a call did about refresh tokens it did not
// keep reaches the user, as a warning on success and in the error on
// failure; a failure that may have minted unseen never advises retrying
// more, and an interrupt after the request reached Pay-me does not claim
// that Pay-me had not answered.
func TestMintedDiagnostics(t *testing.T) {
	t.Parallel()
	fail := func(kind error, status int, m paymeauth.Minted) error {
		return &paymeauth.Error{Op: "token", Endpoint: "/token", HTTPStatus: status, Minted: m, Err: fmt.Errorf("detail: %w", kind)}
	}
	tests := []struct {
		name     string
		err      error            // nil: a success with warn
		warn     paymeauth.Minted // for a success
		want     []string
		wantNot  []string
		wantDiag int
	}{
		{"success, nothing else", nil, paymeauth.Minted{}, nil, nil, 0},
		{"success, duplicates revoked", nil, paymeauth.Minted{Revoked: 2},
			[]string{"Pay-me May Have Issued Other Refresh Tokens", "carried 2 refresh tokens besides the one kept", "revoked them, so none was left live"}, nil, 1},
		{"success, one left live", nil, paymeauth.Minted{Live: 1},
			[]string{"carried 1 refresh token besides the one kept", "revoking it failed", "it may stay live until it expires", "Ask Pay-me"}, nil, 1},
		{"success after a 5xx", nil, paymeauth.Minted{Unseen: 1},
			[]string{"Before the attempt that succeeded, 1 attempt failed after the request reached Pay-me", "never arrived", "Ask Pay-me to revoke"}, []string{"max_retries"}, 1},
		{"failure after 5xx", fail(paymeauth.ErrTemporary, 502, paymeauth.Minted{Unseen: 3}), paymeauth.Minted{},
			[]string{"Pay-me Unavailable", "may hold a refresh token the provider could not revoke", "Ask Pay-me to revoke"}, []string{"max_retries"}, 1},
		{"failure, no answer after sending", fail(paymeauth.ErrTemporary, 0, paymeauth.Minted{Unseen: 1}), paymeauth.Minted{},
			[]string{"Pay-me Unreachable", "Ask Pay-me to revoke"}, []string{"max_retries"}, 1},
		{"refused, tokens revoked", fail(paymeauth.ErrMalformed, 200, paymeauth.Minted{Revoked: 1}), paymeauth.Minted{},
			[]string{"Unexpected Answer from Pay-me", "revoked every refresh token the answers carried, so none was left live"}, nil, 1},
		{"interrupted after bytes arrived", fail(context.Canceled, 200, paymeauth.Minted{Revoked: 1}), paymeauth.Minted{},
			[]string{"Pay-me Request Interrupted", "after the request reached Pay-me"}, []string{"before Pay-me answered"}, 1},
		{"interrupted before sending", fail(context.Canceled, 0, paymeauth.Minted{}), paymeauth.Minted{},
			[]string{"before Pay-me answered"}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var diags diag.Diagnostics
			if tt.err != nil {
				(*providerData)(nil).addPaymeError(&diags, "create a Pay-me refresh token", tt.err)
			} else {
				addMintedWarning(&diags, tt.warn)
			}
			if len(diags) != tt.wantDiag {
				t.Fatalf("%d diagnostics, want %d", len(diags), tt.wantDiag)
			}
			var text string
			for _, d := range diags {
				text += d.Summary() + ": " + d.Detail()
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q lacks %q", text, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(text, w) {
					t.Errorf("%q has %q", text, w)
				}
			}
		})
	}
}
