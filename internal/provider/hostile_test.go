package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
	"github.com/payme-community/terraform-provider-payme/internal/hostile"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
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
			// The log levels run side by side: the CLI spends much of its
			// time waiting, and go test runs only GOMAXPROCS subtests at once.
			var wg sync.WaitGroup
			for _, lvl := range hostileLogLevels {
				wg.Go(func() {
					h := newHostileRun(t, c, lvl, tf)
					defer h.scan() // also after a failed step
					h.play()
				})
			}
			wg.Wait()
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
	steps   int
}

// newHostileRun prepares a run; it may be called from a goroutine other
// than the test's, so it reports failures through h.fatalf.
func newHostileRun(t *testing.T, c hostile.Case, lvl hostileLogLevel, tf string) *hostileRun {
	srv := hostile.Start(c)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	h := &hostileRun{t: t, level: lvl.name, c: c, srv: srv, dir: dir, tf: tf, outputs: map[string]string{}}
	local, err := devoverride.Start(t.Context(), dir, devoverride.Options{})
	if err != nil {
		h.fatalf("%v", err)
	}
	// 40 and 25 characters: the lengths the figures were measured with.
	secret, password := hostile.Credential(40), hostile.Credential(25)
	env := slices.DeleteFunc(local.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "TF_LOG") })
	h.env = append(env, lvl.env,
		"PAYME_AUTH_URL="+srv.URL, "PAYME_CLIENT_ID=hostile-client", "PAYME_CLIENT_SECRET="+secret,
		"PAYME_MAX_RETRIES="+strconv.Itoa(c.Retries), "TF_VAR_password="+password)
	h.secrets = []string{secret, password}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(devoverride.Preamble+h.config()), 0o600); err != nil {
		h.fatalf("%v", err)
	}
	return h
}

func (h *hostileRun) errorf(format string, args ...any) {
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
ephemeral "payme_refresh_token_secret" "t" {
  id                   = payme_refresh_token.t.id
  sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
}
ephemeral "payme_access_token" "refresh" {
  scopes        = ["create:token"]
  refresh_token = ephemeral.payme_refresh_token_secret.t.refresh_token
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
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Start()
	if err == nil && h.c.Interrupt && h.steps == 1 {
		// Ctrl-C once the answer's head, token included, has been sent.
		exited := make(chan struct{})
		defer close(exited)
		go func() {
			select {
			case <-h.srv.Stalled():
				_ = cmd.Process.Signal(os.Interrupt)
			case <-exited:
			}
		}()
	}
	if err == nil {
		err = cmd.Wait()
	}
	out := buf.Bytes()
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
	if h.c.Warn != "" && !strings.Contains(allText(out), h.c.Warn) {
		h.errorf("the apply's output lacks %q: %s", h.c.Warn, keyLines(out))
	}
	if h.c.Interrupt && strings.Contains(allText(out), "before Pay-me answered") {
		h.errorf("the interrupted apply claims Pay-me had not answered: %s", keyLines(out))
	}
	switch {
	case h.c.Expect == hostile.CreateFails && applied:
		h.errorf("apply succeeded on an error answer")
	case h.c.Expect != hostile.NoTokenLost && h.c.Expect != hostile.CreateFails && !applied:
		h.fatalf("apply failed: %s", keyLines(out))
	}
	if h.c.MustWithhold && !strings.Contains(errorText(out), "withheld") {
		h.errorf("the answer quotes a secret in parts, and the diagnostic does not say it was withheld: %s", keyLines(out))
	}
	if !applied {
		h.t.Logf("%s: apply failed, as the case allows: %s", h.level, keyLines(out))
		if n := len(h.stateIDs()); n != 0 {
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
	if live := h.srv.Live(); len(live) != len(h.srv.Lost()) {
		h.errorf("%d refresh tokens still live after destroy, %d of them lost on the way", len(live), len(h.srv.Lost()))
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
// byte (a token stored altered cannot be revoked). The state keeps a token
// sealed under its fingerprint (id), so the fingerprints are compared.
func (h *hostileRun) checkNoneLost(when string) {
	held := h.stateIDs()
	issued := h.srv.Issued()
	lost := h.srv.Lost() // minted in answers that never carried them: only Pay-me can revoke those
	for _, tok := range h.srv.Live() {
		if !slices.Contains(held, seal.Fingerprint(tok)) && !slices.Contains(lost, tok) {
			h.errorf("%s: the server still holds token #%d live, and the state does not have it", when, 2+slices.Index(issued, tok))
		}
	}
}

// stateIDs returns the fingerprints (ids) of the state file's tokens.
func (h *hostileRun) stateIDs() []string {
	b, err := os.ReadFile(filepath.Join(h.dir, "terraform.tfstate"))
	if err != nil {
		return nil
	}
	h.outputs[fmt.Sprintf("the state after step %d", h.steps)] = string(b)
	var st struct {
		Resources []struct {
			Instances []struct {
				Attributes struct {
					ID string `json:"id"`
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
			out = append(out, i.Attributes.ID)
		}
	}
	return out
}

// scan looks for every secret and every issued token in everything kept;
// the state keeps a refresh token only sealed, so no exception is made.
func (h *hostileRun) scan() {
	issued := h.srv.Issued()
	all := append(slices.Clone(h.secrets), issued...)
	for where, text := range h.outputs {
		for _, i := range hostile.Leaks(text, all) {
			// Named by index: even a piece is not for the test's output.
			h.errorf("secret #%d (0: client secret, 1: password, then tokens in issue order) appears in %s", i, where)
		}
	}
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

// allText returns the text of a CLI output, the lines the CLI wrapped
// joined again.
func allText(out string) string {
	var words []string
	for line := range strings.SplitSeq(out, "\n") {
		words = append(words, strings.Fields(strings.TrimLeft(line, "│╷╵ "))...)
	}
	return strings.Join(words, " ")
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
