package paymeauth

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Secrets used by the tests. Each carries a distinctive core that must never
// show up in a log or an error text; the client secret also holds characters
// that JSON escapes, so that escaped echoes are exercised too.
const (
	testClientID     = "yhaPE3jtHXHMKUZBBFr9QS1x1FaXxr"
	testClientSecret = `cs-Kx7Qw9Zr&<x>"secret"`
	testPassword     = "pw-Hn2Vb8Lp-ñandú"
	testRefresh      = "rt-Tq4Mz6Yc-OqLWq5BoSm3ZHbfaY"
	testAccess       = "at-Jw3Rk5Ud.eyJhbGciOiJSUzI1NiJ9.sig"
	testRefreshNew   = "rt-Pf8Nx2Ga-minted"
	testAudience     = "https://api.dev.alignet.io"
	testAPIVersion   = "1709847567"
	testUserAgent    = "paymeauth-test/1.0"
)

// secretCores are substrings of every secret above; none may leak.
var secretCores = []string{"Kx7Qw9Zr", "Hn2Vb8Lp", "Tq4Mz6Yc", "Jw3Rk5Ud", "Pf8Nx2Ga"}

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, core := range secretCores {
		if strings.Contains(s, core) {
			t.Errorf("%s leaks a secret (%q): %s", what, core, s)
		}
	}
}

// seen is one request as the fake server received it.
type seen struct {
	path   string
	header http.Header
	body   map[string]any
	raw    []byte
}

// fake is a scripted Pay-me auth server on loopback.
type fake struct {
	srv  *httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	reqs []seen
}

// handlerFunc answers the n-th request (1-based).
type handlerFunc func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any)

func newFake(t *testing.T, h handlerFunc) *fake {
	t.Helper()
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		n := f.hits.Add(1)
		f.mu.Lock()
		f.reqs = append(f.reqs, seen{path: r.URL.Path, header: r.Header.Clone(), body: body, raw: raw})
		f.mu.Unlock()
		h(w, r, n, body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

func newTestClient(t testing.TB, baseURL string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:      baseURL,
		Audience:     testAudience,
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		APIVersion:   testAPIVersion,
		UserAgent:    testUserAgent,
		Timeout:      5 * time.Second,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func envelope(code string, msgs ...string) map[string]any {
	list := make([]any, 0, len(msgs))
	for _, m := range msgs {
		list = append(list, map[string]any{"locale": "es_PE", "value": m})
	}
	return map[string]any{"meta": map[string]any{"status": map[string]any{"code": code, "message_ilgn": list}}}
}

// tokenOK is the documented successful answer.
func tokenOK(access, refresh, scope string, expiresIn any) map[string]any {
	m := map[string]any{
		"action":        "authorize",
		"success":       true,
		"access_token":  access,
		"scope":         scope,
		"expires_in":    expiresIn,
		"token_type":    "Bearer",
		"authorization": envelope("00", "Access Token creado"),
	}
	if refresh != "" {
		m["refresh_token"] = refresh
	}
	return m
}

func tokenFail(msg string) map[string]any {
	return map[string]any{"action": "authorize", "success": false, "authorization": envelope("01", msg)}
}

// okHandler mints a distinct access token per request, and a refresh token
// when offline_access is asked.
func okHandler(expiresIn any) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, n int64, body map[string]any) {
		scope, _ := body["scope"].(string)
		rt := ""
		if strings.Contains(scope, "offline_access") {
			rt = testRefreshNew + "-" + itoa(n)
		}
		writeJSON(w, http.StatusOK, tokenOK(testAccess+"-"+itoa(n), rt, scope, expiresIn))
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *Error", err, err)
	}
	return e
}

var allKinds = []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrInvalidToken, ErrTemporary, ErrMalformed, ErrEndpoint}

// assertKind checks that err matches want and no other sentinel.
func assertKind(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %v", want)
	}
	for _, k := range allKinds {
		if got, wantIs := errors.Is(err, k), errors.Is(k, want); got != wantIs {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", err, k, got, wantIs)
		}
	}
}

var ccReq = TokenRequest{Grant: GrantClientCredentials, Scopes: []string{"create:token", "post:charges"}}

// clock is an injectable, settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
