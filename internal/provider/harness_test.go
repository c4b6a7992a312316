package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/echoprovider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// Short names for the sandbox's public demo credentials.
const (
	demoClientID     = sandbox.DemoClientID
	demoClientSecret = sandbox.DemoClientSecret
	demoUsername     = sandbox.DemoUsername
	demoPassword     = sandbox.DemoPassword
)

func TestMain(m *testing.M) {
	// An empty CLI configuration, so that the developer's own
	// ~/.terraformrc (or its absence) changes nothing, and no phoning home.
	f, err := os.CreateTemp("", "payme-tfrc-*")
	if err != nil {
		panic(err)
	}
	_ = f.Close()
	os.Setenv("TF_CLI_CONFIG_FILE", f.Name())
	os.Setenv("CHECKPOINT_DISABLE", "1")
	code := m.Run()
	_ = os.Remove(f.Name())
	devoverride.RemoveProvider()
	os.Exit(code)
}

// usingOpenTofu reports whether the acceptance tests drive OpenTofu, for the
// few documented places where it behaves differently from Terraform.
func usingOpenTofu() bool {
	return filepath.Base(os.Getenv("TF_ACC_TERRAFORM_PATH")) == "tofu"
}

// testEnv is one acceptance test's world: a sandbox on loopback, a clock and
// the environment variables the provider sees. Each test has its own, so
// tests run in parallel.
type testEnv struct {
	t       *testing.T
	sandbox *sandbox.Server
	url     string
	clock   *paymetest.Clock
	env     map[string]string
	// httpClient, when set, replaces the provider's HTTP client.
	httpClient *http.Client
	// providerLines are added to every provider block.
	providerLines []string
}

func newTestEnv(t *testing.T, mutate ...func(*sandbox.Config)) *testEnv {
	t.Helper()
	cfg := sandbox.DefaultConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	sb := sandbox.New(cfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return &testEnv{t: t, sandbox: sb, url: srv.URL, clock: paymetest.NewClock(time.Now().UTC().Truncate(time.Second)), env: map[string]string{}}
}

func (e *testEnv) factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"payme": providerserver.NewProtocol6WithError(&paymeProvider{
			version: "test",
			now:     e.clock.Now,
			lookupEnv: func(k string) (string, bool) {
				v, ok := e.env[k]
				return v, ok
			},
			retryWaitMin: 10 * time.Millisecond,
			httpClient:   e.httpClient,
		}),
		"echo": echoprovider.NewProviderServer(),
	}
}

// providerBlock configures the provider for the sandbox; extra lines go
// inside the block.
func (e *testEnv) providerBlock(extra ...string) string {
	return fmt.Sprintf(`
provider "payme" {
  auth_url      = %q
  client_id     = %q
  client_secret = %q
  max_retries   = 2
  %s
}
`, e.url, demoClientID, demoClientSecret, strings.Join(append(e.providerLines, extra...), "\n  "))
}

// tokenRequests counts /token requests the sandbox received with a grant.
func (e *testEnv) tokenRequests(grant string) int {
	n := 0
	for _, j := range e.sandbox.Journal() {
		if j.Endpoint == "/token" && (grant == "" || j.Grant == grant) {
			n++
		}
	}
	return n
}

// roundTripFunc lets a test answer requests addressed to any host.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// routeAllTo answers every request with the handler, whatever its host, and
// records the URLs asked for. It lets tests see where the provider would
// have gone (Pay-me's real hosts) without leaving the machine.
func routeAllTo(h http.Handler, seen *[]string, mu *sync.Mutex) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		*seen = append(*seen, r.URL.String())
		mu.Unlock()
		// Rebuild what a server would see on the wire: canonical header
		// names and the path relative to the auth base URL.
		in := r.Clone(context.WithoutCancel(r.Context()))
		in.Header = http.Header{}
		for k, vs := range r.Header {
			for _, v := range vs {
				in.Header.Add(k, v)
			}
		}
		in.URL.Path = "/" + path.Base(r.URL.Path)
		in.RequestURI = in.URL.Path
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, in)
		return rec.Result(), nil
	})}
}

// configError is a configuration that must fail before any Pay-me call,
// with a diagnostic holding want in order (see diagRegexp).
type configError struct {
	config string
	want   []string
}

// expectConfigErrors runs each case as a parallel subtest and, once all
// have run (a cleanup, since parallel subtests run after the test body),
// checks that none of them reached Pay-me.
func (e *testEnv) expectConfigErrors(t *testing.T, checks []tfversion.TerraformVersionCheck, cases map[string]configError) {
	t.Helper()
	t.Cleanup(func() {
		if n := len(e.sandbox.Journal()); n != 0 {
			t.Errorf("configurations that must fail reached Pay-me %d times", n)
		}
	})
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   checks,
				ProtoV6ProviderFactories: e.factories(),
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: diagRegexp(tc.want...)}},
			})
		})
	}
}
