package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// The tests in this file hold the provider to its promises under faults
// injected by the sandbox: temporary failures are retried and invisible,
// lasting ones fail cleanly, and neither leaves a live token that the state
// does not hold.

// faultCount counts journal entries hit by an injected fault on an endpoint.
func (e *testEnv) faultCount(endpoint string) int {
	n := 0
	for _, j := range e.sandbox.Journal() {
		if j.Endpoint == endpoint && j.Fault != "" {
			n++
		}
	}
	return n
}

func TestAccFaults_temporaryFailuresAreRetried(t *testing.T) {
	t.Parallel()
	faults := map[string]sandbox.Fault{
		"429 with Retry-After": {Count: 2, Status: 429, RetryAfter: time.Second, Kind: sandbox.FaultStatus},
		"500":                  {Count: 2, Status: 500, Kind: sandbox.FaultStatus},
		"503":                  {Count: 2, Status: 503, Kind: sandbox.FaultStatus},
		"dropped connection":   {Count: 2, Kind: sandbox.FaultDrop},
		"HTML error page":      {Count: 2, Status: 502, Kind: sandbox.FaultNotJSON},
	}
	for name, f := range faults {
		for _, endpoint := range []string{"/token", "/revoke"} {
			t.Run(name+" on "+endpoint, func(t *testing.T) {
				t.Parallel()
				e := newTestEnv(t)
				f := f // each subtest aims its own copy at its endpoint
				f.Endpoint = endpoint
				h := e.tokenCapture()
				resource.UnitTest(t, resource.TestCase{
					TerraformVersionChecks:   needsWriteOnly,
					ProtoV6ProviderFactories: e.factories(),
					CheckDestroy: resource.ComposeAggregateTestCheckFunc(
						e.checkRefusedAfterDestroy(h),
						func(*terraform.State) error {
							if got := e.faultCount(endpoint); got != f.Count {
								return fmt.Errorf("%d requests to %s hit the fault, want %d", got, endpoint, f.Count)
							}
							return nil
						},
					),
					Steps: []resource.TestStep{{
						// max_retries = 2: two failures in a row are absorbed.
						PreConfig:         func() { e.sandbox.InjectFault(f) },
						Config:            e.refreshTokenConfig(`scopes = ["create:token"]`),
						ConfigStateChecks: []statecheck.StateCheck{captureToken(refreshTokenAddr, h)},
					}},
				})
				if endpoint == "/token" && e.tokenRequests("password") != f.Count+1 {
					t.Errorf("%d password grants, want %d (the faults and one success)", e.tokenRequests("password"), f.Count+1)
				}
			})
		}
	}
}

func TestAccFaults_lastingFailuresFailCleanly(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		fault sandbox.Fault
		want  []string
	}{
		"503 beyond the retries": {
			sandbox.Fault{Count: 4, Status: 503, Kind: sandbox.FaultStatus},
			[]string{"Pay-me Unavailable", "Pay-me POST /token (password grant) failed: HTTP 503, Pay-me code \"01\"", "(after 3 attempts)"},
		},
		"429 beyond the retries": {
			sandbox.Fault{Count: 4, Status: 429, Kind: sandbox.FaultStatus},
			[]string{"Pay-me Unavailable", "HTTP 429", "(after 3 attempts)"},
		},
		"dropped connections beyond the retries": {
			sandbox.Fault{Count: 4, Kind: sandbox.FaultDrop},
			[]string{"Pay-me Unreachable", "Pay-me POST /token (password grant) failed", "may have issued a refresh token", "(after 3 attempts)"},
		},
		"too slow beyond the retries": {
			sandbox.Fault{Count: 4, Latency: 3 * time.Second, Kind: sandbox.FaultLatency},
			[]string{"Pay-me Unreachable", "Pay-me POST /token (password grant) failed", "may have issued a refresh token", "(after 3 attempts)"},
		},
		"credentials refused": {
			sandbox.Fault{Count: 1, Status: 401, Kind: sandbox.FaultStatus},
			[]string{"Pay-me Rejected the Credentials", "HTTP 401, Pay-me code \"01\"", "(after 1 attempt)"},
		},
		"bad request": {
			sandbox.Fault{Count: 1, Status: 400, Kind: sandbox.FaultStatus},
			[]string{"Pay-me Rejected the Request", "HTTP 400, Pay-me code \"01\"", "(after 1 attempt)"},
		},
		"success false with code 01": {
			sandbox.Fault{Count: 1, Kind: sandbox.FaultSuccessFalse},
			[]string{"Pay-me POST /token (password grant) failed", "Pay-me code \"01\""},
		},
		"success without an access token": {
			sandbox.Fault{Count: 1, Kind: sandbox.FaultNoToken},
			[]string{"Unexpected Answer from Pay-me", "HTTP 200"},
		},
		"success without a refresh token": {
			sandbox.Fault{Count: 1, Kind: sandbox.FaultNoRefresh},
			[]string{"Unexpected Answer from Pay-me", "HTTP 200"},
		},
		"truncated body": {
			sandbox.Fault{Count: 1, Kind: sandbox.FaultTruncated},
			[]string{"Unexpected Answer from Pay-me", "HTTP 200"},
		},
		"HTML page with status 200": {
			sandbox.Fault{Count: 1, Status: 200, Kind: sandbox.FaultNotJSON},
			[]string{"Unexpected Answer from Pay-me", "HTTP 200"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			e.providerLines = []string{`request_timeout = "1s"`}
			tc.fault.Endpoint = "/token"
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					PreConfig:   func() { e.sandbox.InjectFault(tc.fault) },
					Config:      e.refreshTokenConfig(`scopes = ["create:token"]`),
					ExpectError: diagRegexp(tc.want...),
				}},
			})
			// resource.Test checks that nothing is left in state after an
			// ExpectError step's destroy; the sandbox must agree.
			if n := e.sandbox.LiveRefreshTokens(); n != 0 {
				t.Errorf("%d live refresh tokens after a failed create", n)
			}
		})
	}
}
