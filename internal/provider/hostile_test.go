package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
	"github.com/payme-community/terraform-provider-payme/internal/hostile"
)

// The hostile suite drives the real CLI against a Pay-me stand-in that
// answers every case of issue 11 (package hostile), at every log level, and
// holds the provider to its two promises: no live refresh token leaves the
// state unless Pay-me proved it dead, and no secret or token, whole or as a
// piece of hostile.PieceLen characters in any escaping, reaches the CLI's
// output, a log, the state (but for the refresh token it holds), a saved
// plan or an output.

type hostileLogLevel struct{ name, env string }

var hostileLogLevels = []hostileLogLevel{
	{"TF_LOG_TRACE", "TF_LOG=TRACE"},
	{"TF_LOG_JSON", "TF_LOG=JSON"},
	{"TF_LOG_PROVIDER_TRACE", "TF_LOG_PROVIDER=TRACE"},
}

func TestCLI_hostile(t *testing.T) {
	t.Parallel()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("set TF_ACC and TF_ACC_TERRAFORM_PATH (make test does) to run the CLI tests")
	}
	for _, c := range hostile.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			plugins := builtProvider(t)
			// The log levels run side by side: the CLI spends much of its
			// time waiting, and go test runs only GOMAXPROCS subtests at once.
			var wg sync.WaitGroup
			var failed atomic.Int32
			for _, lvl := range hostileLogLevels {
				wg.Go(func() {
					h := newHostileRun(t, c, lvl, tf, plugins, &failed)
					defer h.scan() // also after a failed step
					h.play()
				})
			}
			wg.Wait()
			switch {
			case c.Pending != "" && failed.Load() > 0:
				t.Skipf("pending, %d checks failed as expected: %s", failed.Load(), c.Pending)
			case c.Pending != "":
				t.Errorf("the case passes although marked pending (%s): remove the mark", c.Pending)
			}
		})
	}
}

// hostileRun is one case at one log level in its own working directory.
type hostileRun struct {
	t       *testing.T
	level   string
	c       hostile.Case
	srv     *hostile.Server
	dir     string
	tf      string
	env     []string
	secrets []string          // the client secret and the password
	outputs map[string]string // every text to scan, by where it came from
	lastLog string            // the log of the last step
	failed  *atomic.Int32     // failed checks of the case, all levels
	steps   int
}

// newHostileRun prepares a run; it may be called from a goroutine other
// than the test's, so it reports failures through h.fatalf.
func newHostileRun(t *testing.T, c hostile.Case, lvl hostileLogLevel, tf, plugins string, failed *atomic.Int32) *hostileRun {
	srv := hostile.Start(c)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	h := &hostileRun{t: t, level: lvl.name, c: c, srv: srv, dir: dir, tf: tf, outputs: map[string]string{}, failed: failed}
	rc := filepath.Join(dir, ".terraformrc")
	if err := devoverride.WriteCLIConfig(rc, plugins); err != nil {
		h.fatalf("%v", err)
	}
	// 40 and 25 characters: the lengths the figures were measured with.
	secret, password := hostile.Credential(40), hostile.Credential(25)
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TF_LOG") })
	h.env = append(env, lvl.env,
		"TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"PAYME_AUTH_URL="+srv.URL, "PAYME_CLIENT_ID=hostile-client", "PAYME_CLIENT_SECRET="+secret,
		"PAYME_MAX_RETRIES=0", "TF_VAR_password="+password)
	h.secrets = []string{secret, password}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(devoverride.Preamble+h.config()), 0o600); err != nil {
		h.fatalf("%v", err)
	}
	return h
}

// errorf fails the test, or for a case marked pending only logs and counts.
func (h *hostileRun) errorf(format string, args ...any) {
	h.failed.Add(1)
	if h.c.Pending != "" {
		h.t.Logf(h.level+": "+format, args...)
		return
	}
	h.t.Errorf(h.level+": "+format, args...)
}

// fatalf ends this run's goroutine (deferred calls still run).
func (h *hostileRun) fatalf(format string, args ...any) {
	h.errorf(format, args...)
	runtime.Goexit()
}

func (h *hostileRun) config() string {
	hcl := `
resource "payme_refresh_token" "t" {
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token", "post:charges"]
}
output "granted_scopes" {
  value = payme_refresh_token.t.granted_scopes
}
output "id" {
  value = payme_refresh_token.t.id
}
`
	if h.c.UsesToken {
		hcl += `
ephemeral "payme_access_token" "refresh" {
  scopes        = ["create:token"]
  refresh_token = payme_refresh_token.t.refresh_token
}
check "token" {
  assert {
    condition     = ephemeral.payme_access_token.refresh.expires_in > 0
    error_message = "No access token from the refresh token."
  }
}
`
	}
	return hcl
}

// cli runs the CLI, keeps its output and its log for the scan, and reports
// whether it succeeded.
func (h *hostileRun) cli(args ...string) (string, bool) {
	h.steps++
	name := fmt.Sprintf("step %d (%s)", h.steps, strings.Join(args, " "))
	logPath := filepath.Join(h.dir, fmt.Sprintf("step%d.log", h.steps))
	cmd := exec.CommandContext(h.t.Context(), h.tf, append(args, "-no-color")...)
	cmd.Dir = h.dir
	cmd.Env = append(slices.Clone(h.env), "TF_LOG_PATH="+logPath)
	out, err := cmd.CombinedOutput()
	h.outputs[name+" output"] = string(out)
	log, _ := os.ReadFile(logPath)
	h.lastLog = string(log)
	h.outputs[name+" log"] = h.lastLog
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		h.fatalf("%s: %v", name, err)
	}
	return string(out), err == nil
}

// must runs a step that has to succeed.
func (h *hostileRun) must(args ...string) string {
	out, ok := h.cli(args...)
	if !ok {
		h.fatalf("%s failed: %s", args[0], keyLines(out))
	}
	return out
}

// play runs the steps the case needs and checks their outcome.
func (h *hostileRun) play() {
	apply := []string{"apply", "-auto-approve", "-input=false"}
	out, applied := h.cli(apply...)
	if h.srv.Requests("/token") == 0 {
		h.fatalf("no request reached the hostile server: the case proves nothing")
	}
	if !strings.Contains(h.lastLog, "paymeauth") {
		h.errorf("the apply's log has no line from the Pay-me client: its silence would prove nothing")
	}
	h.checkNoneLost("after apply")
	switch {
	case h.c.Expect == hostile.CreateFails && applied:
		h.errorf("apply succeeded on an error answer")
	case h.c.Expect != hostile.NoTokenLost && h.c.Expect != hostile.CreateFails && !applied:
		h.fatalf("apply failed: %s", keyLines(out))
	}
	if !applied {
		h.t.Logf("%s: apply failed, as the case allows: %s", h.level, keyLines(out))
		if n := len(h.stateTokens()); n != 0 {
			h.errorf("apply failed but left %d refresh tokens in the state", n)
		}
		if h.srv.RefreshIssued() > 0 && !strings.Contains(errorText(out), "revoked") {
			h.errorf("apply refused an answer that carried a refresh token, and does not say it revoked it: %s", keyLines(out))
		}
		h.must("show", "-json")
		return
	}
	if h.c.Expect == hostile.DestroyKept {
		h.destroyKept()
		return
	}
	h.must("plan", "-input=false", "-out=saved.tfplan")
	h.must("show", "-json", "saved.tfplan")
	h.must("show", "-json")
	h.must("output", "-json")
	h.must("destroy", "-auto-approve", "-input=false")
	if live := h.srv.Live(); len(live) != 0 {
		h.errorf("%d refresh tokens still live after destroy", len(live))
	}
}

// destroyKept checks a destroy against a revoke answer that leaves doubt.
func (h *hostileRun) destroyKept() {
	h.must("plan", "-destroy", "-input=false", "-out=saved.tfplan")
	h.must("show", "-json", "saved.tfplan")
	out, destroyed := h.cli("destroy", "-auto-approve", "-input=false")
	if h.srv.Requests("/revoke") == 0 {
		h.fatalf("no revoke reached the hostile server: the case proves nothing")
	}
	h.checkNoneLost("after destroy")
	if destroyed {
		h.fatalf("destroy succeeded although the revoke answer does not prove the token dead: %s", keyLines(out))
	}
	if len(h.srv.Live()) == 0 {
		h.errorf("the server revoked the token: the case proves nothing")
	}
	if diag := errorText(out); !strings.Contains(diag, "revoke_on_destroy") && !strings.Contains(diag, "state rm") {
		h.errorf("the failed destroy does not say how to forget the token on purpose (revoke_on_destroy): %s", keyLines(out))
	}
	h.must("show", "-json")
	h.must("output", "-json")
}

// checkNoneLost compares the server's record with the state: every
// refresh token the server still holds live must be in the state, byte for
// byte (a token stored altered cannot be revoked).
func (h *hostileRun) checkNoneLost(when string) {
	held := h.stateTokens()
	issued := h.srv.Issued()
	for _, tok := range h.srv.Live() {
		if !slices.Contains(held, tok) {
			h.errorf("%s: the server still holds token #%d live, and the state does not have it", when, 2+slices.Index(issued, tok))
		}
	}
}

// stateTokens returns the refresh tokens of the state file.
func (h *hostileRun) stateTokens() []string {
	b, err := os.ReadFile(filepath.Join(h.dir, "terraform.tfstate"))
	if err != nil {
		return nil
	}
	h.outputs[fmt.Sprintf("the state after step %d", h.steps)] = string(b)
	var st struct {
		Resources []struct {
			Instances []struct {
				Attributes struct {
					RefreshToken string `json:"refresh_token"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		h.fatalf("state file: %v", err)
	}
	var out []string
	for _, r := range st.Resources {
		for _, i := range r.Instances {
			out = append(out, i.Attributes.RefreshToken)
		}
	}
	return out
}

// scan looks for every secret and every issued token in everything kept.
// The refresh_token attribute is the one place a token may be (the state,
// show -json, a saved plan): its values are set aside first.
func (h *hostileRun) scan() {
	issued := h.srv.Issued()
	all := append(slices.Clone(h.secrets), issued...)
	for where, text := range h.outputs {
		if strings.HasPrefix(text, "{") {
			text = withoutRefreshTokens(text)
		}
		for _, i := range hostile.Leaks(text, all) {
			// Named by index: even a piece is not for the test's output.
			h.errorf("secret #%d (0: client secret, 1: password, then tokens in issue order) appears in %s", i, where)
		}
	}
}

// withoutRefreshTokens returns a JSON document with every "refresh_token"
// member's value replaced.
func withoutRefreshTokens(doc string) string {
	var v any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return doc
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if _, ok := e.(string); ok && k == "refresh_token" {
					t[k] = "(held)"
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	b, err := json.Marshal(v)
	if err != nil {
		return doc
	}
	return string(b)
}

// keyLines returns the diagnostic titles of a CLI output: written by the
// provider or the CLI, never by Pay-me, so safe to print.
func keyLines(out string) string {
	var titles []string
	for line := range strings.SplitSeq(out, "\n") {
		line = strings.TrimLeft(line, "│╷╵ ")
		if strings.HasPrefix(line, "Error: ") || strings.HasPrefix(line, "Warning: ") {
			titles = append(titles, line)
		}
	}
	if len(titles) == 0 {
		return "(no diagnostic)"
	}
	return strings.Join(titles, "; ")
}

// errorText returns the text of the error diagnostics in a CLI output, the
// lines the CLI wrapped joined again.
func errorText(out string) string {
	var words []string
	in := false
	for line := range strings.SplitSeq(out, "\n") {
		line = strings.TrimLeft(line, "│╷╵ ")
		switch {
		case strings.HasPrefix(line, "Error: "):
			in = true
		case strings.HasPrefix(line, "Warning: "):
			in = false
		}
		if in {
			words = append(words, strings.Fields(line)...)
		}
	}
	return strings.Join(words, " ")
}
