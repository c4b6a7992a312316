package paymeauth

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
)

// TestLoggingMasksSecrets runs real calls of every kind at TRACE and checks
// that bodies are logged, masked, that each attempt is logged with its
// fields, and that no secret reaches the log nor an error.
func TestLoggingMasksSecrets(t *testing.T) {
	t.Parallel()
	var buf paymetest.Buffer // the logger writes from the goroutine of a shared flight
	ctx := tflogtest.RootLogger(context.Background(), &buf)

	var (
		mu       sync.Mutex
		failNext = map[string]int{}
	)
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		user, _ := body["username"].(string)
		mu.Lock()
		fails := failNext[user]
		if fails > 0 {
			failNext[user]--
		}
		mu.Unlock()
		switch {
		case user == "echo":
			// A server echoing every secret it got, in JSON and in text.
			var echoed []string
			for _, k := range []string{"client_secret", "password", "refresh_token"} {
				if v, ok := body[k].(string); ok {
					echoed = append(echoed, v)
				}
			}
			writeJSON(w, 401, tokenFail("rechazado: "+strings.Join(echoed, " ")))
		case fails > 0:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(503)
			_, _ = w.Write([]byte("<h1>busy " + testClientSecret + "</h1>"))
		case r.URL.Path == "/revoke":
			writeJSON(w, 200, map[string]any{"action": "revoke", "success": true, "revoke": envelope("00", "Refresh Token eliminado")})
		default:
			okHandler(3600)(w, r, n, body)
		}
	})
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
	mu.Lock()
	failNext["retry"] = 1
	mu.Unlock()

	var errs []error
	calls := []func() error{
		func() error { _, err := c.Token(ctx, ccReq); return err },
		func() error { _, err := c.Token(ctx, ccReq); return err }, // cache hit
		func() error { _, err := c.Token(ctx, offlineReq); return err },
		func() error { _, err := c.Token(ctx, refreshReq); return err },
		func() error { return c.Revoke(ctx, "commerce@email.com", testRefresh) },
		func() error {
			_, err := c.Token(ctx, TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}, Username: "retry", Password: testPassword})
			return err
		},
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := c.Token(ctx, TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}, Username: "echo", Password: testPassword})
	if err == nil {
		t.Fatal("echo call succeeded")
	}
	errs = append(errs, err)
	_, err = c.Token(ctx, TokenRequest{Grant: GrantRefreshToken, Scopes: []string{"create:token"}, Username: "echo", RefreshToken: testRefresh})
	if err == nil {
		t.Fatal("echo refresh call succeeded")
	}
	errs = append(errs, err)

	out := buf.String()
	assertNoSecret(t, "log", out)
	for _, e := range errs {
		assertNoSecret(t, "error", e.Error())
	}

	entries, err := tflogtest.MultilineJSONDecode(strings.NewReader(out))
	if err != nil {
		t.Fatalf("decode log: %v", err)
	}
	var reqBodies, ansBodies, attempts, retries, hits int
	for _, e := range entries {
		msg, _ := e["@message"].(string)
		level, _ := e["@level"].(string)
		switch msg {
		case "Pay-me request body":
			reqBodies++
			body, _ := e["body"].(string)
			if level != "trace" || !strings.Contains(body, `"client_secret":"***"`) || !strings.Contains(body, `"client_id":"`+testClientID+`"`) {
				t.Errorf("request body entry %v", e)
			}
		case "Pay-me answer body":
			ansBodies++
			body, _ := e["body"].(string)
			if level != "trace" || body == "" {
				t.Errorf("answer body entry %v", e)
			}
			if strings.Contains(body, `"access_token"`) && !strings.Contains(body, `"access_token":"***"`) {
				t.Errorf("unmasked access token field: %s", body)
			}
		case "Pay-me HTTP attempt":
			attempts++
			if level != "debug" {
				t.Errorf("attempt logged at %s", level)
			}
			for _, k := range []string{"method", "url", "attempt", "status", "duration_ms"} {
				if _, ok := e[k]; !ok {
					t.Errorf("attempt entry lacks %q: %v", k, e)
				}
			}
			if e["@module"] != "provider.paymeauth" {
				t.Errorf("@module = %v", e["@module"])
			}
		case "Pay-me call will be retried":
			retries++
		case "Pay-me token served from cache":
			hits++
		}
	}
	// 7 HTTP calls (cc, offline, refresh, revoke, retry, echo, echo) and
	// 8 attempts (the retried call took two).
	if reqBodies != 7 || ansBodies != 8 || attempts != 8 || retries != 1 || hits != 1 {
		t.Errorf("request bodies=%d answer bodies=%d attempts=%d retries=%d cache hits=%d; want 7/8/8/1/1\n%s",
			reqBodies, ansBodies, attempts, retries, hits, out)
	}
	if !strings.Contains(out, `"password":"***"`) && !strings.Contains(out, `\"password\":\"***\"`) {
		t.Error("masked password field not found in the log")
	}
}
