package provider

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// The tests in this file drive the real CLI as a user would (a built
// provider binary found through dev_overrides, real signals, real logs),
// for what the in-process harness cannot show.

// cliEnv is a working directory wired to a sandbox and the built provider.
type cliEnv struct {
	t       *testing.T
	dir     string
	tf      string
	env     []string
	sandbox *sandbox.Server
	seen    *tokenRecorder
}

func newCLIEnv(t *testing.T, mutate ...func(*sandbox.Config)) *cliEnv {
	t.Helper()
	return newCLIEnvWrapped(t, nil, mutate...)
}

// newCLIEnvWrapped is newCLIEnv with wrap, when not nil, between the token
// recorder and the sandbox, to alter the sandbox's answers.
func newCLIEnvWrapped(t *testing.T, wrap func(http.Handler) http.Handler, mutate ...func(*sandbox.Config)) *cliEnv {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("set TF_ACC and TF_ACC_TERRAFORM_PATH (make test does) to run the CLI tests")
	}
	cfg := sandbox.DefaultConfig()
	for _, m := range mutate {
		m(&cfg)
	}
	sb := sandbox.New(cfg)
	rec := &tokenRecorder{started: make(chan struct{}, 1024)}
	// The provider is built once per test binary; TestMain removes it.
	env, err := devoverride.Start(t.Context(), t.TempDir(), devoverride.Options{
		Sandbox: sb,
		Wrap: func(h http.Handler) http.Handler {
			if wrap != nil {
				h = wrap(h)
			}
			rec.next = h
			return rec
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return &cliEnv{t: t, dir: env.Dir, tf: tf, env: env.Environ(), sandbox: sb, seen: rec}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (c *cliEnv) writeConfig(hcl string) {
	writeFile(c.t, filepath.Join(c.dir, "main.tf"), devoverride.Preamble+hcl)
}

// command prepares a CLI command in the working directory.
func (c *cliEnv) command(ctx context.Context, extraEnv []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, c.tf, args...)
	cmd.Dir = c.dir
	cmd.Env = append(append([]string{}, c.env...), extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	return cmd, &out
}

// run runs the CLI and fails the test if it fails.
func (c *cliEnv) run(extraEnv []string, args ...string) string {
	c.t.Helper()
	cmd, out := c.command(c.t.Context(), extraEnv, args...)
	if err := cmd.Run(); err != nil {
		c.t.Fatalf("%s %s: %v\n%s", filepath.Base(c.tf), strings.Join(args, " "), err, out)
	}
	return out.String()
}

// stateResources returns the number of instances of a resource type in the
// state file, read directly as a user's backend would hold it.
func (c *cliEnv) stateFile() string {
	b, err := os.ReadFile(filepath.Join(c.dir, "terraform.tfstate"))
	if err != nil {
		return ""
	}
	return string(b)
}

func (c *cliEnv) stateInstances(typ string) int {
	var st struct {
		Resources []struct {
			Type      string            `json:"type"`
			Instances []json.RawMessage `json:"instances"`
		} `json:"resources"`
	}
	if s := c.stateFile(); s != "" {
		if err := json.Unmarshal([]byte(s), &st); err != nil {
			c.t.Fatalf("state file: %v", err)
		}
	}
	n := 0
	for _, r := range st.Resources {
		if r.Type == typ {
			n += len(r.Instances)
		}
	}
	return n
}

// tokenRecorder sits in front of the sandbox and remembers every token it
// hands out, so tests can look for them where they must never appear.
type tokenRecorder struct {
	next    http.Handler
	started chan struct{} // one value per request, as it arrives

	mu     sync.Mutex
	tokens []string
}

func (r *tokenRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	select {
	case r.started <- struct{}{}:
	default:
	}
	tw := &teeWriter{ResponseWriter: w}
	r.next.ServeHTTP(tw, req)
	var answer struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(tw.body.Bytes(), &answer) == nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, tok := range []string{answer.AccessToken, answer.RefreshToken} {
			if tok != "" {
				r.tokens = append(r.tokens, tok)
			}
		}
	}
}

func (r *tokenRecorder) issued() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string{}, r.tokens...)
}

type teeWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// Hijack keeps the sandbox's dropped-connection fault working behind the tee.
func (w *teeWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// TestCLI_secretsStayOut runs a full apply, plan and destroy with every log
// turned up to TRACE, and looks for every secret where none may be: the
// log, the state (which holds the refresh token only sealed) and the plan.
func TestCLI_secretsStayOut(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	const resource = `
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token", "post:charges"]
}
`
	c.writeConfig(resource + `
ephemeral "payme_access_token" "client" {
  scopes = ["create:token"]
}
ephemeral "payme_access_token" "password" {
  scopes   = ["create:token"]
  username = "merchant@example.com"
  password = var.password
}
ephemeral "payme_refresh_token_secret" "t" {
  id                   = payme_refresh_token.t.id
  sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
}
ephemeral "payme_access_token" "refresh" {
  scopes        = ["create:token"]
  refresh_token = ephemeral.payme_refresh_token_secret.t.refresh_token
}
check "tokens" {
  assert {
    condition = alltrue([
      ephemeral.payme_access_token.client.expires_in > 0,
      ephemeral.payme_access_token.password.expires_in > 0,
      ephemeral.payme_access_token.refresh.expires_in > 0,
    ])
    error_message = "An access token is missing."
  }
}
`)
	logPath := filepath.Join(c.dir, "trace.log")
	trace := []string{"TF_LOG=TRACE", "TF_LOG_PROVIDER=TRACE", "TF_LOG_PATH=" + logPath}
	applyOut := c.run(trace, "apply", "-auto-approve", "-input=false", "-no-color")
	state := c.stateFile()
	// A plan that replaces the token shows the old one's attributes too.
	c.writeConfig(strings.Replace(resource, "post:charges", "get:charges", 1))
	planOut := c.run(trace, "plan", "-input=false", "-no-color")
	if !strings.Contains(planOut, "must be replaced") {
		t.Fatalf("the plan does not replace the token:\n%s", planOut)
	}
	destroyOut := c.run(trace, "destroy", "-auto-approve", "-input=false", "-no-color")

	issued := c.seen.issued()
	grants := map[string]bool{}
	for _, j := range c.sandbox.Journal() {
		grants[j.Grant] = true
	}
	for _, g := range []string{"client_credentials", "password", "refresh_token"} {
		if !grants[g] {
			t.Fatalf("no %s grant reached the sandbox: the test would prove nothing", g)
		}
	}
	if len(issued) < 4 {
		t.Fatalf("only %d tokens issued: the test would prove nothing", len(issued))
	}
	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	log := string(logBytes)
	// The log must have the provider's masked TRACE bodies, or its silence
	// would prove nothing.
	// (Bodies are quoted inside the log line, hence the escaped quotes.)
	for _, want := range []string{`\"client_secret\":\"***\"`, `\"access_token\":\"***\"`, `\"password\":\"***\"`, `\"refresh_token\":\"***\"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the TRACE log lacks %s: are request bodies still logged?", want)
		}
	}

	secrets := append([]string{demoClientSecret, demoPassword}, issued...)
	for i, s := range secrets {
		where := map[string]string{"the TRACE log": log, "apply output": applyOut, "plan output": planOut, "destroy output": destroyOut, "the state": state}
		for name, text := range where {
			if strings.Contains(text, s) {
				// Named by its index: even a prefix is not for the test's output.
				t.Errorf("secret #%d (0: client secret, 1: password, then tokens in issue order) appears in %s", i, name)
			}
		}
	}
	if strings.Contains(state, "password_wo\": \"") && !strings.Contains(state, "\"password_wo\": null") {
		t.Error("password_wo has a value in the state")
	}
}

// TestCLI_interrupt sends SIGINT to terraform apply while Pay-me is slow to
// answer: the CLI must stop promptly, and the state must agree with the
// sandbox on which tokens are live.
func TestCLI_interrupt(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t)
	c.writeConfig(`
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
}
`)
	c.sandbox.InjectFault(sandbox.Fault{Endpoint: "/token", Count: 1, Latency: time.Minute, Kind: sandbox.FaultLatency})
	cmd, out := c.command(context.Background(), nil, "apply", "-auto-approve", "-input=false", "-no-color")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.seen.started:
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("no request reached the sandbox:\n%s", out)
	}
	time.Sleep(200 * time.Millisecond) // let the request settle into its wait
	sent := time.Now()
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("apply succeeded although interrupted:\n%s", out)
		}
		if took := time.Since(sent); took > 15*time.Second {
			t.Errorf("apply took %s to stop after SIGINT", took)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("apply did not stop within 30s of SIGINT:\n%s", out)
	}
	if live, held := c.sandbox.LiveRefreshTokens(), c.stateInstances("payme_refresh_token"); live != held {
		t.Errorf("after the interrupt the sandbox has %d live tokens and the state %d", live, held)
	}
	// The next apply completes, and destroy leaves nothing live.
	c.run(nil, "apply", "-auto-approve", "-input=false", "-no-color")
	c.run(nil, "destroy", "-auto-approve", "-input=false", "-no-color")
	if n := c.sandbox.LiveRefreshTokens(); n != 0 {
		t.Errorf("%d live tokens after destroy", n)
	}
}

// TestCLI_load applies and destroys 200 refresh tokens at -parallelism=20
// while the sandbox fails 5% of requests at random with temporary errors.
func TestCLI_load(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: skipping the 200-resource load test")
	}
	const n = 200
	c := newCLIEnv(t)
	c.writeConfig(fmt.Sprintf(`
resource "payme_refresh_token" "t" {
  count       = %d
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
  keepers     = { index = count.index }
}
`, n))
	c.sandbox.InjectFault(sandbox.Fault{Probability: 0.05, Status: 503, Kind: sandbox.FaultStatus})
	// Seven failures in a row at 5% each would take about 10^9 requests.
	retries := []string{"PAYME_MAX_RETRIES=6"}
	c.run(retries, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=20")
	if got := c.stateInstances("payme_refresh_token"); got != n {
		t.Fatalf("%d tokens in the state, want %d", got, n)
	}
	if got := c.sandbox.LiveRefreshTokens(); got != n {
		t.Fatalf("%d live tokens in the sandbox, want %d", got, n)
	}
	c.run(retries, "destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=20")
	if got := c.sandbox.LiveRefreshTokens(); got != 0 {
		t.Errorf("%d live tokens after destroy, want 0", got)
	}
	if got := c.stateInstances("payme_refresh_token"); got != 0 {
		t.Errorf("%d tokens left in the state", got)
	}
	faults := 0
	for _, j := range c.sandbox.Journal() {
		if j.Fault != "" {
			faults++
		}
	}
	if faults == 0 {
		t.Error("no request was failed: the test proved nothing")
	}
	t.Logf("%d of %d requests failed on purpose", faults, len(c.sandbox.Journal()))
}

// TestCLI_renewWarns keeps an apply running past the access token's RenewAt
// (a minute before expiry): Terraform then calls Renew, which cannot hand
// out a new token and must warn instead.
func TestCLI_renewWarns(t *testing.T) {
	t.Parallel()
	c := newCLIEnv(t, func(cfg *sandbox.Config) { cfg.AccessTokenTTL = 63 * time.Second })
	c.writeConfig(`
ephemeral "payme_access_token" "t" {
  scopes       = ["create:token"]
  min_validity = "0s"
}
resource "terraform_data" "slow" {
  provisioner "local-exec" {
    command     = "sleep 6"
    environment = { EXPIRES_AT = ephemeral.payme_access_token.t.expires_at }
  }
}
`)
	logPath := filepath.Join(c.dir, "warn.log")
	out := c.run([]string{"TF_LOG_PROVIDER=WARN", "TF_LOG_PATH=" + logPath}, "apply", "-auto-approve", "-input=false", "-no-color")
	if !strings.Contains(out, "ephemeral.payme_access_token.t: Renewing...") {
		t.Fatalf("the CLI never renewed the token: the test proves nothing\n%s", out)
	}
	// Terraform 1.11 does not display warnings from Renew; the log has it.
	log, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "Pay-me Access Token About to Expire: The payme_access_token opened for this run expires at ") {
		t.Errorf("the log lacks the renewal warning")
	}
}
