package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"127.0.0.2:8080", true},
		{"[::1]:0", true},
		{"localhost:9999", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:0", false},
		{"192.168.1.10:80", false},
		{"example.com:80", false},
		{"127.0.0.1", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			if err := checkLoopback(tc.addr); (err == nil) != tc.ok {
				t.Errorf("checkLoopback(%q) = %v, want ok=%v", tc.addr, err, tc.ok)
			}
		})
	}
}

func TestParseFlagsRejects(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-listen", "0.0.0.0:0"},
		{"-revoke-unknown", "ignore"},
		{"-ttl", "-1s"},
		{"-overlap", "-1h"},
		{"extra"},
		{"-nope"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func tokenRequest(t *testing.T, base, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("ALG-API-VERSION", "1709847567")
	return req
}

func TestRunServesAndStops(t *testing.T) {
	t.Parallel()
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr paymetest.Buffer // run writes from another goroutine
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-url-file", urlFile, "-ttl", "1h", "-revoke-unknown", "reject"}, &stdout, &stderr)
	}()

	var base string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(urlFile); err == nil {
			base = strings.TrimSpace(string(b))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no url file; stderr: %s", stderr.String())
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("url = %q", base)
	}
	out := stdout.String()
	for _, want := range []string{
		"export PAYME_AUTH_URL=" + base, "export PAYME_CLIENT_ID=demo-client",
		"export PAYME_CLIENT_SECRET=demo-secret", "merchant@example.com / demo-password",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}

	body := `{"action":"authorize","grant_type":"password","client_id":"demo-client","client_secret":"demo-secret",` +
		`"audience":"https://api.dev.alignet.io","scope":"create:token offline_access","username":"merchant@example.com","password":"demo-password"}`
	resp, err := http.DefaultClient.Do(tokenRequest(t, base, body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(answer), `"expires_in":3600`) {
		t.Errorf("token: %d %s", resp.StatusCode, answer)
	}

	// -journal reads the running sandbox's journal, secrets masked.
	var journal bytes.Buffer
	if err := run(t.Context(), []string{"-journal", base}, &journal, io.Discard); err != nil {
		t.Fatalf("-journal: %v", err)
	}
	for _, want := range []string{"POST /token  200", "grant_type=password", "password=***", "username=merchant@example.com", "live refresh tokens: 1"} {
		if !strings.Contains(journal.String(), want) {
			t.Errorf("journal lacks %q:\n%s", want, journal.String())
		}
	}
	if strings.Contains(journal.String(), "demo-secret") || strings.Contains(journal.String(), "demo-password") {
		t.Errorf("journal shows a secret:\n%s", journal.String())
	}

	// The back-office flags: list the token, revoke it by fingerprint,
	// rotate the client secret with no overlap.
	var tokens, revoked, rotated bytes.Buffer
	if err := run(t.Context(), []string{"-live-refresh-tokens", base}, &tokens, io.Discard); err != nil {
		t.Fatalf("-live-refresh-tokens: %v", err)
	}
	fp, _, _ := strings.Cut(tokens.String(), " ")
	if !strings.HasPrefix(fp, "sha256:") || !strings.Contains(tokens.String(), "live refresh tokens: 1") {
		t.Fatalf("-live-refresh-tokens printed:\n%s", tokens.String())
	}
	if err := run(t.Context(), []string{"-revoke-refresh-token", base, "-fingerprint", fp}, &revoked, io.Discard); err != nil {
		t.Fatalf("-revoke-refresh-token: %v", err)
	}
	if err := run(t.Context(), []string{"-revoke-refresh-token", base, "-fingerprint", fp}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "404") {
		t.Errorf("revoking it again: %v, want a 404", err)
	}
	if err := run(t.Context(), []string{"-rotate-client-secret", base, "-new-client-secret", "secret-2"}, &rotated, io.Discard); err != nil ||
		!strings.Contains(rotated.String(), "the old one is refused from now on") {
		t.Fatalf("-rotate-client-secret: %v %s", err, rotated.String())
	}
	resp, err = http.DefaultClient.Do(tokenRequest(t, base, body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the old secret still works after -rotate-client-secret: %d", resp.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
	if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
		t.Error("url file left behind")
	}
	logs := stderr.String()
	if !strings.Contains(logs, `POST /token grant="password" -> 200`) {
		t.Errorf("request not logged:\n%s", logs)
	}
	for _, secret := range []string{"demo-secret", "demo-password"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}
