package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// TestLogRequests: the log shows the method as received and explains a
// status 0.
func TestLogRequests(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		method string
		fault  *sandbox.Fault
		cancel bool
		want   string
	}{
		"GET is logged as GET": {method: http.MethodGet, want: "GET /token -> 405"},
		"POST":                 {method: http.MethodPost, want: "POST /token -> 415"},
		"client gave up": {method: http.MethodPost, cancel: true,
			fault: &sandbox.Fault{Endpoint: "/token", Count: 1, Kind: sandbox.FaultLatency, Latency: time.Hour},
			want:  "POST /token -> 0 (no answer: the client gave up first"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.New(sandbox.DefaultConfig())
			if tc.fault != nil {
				sb.InjectFault(*tc.fault)
			}
			var logs bytes.Buffer
			h := logRequests(sb, log.New(&logs, "", 0))
			ctx, cancel := context.WithCancel(t.Context())
			if tc.cancel {
				cancel()
			}
			defer cancel()
			req := httptest.NewRequestWithContext(ctx, tc.method, "/token", strings.NewReader("{}"))
			h.ServeHTTP(httptest.NewRecorder(), req)
			if !strings.Contains(logs.String(), tc.want) {
				t.Errorf("log line %q lacks %q", logs.String(), tc.want)
			}
		})
	}
}

// TestLogRequestsDropped: a connection the sandbox dropped logs as 0 with
// the reason.
func TestLogRequestsDropped(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := logRequests(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), log.New(&logs, "", 0))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/revoke", nil))
	if want := "POST /revoke -> 0 (no answer: an injected fault dropped the connection)"; !strings.Contains(logs.String(), want) {
		t.Errorf("log line %q lacks %q", logs.String(), want)
	}
}

// TestJournalMethodsAndStatusZero: -journal prints the method each request
// used and what a status 0 means.
func TestJournalMethodsAndStatusZero(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.DefaultConfig())
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sb.InjectFault(sandbox.Fault{Endpoint: "/token", Count: 1, Kind: sandbox.FaultDrop})
	if resp, err := http.Post(srv.URL+"/token", "application/json", strings.NewReader("{}")); err == nil {
		resp.Body.Close()
	}
	var out bytes.Buffer
	if err := printJournal(t.Context(), srv.URL, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GET /token  405", "POST /token  0 (no answer: the injected drop fault closed the connection)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("journal lacks %q:\n%s", want, out.String())
		}
	}
}

// TestMakeSandbox: make sandbox serves from a process whose PID is the one
// it prints, so killing that PID frees the port (go run left it serving).
func TestMakeSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command through make")
	}
	makePath, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeLoopbackAddr(t)
	cmd := exec.Command(makePath, "--no-print-directory", "-C", root, "sandbox", "SANDBOX_LISTEN="+addr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Whatever happens, nothing this test started outlives it.
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })

	pidRE := regexp.MustCompile(`listening on http://\S+ \(PID (\d+);`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var pid int
	timeout := time.After(3 * time.Minute)
	for pid == 0 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("make sandbox ended without a banner")
			}
			if m := pidRE.FindStringSubmatch(l); m != nil {
				pid, _ = strconv.Atoi(m[1])
			}
		case <-timeout:
			t.Fatal("no banner from make sandbox")
		}
	}
	go func() {
		for l := range lines {
			_ = l // drained, so the server never blocks writing its banner
		}
	}()
	if pid == cmd.Process.Pid {
		t.Fatalf("the printed PID %d is make's", pid)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatalf("kill %d: %v", pid, err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break // nothing listens any more
		}
		_ = c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("%s still accepts connections after kill %d", addr, pid)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "bin", "payme-sandbox")); err != nil {
		t.Errorf("make sandbox did not build bin/payme-sandbox: %v", err)
	}
}

// freeLoopbackAddr returns a loopback address with a port free right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
