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
		{"extra"},
		{"-nope"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
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
	req, _ := http.NewRequest(http.MethodPost, base+"/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("ALG-API-VERSION", "1709847567")
	resp, err := http.DefaultClient.Do(req)
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
