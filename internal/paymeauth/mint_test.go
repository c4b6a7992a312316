package paymeauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCarriedTokens: the scanner finds every refresh token, whatever the
// answer looks like, as the bytes that arrived.
func TestCarriedTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []string // raw JSON strings
	}{
		{"none", `{"success":true,"access_token":"at"}`, nil},
		{"one", `{"refresh_token":"A"}`, []string{`"A"`}},
		{"duplicates", `{"refresh_token":"A","x":1,"refresh_token":"B"}`, []string{`"A"`, `"B"`}},
		{"repeated value once", `{"refresh_token":"A","refresh_token":"A"}`, []string{`"A"`}},
		{"envelope", `{"status":200,"data":{"access_token":"at","refresh_token":"A"}}`, []string{`"A"`}},
		{"NaN before", `{"expires_in":NaN,"refresh_token":"A"}`, []string{`"A"`}},
		{"raw newline before", "{\"m\":\"a\nb\",\"refresh_token\":\"A\"}", []string{`"A"`}},
		{"stray quote before", `{"m":"say "hi"","refresh_token":"A"}`, []string{`"A"`}},
		{"white space around the colon", "{\"refresh_token\" \n:\t \"A\"}", []string{`"A"`}},
		{"escaped key", `{"refresh\u005ftoken":"A"}`, []string{`"A"`}},
		{"JSON in a string", `{"debug":"{\"refresh_token\":\"A\"}"}`, []string{`"A"`}},
		{"JSON in a string in a string", `{"d":"{\"e\":\"{\\\"refresh_token\\\":\\\"A\\\"}\"}"}`, []string{`"A"`}},
		{"truncated after the token", `{"refresh_token":"A","tok`, []string{`"A"`}},
		{"truncated inside the token", `{"refresh_token":"AB`, nil},
		{"cut just after the quote", `{"refresh_token":"`, nil},
		{"BOM", "\xEF\xBB\xBF{\"refresh_token\":\"A\"}", []string{`"A"`}},
		{"UTF-16LE with BOM", utf16le("\uFEFF{\"refresh_token\":\"A\"}"), []string{`"A"`}},
		{"UTF-16BE, a stray byte first", "\x00" + utf16be(`{"refresh_token":"A"}`), []string{`"A"`}},
		{"escaped value kept as sent", `{"refresh_token":"A\/B\u00e9"}`, []string{`"A\/B\u00e9"`}},
		{"invalid UTF-8 kept", "{\"refresh_token\":\"A\xff\"}", []string{"\"A\xff\""}},
		{"empty and non-string values", `{"refresh_token":"","refresh_token":null,"refresh_token":12}`, nil},
		{"a key only in a message", `{"error_description":"refresh_token is required"}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range carriedTokens([]byte(tt.body)) {
				got = append(got, string(r))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
}

func utf16le(s string) string { return string(encodeText(s, encUTF16LEBOM)) }
func utf16be(s string) string { return string(encodeText(s, encUTF16BE)) }

// TestRetryWarning: a retry after a failure that may have reached Pay-me
// is never silent; one after a failure that cannot have minted says nothing.
func TestRetryWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		first      func(w http.ResponseWriter)
		wantUnseen int
	}{
		{"502", func(w http.ResponseWriter) { w.WriteHeader(502) }, 1},
		{"503 with a message", func(w http.ResponseWriter) { writeJSON(w, 503, tokenFail("Servicio no disponible")) }, 1},
		{"timeout after the request was sent", func(http.ResponseWriter) { time.Sleep(300 * time.Millisecond) }, 1},
		{"429", func(w http.ResponseWriter) { w.WriteHeader(429) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
				if n == 1 {
					tt.first(w)
					return
				}
				okHandler(3600)(w, r, n, body)
			})
			c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries, cfg.Timeout = 2, 150*time.Millisecond })
			tok, err := c.Token(context.Background(), offlineReq)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if tok.Minted != (Minted{Unseen: tt.wantUnseen}) {
				t.Errorf("Minted = %+v, want Unseen %d", tok.Minted, tt.wantUnseen)
			}
		})
	}
	t.Run("connection refused is not counted", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		c := newTestClient(t, "http://"+addr, func(cfg *Config) { cfg.MaxRetries = 1 })
		_, err = c.Token(context.Background(), offlineReq)
		if e := asError(t, err); e.Minted != (Minted{}) || strings.Contains(err.Error(), "may have issued") {
			t.Errorf("Minted = %+v, error %q", e.Minted, err)
		}
	})
	t.Run("the final failure says so too", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, raw(500, "", ""))
		c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
		_, err := c.Token(context.Background(), offlineReq)
		if e := asError(t, err); e.Minted.Unseen != 3 || !strings.Contains(err.Error(), "3 attempts failed after the request reached Pay-me") {
			t.Errorf("Minted = %+v, error %q", e.Minted, err)
		}
	})
}

// TestNoRetryAfterA2xxBegan: an offline_access grant whose 2xx answer
// breaks off is not retried (a retry would mint another token), and what
// arrived is revoked.
func TestNoRetryAfterA2xxBegan(t *testing.T) {
	t.Parallel()
	body := `{"success":true,"access_token":"at","refresh_token":"` + testRefreshNew + `","expires_in":60,"scope":"`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64, _ map[string]any) {
		if r.URL.Path == "/revoke" {
			writeJSON(w, 200, map[string]any{"action": "revoke", "success": true})
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+100))
		_, _ = w.Write([]byte(body)) // and the connection closes short
	})
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = 4 })
	_, err := c.Token(context.Background(), offlineReq)
	assertKind(t, err, ErrMalformed)
	if paths := f.requests(); len(paths) != 2 || paths[0].path != "/token" || paths[1].path != "/revoke" {
		t.Errorf("%d requests, want the grant once and one revoke", len(paths))
	}
	if e := asError(t, err); e.Minted != (Minted{Revoked: 1, Unseen: 1}) {
		t.Errorf("Minted = %+v", e.Minted)
	}
}

// TestInterruptKeepsWhatArrived: Ctrl-C after the token arrived, while the
// tail stalls: the token is revoked (with a detached context), and the
// error does not claim that nothing arrived.
func TestInterruptKeepsWhatArrived(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var revoked []string
	head := `{"success":true,"access_token":"at","refresh_token":"` + testRefreshNew + `",`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64, m map[string]any) {
		if r.URL.Path == "/revoke" {
			mu.Lock()
			revoked = append(revoked, fmt.Sprint(m["refresh_token"]))
			mu.Unlock()
			writeJSON(w, 200, map[string]any{"action": "revoke", "success": true})
			return
		}
		w.Header().Set("Content-Length", "4096")
		w.Header().Set("X-Cancel-After", strconv.Itoa(len(head)))
		_, _ = w.Write([]byte(head))
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	tr := &http.Transport{}
	c := newTestClient(t, f.srv.URL, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Transport: &cancelAfter{base: tr, cancel: cancel}}
	})
	_, err := c.Token(ctx, offlineReq)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	e := asError(t, err)
	if e.HTTPStatus != 200 || e.Minted.Revoked != 1 || !strings.Contains(err.Error(), "while the answer was arriving") {
		t.Errorf("HTTPStatus %d, Minted %+v, error %q", e.HTTPStatus, e.Minted, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(revoked, []string{testRefreshNew}) {
		t.Errorf("revoked %d tokens, want the one that arrived", len(revoked))
	}
}

// TestNoTransparentDecompression: the default client asks for no encoding
// and reads the bytes that arrived, so a Content-Encoding that lies loses
// no token (issue 18, case 4).
func TestNoTransparentDecompression(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, _ map[string]any) {
		if _, ok := r.Header["Accept-Encoding"]; ok {
			w.WriteHeader(400)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		writeJSON(w, 200, tokenOK(testAccess, testRefreshNew, "create:token offline_access", 60))
	})
	c, err := New(Config{BaseURL: f.srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, MaxRetries: 4,
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Token(context.Background(), offlineReq)
	if err != nil || tok.RefreshToken != testRefreshNew {
		t.Fatalf("Token: %v", err)
	}
	if n := f.hits.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// TestTLSFailuresByType: TLS failures are recognised by their type, not by
// words in a message a server may have shaped.
func TestTLSFailuresByType(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return &url.Error{Op: "Post", URL: "https://x", Err: err} }
	for name, tt := range map[string]struct {
		err  error
		want bool
	}{
		"unknown authority":         {wrap(x509.UnknownAuthorityError{}), true},
		"host name":                 {wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}), true},
		"expired":                   {wrap(x509.CertificateInvalidError{Reason: x509.Expired}), true},
		"verification":              {wrap(&tls.CertificateVerificationError{Err: errors.New("x")}), true},
		"plain HTTP answer":         {wrap(http.ErrSchemeMismatch), true},
		"not TLS":                   {wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), true},
		"alert":                     {wrap(tls.AlertError(42)), true},
		"words only":                {wrap(errors.New("tls: x509: certificate signed by unknown authority")), false},
		"server gave HTTP response": {wrap(errors.New("server gave HTTP response to HTTPS client")), false},
		"reset":                     {wrap(&net.OpError{Op: "read", Err: errors.New("connection reset by peer")}), false},
	} {
		if got := isTLSFailure(tt.err); got != tt.want {
			t.Errorf("%s: isTLSFailure = %v, want %v", name, got, tt.want)
		}
	}
}

// TestRevokeDuringRefreshGrant: a refresh grant in flight when its refresh
// token is revoked stores nothing, so the cache cannot hand out a token
// minted from a revoked one. The grant is held at the server until the
// revocation is done: no timing is involved.
func TestRevokeDuringRefreshGrant(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		if r.URL.Path == "/revoke" {
			writeJSON(w, 200, map[string]any{"action": "revoke", "success": true})
			return
		}
		if n == 1 {
			close(arrived)
			<-release
		}
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, nil)
	done := make(chan error)
	go func() {
		_, err := c.Token(context.Background(), refreshReq)
		done <- err
	}()
	<-arrived
	if err := c.Revoke(context.Background(), "commerce@email.com", testRefresh); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Token: %v", err)
	}
	tok, err := c.Token(context.Background(), refreshReq)
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.FromCache {
		t.Error("a token minted from a revoked refresh token was served from the cache")
	}
	// Without a revocation in between, the cache works as before.
	if tok, err := c.Token(context.Background(), refreshReq); err != nil || !tok.FromCache {
		t.Errorf("FromCache %v, err %v", tok.FromCache, err)
	}
}

// TestUnaskedRefreshTokenRevoked: a refresh token in the answer to a grant
// that keeps none (client credentials, a password grant without
// offline_access) is revoked rather than dropped, and not returned.
func TestUnaskedRefreshTokenRevoked(t *testing.T) {
	t.Parallel()
	for name, req := range map[string]TokenRequest{"client credentials": ccReq, "password": passReq} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var revoked []string
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64, m map[string]any) {
				if r.URL.Path == "/revoke" {
					mu.Lock()
					revoked = append(revoked, fmt.Sprint(m["refresh_token"]))
					mu.Unlock()
					writeJSON(w, 200, map[string]any{"action": "revoke", "success": true})
					return
				}
				writeJSON(w, 200, tokenOK(testAccess, testRefreshNew, "create:token", 3600))
			})
			tok, err := newTestClient(t, f.srv.URL, nil).Token(context.Background(), req)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if tok.RefreshToken != "" || tok.Minted != (Minted{Revoked: 1}) || !slices.Equal(revoked, []string{testRefreshNew}) {
				t.Errorf("RefreshToken kept %v, Minted %+v, %d revoked", tok.RefreshToken != "", tok.Minted, len(revoked))
			}
		})
	}
}

// TestRevocationsPerAnswerBounded: one answer cannot make the client send
// unbounded revocations; the tokens beyond the bound are owned up to as
// live, never dropped silently.
func TestRevocationsPerAnswerBounded(t *testing.T) {
	t.Parallel()
	var members []string
	for i := range maxRevokedPerAnswer + 8 {
		members = append(members, `"refresh_token":"rt-many-`+strconv.Itoa(i)+`"`)
	}
	body := `{"success":false,` + strings.Join(members, ",") + `}`
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64, _ map[string]any) {
		if r.URL.Path == "/revoke" {
			writeJSON(w, 200, map[string]any{"action": "revoke", "success": true})
			return
		}
		_, _ = w.Write([]byte(body))
	})
	_, err := newTestClient(t, f.srv.URL, nil).Token(context.Background(), offlineReq)
	if e := asError(t, err); e.Minted != (Minted{Revoked: maxRevokedPerAnswer, Live: 8}) {
		t.Errorf("Minted = %+v", e.Minted)
	}
	if n := len(f.requests()); n != 1+maxRevokedPerAnswer {
		t.Errorf("%d requests, want the grant and %d revocations", n, maxRevokedPerAnswer)
	}
}
