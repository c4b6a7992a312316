package paymeauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/payme-community/terraform-provider-payme/internal/hostile"
	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
)

// revokeRecorder answers /token with a scripted body and records every
// refresh token /revoke receives, exactly as sent.
type revokeRecorder struct {
	mu      sync.Mutex
	revoked []string
}

func (rr *revokeRecorder) handler(status int, body string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ int64, _ map[string]any) {
		if r.URL.Path == "/revoke" {
			raw := string(f2raw(r))
			rr.mu.Lock()
			rr.revoked = append(rr.revoked, raw)
			rr.mu.Unlock()
			writeJSON(w, 200, map[string]any{"action": "revoke", "success": true, "revoke": envelope("00", "Refresh Token eliminado")})
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// f2raw is the refresh_token field of a revoke body as raw JSON text.
func f2raw(r *http.Request) []byte {
	b, _ := r.Context().Value(rawBodyKey{}).([]byte)
	i := strings.Index(string(b), `"refresh_token":`)
	if i < 0 {
		return nil
	}
	rest := b[i+len(`"refresh_token":`):]
	end := strings.IndexByte(string(rest[1:]), '"')
	return rest[:end+2]
}

type rawBodyKey struct{}

// TestNoTokenLostOnCreate: answers that carry a refresh token are accepted
// wherever the caller does not need what is odd about them.
func TestNoTokenLostOnCreate(t *testing.T) {
	t.Parallel()
	const rt = `"` + testRefreshNew + `"`
	ok := func(extra string) string {
		return `{"success":true,"access_token":"` + testAccess + `","refresh_token":` + rt + `,"token_type":"Bearer"` + extra + `}`
	}
	tests := []struct {
		name       string
		body       string
		wantTTL    int64
		wantScopes []string
	}{
		{"expires_in missing", ok(`,"scope":"create:token offline_access"`), 0, []string{"create:token", "offline_access"}},
		{"expires_in zero", ok(`,"expires_in":0`), 0, []string{"create:token", "offline_access"}},
		{"expires_in negative", ok(`,"expires_in":-5`), 0, []string{"create:token", "offline_access"}},
		{"expires_in 1e30", ok(`,"expires_in":1e30`), 0, []string{"create:token", "offline_access"}},
		{"expires_in soon", ok(`,"expires_in":"soon"`), 0, []string{"create:token", "offline_access"}},
		{"success yes", strings.Replace(ok(`,"expires_in":60`), `"success":true`, `"success":"yes"`, 1), 60, []string{"create:token", "offline_access"}},
		{"byte-order mark", "\xEF\xBB\xBF" + ok(`,"expires_in":60`), 60, []string{"create:token", "offline_access"}},
		{"trailing bytes", ok(`,"expires_in":60`) + "\n<!-- served by cache-7 -->", 60, []string{"create:token", "offline_access"}},
		{"duplicate scopes", ok(`,"expires_in":60,"scope":"a a b offline_access b"`), 60, []string{"a", "b", "offline_access"}},
		{"scope quoting the password", ok(`,"expires_in":60,"scope":"create:token ` + testPassword + ` offline_access"`), 60, []string{"create:token", "offline_access"}},
		{"scope quoting the client secret, escaped", ok(`,"expires_in":60,"scope":"x cs-Kx7Qw9Zr\u0026\u003cx\u003e\"secret\""`), 60, []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, raw(200, "application/json", tt.body))
			c := newTestClient(t, f.srv.URL, nil)
			tok, err := c.Token(context.Background(), offlineReq)
			if err != nil {
				t.Fatalf("answer refused: %v", err)
			}
			if tok.RefreshToken != testRefreshNew || tok.AccessToken != testAccess || tok.ExpiresIn != tt.wantTTL {
				t.Errorf("token lost or altered: ExpiresIn %d", tok.ExpiresIn)
			}
			if !tok.ExpiresAt.Equal(tok.IssuedAt.Add(time.Duration(tt.wantTTL) * time.Second)) {
				t.Errorf("ExpiresAt - IssuedAt = %v", tok.ExpiresAt.Sub(tok.IssuedAt))
			}
			if !reflect.DeepEqual(tok.Scopes, tt.wantScopes) {
				t.Errorf("Scopes = %q, want %q", tok.Scopes, tt.wantScopes)
			}
			assertNoSecret(t, "scopes", strings.Join(tok.Scopes, " "))
			if tok.TokenType != "Bearer" {
				t.Errorf("TokenType = %q", tok.TokenType)
			}
		})
	}
}

func TestTokenTypeQuotingASecretIsDropped(t *testing.T) {
	t.Parallel()
	body := `{"success":true,"access_token":"` + testAccess + `","expires_in":60,"token_type":"Bearer ` + testPassword + `"}`
	f := newFake(t, raw(200, "", body))
	c := newTestClient(t, f.srv.URL, nil)
	tok, err := c.Token(context.Background(), passReq)
	if err != nil || tok.TokenType != "" {
		t.Errorf("TokenType kept (%v)", err)
	}
}

// TestRefusedAnswerRevokesItsToken: an answer that must still be refused is
// refused only after the refresh token it carried is revoked, byte for byte.
func TestRefusedAnswerRevokesItsToken(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("r", MaxTokenLength+1)
	tests := []struct {
		name      string
		status    int
		body      string
		call      callKind
		wantRaw   string // the refresh_token field /revoke must receive, as raw JSON
		want      error
		wantInErr string
	}{
		{"no access token", 200, `{"success":true,"refresh_token":"` + testRefreshNew + `","expires_in":60}`, callOffline, `"` + testRefreshNew + `"`, ErrMalformed, "without access_token"},
		{"success false", 200, `{"success":false,"refresh_token":"` + testRefreshNew + `"}`, callOffline, `"` + testRefreshNew + `"`, ErrBadRequest, "success false"},
		{"invalid UTF-8", 200, `{"success":true,"access_token":"` + testAccess + `","refresh_token":"rt-` + "\xff\xfe" + `-x","expires_in":60}`, callOffline, `"rt-` + "\xff\xfe" + `-x"`, ErrMalformed, "not valid UTF-8"},
		{"lone surrogate", 200, `{"success":true,"access_token":"` + testAccess + `","refresh_token":"rt-\udc00-x","expires_in":60}`, callOffline, `"rt-\udc00-x"`, ErrMalformed, "not valid UTF-8"},
		{"too long", 200, `{"success":true,"access_token":"` + testAccess + `","refresh_token":"` + long + `","expires_in":60}`, callOffline, `"` + long + `"`, ErrMalformed, "longer than 100"},
		{"rotated on a refused refresh grant", 200, `{"success":"maybe","access_token":"` + testAccess + `","refresh_token":"` + testRefreshNew + `"}`, callRefresh, `"` + testRefreshNew + `"`, ErrMalformed, "success"},
		{"over 1 MiB", 200, `{"success":true,"access_token":"` + testAccess + `","refresh_token":"` + testRefreshNew + `","pad":"` + strings.Repeat("x", 1<<20) + `"}`, callOffline, `"` + testRefreshNew + `"`, ErrMalformed, "larger than 1 MiB"},
		{"broken after the token", 200, `{"success":true,"refresh_token":"` + testRefreshNew + `",}`, callOffline, `"` + testRefreshNew + `"`, ErrMalformed, "not a JSON object"},
		{"error status", 400, `{"success":false,"refresh_token":"` + testRefreshNew + `"}`, callOffline, `"` + testRefreshNew + `"`, ErrBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var rr revokeRecorder
			h := rr.handler(tt.status, tt.body)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b := make([]byte, 4096)
				n, _ := r.Body.Read(b)
				h(w, r.WithContext(context.WithValue(r.Context(), rawBodyKey{}, b[:n])), 0, nil)
			}))
			t.Cleanup(srv.Close)
			c := newTestClient(t, srv.URL, nil)
			err := doCall(context.Background(), c, tt.call)
			assertKind(t, err, tt.want)
			e := asError(t, err)
			if e.Minted != (Minted{Revoked: 1}) || !strings.Contains(err.Error(), "1 refresh token the answer carried was revoked") {
				t.Errorf("Minted = %+v, error %q", e.Minted, err)
			}
			if !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q lacks %q", err, tt.wantInErr)
			}
			if len(rr.revoked) != 1 || rr.revoked[0] != tt.wantRaw {
				t.Errorf("revoked %d tokens, first as sent matches: %v", len(rr.revoked), len(rr.revoked) > 0 && rr.revoked[0] == tt.wantRaw)
			}
		})
	}
}

func TestRefusedAnswerRevokeFails(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64, _ map[string]any) {
		if r.URL.Path == "/revoke" {
			w.WriteHeader(500)
			return
		}
		_, _ = w.Write([]byte(`{"success":true,"refresh_token":"` + testRefreshNew + `"}`))
	})
	c := newTestClient(t, f.srv.URL, nil)
	err := doCall(context.Background(), c, callOffline)
	if e := asError(t, err); e.Minted != (Minted{Live: 1}) || !strings.Contains(err.Error(), "revoking 1 refresh token the answer carried failed") {
		t.Errorf("Minted = %+v, error %q", e.Minted, err)
	}
}

// TestEndpointFailuresAreNotRetried: what retrying cannot fix fails at once
// with ErrEndpoint; a refused connection is still retried.
func TestEndpointFailuresAreNotRetried(t *testing.T) {
	t.Parallel()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	tests := []struct {
		name   string
		url    string
		detail string
	}{
		{"unresolvable host", "http://no-such-host.invalid", "does not resolve"},
		{"untrusted certificate", tlsSrv.URL, "TLS failed"},
		{"not TLS", strings.Replace(plain.URL, "http:", "https:", 1), "TLS failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, tt.url, func(cfg *Config) {
				// A generous attempt timeout: a loaded machine must not turn a
				// slow handshake into a timeout, which is retried.
				cfg.Timeout = time.Minute
				cfg.MaxRetries = 3
			})
			err := doCall(context.Background(), c, callCC)
			assertKind(t, err, ErrEndpoint)
			if e := asError(t, err); e.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", e.Attempts)
			}
			if !strings.Contains(err.Error(), tt.detail) || asError(t, err).URL != c.logURL(opToken) {
				t.Errorf("error %q (URL %q)", err, asError(t, err).URL)
			}
		})
	}
}

func TestRevokeContradictionKeepsToken(t *testing.T) {
	t.Parallel()
	f := newFake(t, raw(200, "", `{"action":"revoke","success":true,"revoke":{"meta":{"status":{"code":"01","message_ilgn":[{"locale":"es_PE","value":"Refresh Token inválido o revocado"}]}}}}`))
	c := newTestClient(t, f.srv.URL, nil)
	err := c.Revoke(context.Background(), "", testRefresh)
	if err == nil || errors.Is(err, ErrInvalidToken) {
		t.Fatalf("contradictory answer taken as revoked or already invalid: %v", err)
	}
}

// TestSecretsNeverShown sends the answers of issue 11 items 3 to 5 at TRACE
// and checks that no error field and no log line holds a piece of a secret.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	const secret = `cs/Kx7+Qw9=Zr&<x>"s"ñ`
	secrets := []string{secret, testPassword, testRefresh, testAccess, testRefreshNew}
	envelopeWith := func(code, msg string) string {
		b, _ := json.Marshal(map[string]any{"success": false, "authorization": envelope(code, msg)})
		return string(b)
	}
	issued := `{"success":true,"access_token":"` + testAccess + `","refresh_token":"` + testRefreshNew + `","expires_in":60}`
	type tc struct {
		status int
		body   string
	}
	cases := map[string]tc{
		"code is the client secret":          {401, envelopeWith(secret, "x")},
		"password straddles the cut":         {400, envelopeWith("01", strings.Repeat("scope:x ", 62)+"password="+testPassword)},
		"byte-order mark and trailing bytes": {200, "\xEF\xBB\xBF" + issued + "<!-- served by cache-7 -->"},
		"over 1 MiB":                         {200, issued[:len(issued)-1] + `,"pad":"` + strings.Repeat("x", 1<<20) + `"}`},
		"HTML page":                          {502, "<pre>" + html.EscapeString(secret+" "+testPassword) + "</pre>"},
	}
	for i, enc := range hostile.Encoders {
		cases[fmt.Sprintf("echoed request, encoding %d", i)] = tc{401, envelopeWith("01",
			`{"client_secret":"`+enc(secret)+`","password":"`+enc(testPassword)+`"}`)}
	}
	for name, tt := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf paymetest.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)
			f := newFake(t, raw(tt.status, "", tt.body))
			c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.ClientSecret = secret })
			_, err := c.Token(ctx, passReq)
			shown := []string{buf.String()}
			if err != nil {
				e := asError(t, err)
				shown = append(shown, err.Error(), e.Code, strings.Join(e.Messages, "|"))
			}
			for i, s := range secrets {
				for j, out := range shown {
					if hostile.HoldsPiece(out, s) {
						t.Errorf("output %d holds a piece of secret %d", j, i)
					}
				}
			}
		})
	}
}
