package paymeauth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

var (
	refreshReq = TokenRequest{Grant: GrantRefreshToken, Scopes: []string{"create:token"}, RefreshToken: testRefresh}
	offlineReq = TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token", "offline_access"}, Username: "commerce@email.com", Password: testPassword}
	passReq    = TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}, Username: "commerce@email.com", Password: testPassword}
)

type callKind int

const (
	callCC callKind = iota
	callPassword
	callOffline
	callRefresh
	callRevoke
)

func doCall(ctx context.Context, c *Client, k callKind) error {
	switch k {
	case callRevoke:
		return c.Revoke(ctx, "commerce@email.com", testRefresh)
	case callPassword:
		_, err := c.Token(ctx, passReq)
		return err
	case callOffline:
		_, err := c.Token(ctx, offlineReq)
		return err
	case callRefresh:
		_, err := c.Token(ctx, refreshReq)
		return err
	default:
		_, err := c.Token(ctx, ccReq)
		return err
	}
}

func raw(status int, contentType, body string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int64, _ map[string]any) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

func jsonAnswer(status int, v any) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ int64, _ map[string]any) { writeJSON(w, status, v) }
}

// TestErrorClasses drives every error class through a real HTTP exchange.
func TestErrorClasses(t *testing.T) {
	t.Parallel()
	revokeFail := func(msg string) map[string]any {
		return map[string]any{"action": "revoke", "success": false, "revoke": envelope("01", msg)}
	}
	tests := []struct {
		name       string
		call       callKind
		handler    handlerFunc
		want       error
		wantStatus int
		wantCode   string
		wantText   []string // substrings of Error()
	}{
		{"400 bad request", callCC, jsonAnswer(400, tokenFail("Solicitud inválida")), ErrBadRequest, 400, "01", []string{`HTTP 400, Pay-me code "01": "es_PE: Solicitud inválida"`}},
		{"401 bad credentials", callPassword, jsonAnswer(401, tokenFail("Credenciales inválidas")), ErrUnauthorized, 401, "01",
			[]string{`Pay-me POST /token (password grant) failed: HTTP 401, Pay-me code "01": "es_PE: Credenciales inválidas" (after 1 attempt)`}},
		{"401 bad client credentials on refresh grant", callRefresh, jsonAnswer(401, tokenFail("Credenciales de cliente inválidas")), ErrUnauthorized, 401, "01", nil},
		{"401 client wording that mentions a token", callRefresh, jsonAnswer(401, tokenFail("Invalid client credentials, token not issued")), ErrUnauthorized, 401, "01", nil},
		{"401 invalid_client on revoke", callRevoke, jsonAnswer(401, map[string]any{"error": "invalid_client", "error_description": "token invalid"}), ErrUnauthorized, 401, "", []string{"invalid_client: token invalid"}},
		{"401 empty body on revoke", callRevoke, raw(401, "", ""), ErrUnauthorized, 401, "", []string{"HTTP 401"}},
		{"401 scope not allowed", callCC, jsonAnswer(401, tokenFail("Scope no permitido")), ErrUnauthorized, 401, "01", nil},
		{"403 forbidden", callCC, jsonAnswer(403, tokenFail("Prohibido")), ErrForbidden, 403, "01", nil},
		{"400 sandbox invalid refresh token", callRefresh, jsonAnswer(400, tokenFail("Refresh Token inválido o revocado")), ErrInvalidToken, 400, "01", []string{"Refresh Token inválido o revocado"}},
		{"200 success false invalid refresh token", callRefresh, jsonAnswer(200, tokenFail("Refresh Token inválido o revocado")), ErrInvalidToken, 200, "01", nil},
		{"200 success false, string form", callRefresh, jsonAnswer(200, map[string]any{"success": "false", "authorization": envelope("01", "Refresh Token expirado")}), ErrInvalidToken, 200, "01", nil},
		{"400 revoke of a revoked token", callRevoke, jsonAnswer(400, revokeFail("Refresh Token inválido o revocado")), ErrInvalidToken, 400, "01", nil},
		{"404 revoke unknown token, no accents", callRevoke, jsonAnswer(404, revokeFail("REFRESH TOKEN NO EXISTE")), ErrInvalidToken, 404, "01", nil},
		{"403 auth0 invalid_grant", callRefresh, jsonAnswer(403, map[string]any{"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}), ErrInvalidToken, 403, "", []string{"invalid_grant: Unknown or invalid refresh token."}},
		{"401 english expired refresh token", callRefresh, jsonAnswer(401, map[string]any{"error_description": "Refresh token has Expired"}), ErrInvalidToken, 401, "", nil},
		{"401 expired refresh token beside another OAuth error", callRefresh, jsonAnswer(401, map[string]any{"error": "unauthorized", "error_description": "Refresh token has Expired"}), ErrUnauthorized, 401, "", nil},
		{"400 invalid token message without refresh token sent", callPassword, jsonAnswer(400, tokenFail("Refresh Token inválido o revocado")), ErrBadRequest, 400, "01", nil},
		{"200 success false without refresh token sent", callPassword, jsonAnswer(200, tokenFail("Refresh Token inválido o revocado")), ErrBadRequest, 200, "01", []string{"success false"}},
		{"400 refresh grant unrelated message", callRefresh, jsonAnswer(400, tokenFail("Scope requerido")), ErrBadRequest, 400, "01", nil},
		{"404 not found", callCC, raw(404, "text/plain", "404 page not found"), ErrBadRequest, 404, "", []string{"endpoint not found"}},
		{"405 other 4xx", callCC, raw(405, "", ""), ErrBadRequest, 405, "", nil},
		{"501 not implemented", callCC, raw(501, "", ""), ErrBadRequest, 501, "", nil},
		{"429 rate limited", callCC, jsonAnswer(429, tokenFail("Demasiadas solicitudes")), ErrTemporary, 429, "01", nil},
		{"500 envelope", callCC, jsonAnswer(500, tokenFail("Error interno")), ErrTemporary, 500, "01", []string{"Error interno"}},
		{"502 HTML page", callRevoke, raw(502, "text/html", "<html><body>Bad Gateway</body></html>"), ErrTemporary, 502, "", nil},
		{"503 empty", callRefresh, raw(503, "", ""), ErrTemporary, 503, "", nil},
		{"302 redirect not followed", callCC, func(w http.ResponseWriter, r *http.Request, _ int64, _ map[string]any) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, ErrEndpoint, 302, "", []string{"redirect refused"}},
		// Malformed 2xx answers.
		{"200 not JSON", callCC, raw(200, "text/html", "<html>hello</html>"), ErrMalformed, 200, "", []string{"not a JSON object"}},
		{"200 empty", callCC, raw(200, "", ""), ErrMalformed, 200, "", []string{"empty answer"}},
		{"200 JSON array", callCC, raw(200, "", "[1,2]"), ErrMalformed, 200, "", nil},
		{"200 truncated JSON", callCC, raw(200, "", `{"success":true,"access_token":"`+testAccess), ErrMalformed, 200, "", nil},
		{"200 cut below Content-Length", callCC, func(w http.ResponseWriter, _ *http.Request, _ int64, _ map[string]any) {
			w.Header().Set("Content-Length", "500")
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"success":true,"access_token":"` + testAccess))
		}, ErrMalformed, 200, "", []string{"truncated"}},
		{"200 success without access_token", callCC, jsonAnswer(200, map[string]any{"success": true, "expires_in": 100, "authorization": envelope("00", "Access Token creado")}), ErrMalformed, 200, "00", []string{"without access_token"}},
		{"200 neither success nor token", callCC, jsonAnswer(200, map[string]any{"action": "authorize"}), ErrMalformed, 200, "", nil},
		{"200 success garbage", callCC, jsonAnswer(200, map[string]any{"success": "maybe", "access_token": testAccess, "expires_in": 5}), ErrMalformed, 200, "", nil},
		{"200 offline_access without refresh_token", callOffline, jsonAnswer(200, tokenOK(testAccess, "", "create:token offline_access", 86400)), ErrMalformed, 200, "00", []string{"offline_access"}},
		{"200 larger than 1 MiB", callCC, raw(200, "", `{"success":true,"pad":"`+strings.Repeat("x", 1<<20)+`"}`), ErrMalformed, 200, "", []string{"1 MiB"}},
		{"200 revoke empty body", callRevoke, raw(200, "", ""), ErrMalformed, 200, "", nil},
		{"200 revoke without success", callRevoke, jsonAnswer(200, map[string]any{"action": "revoke"}), ErrMalformed, 200, "", nil},
		{"200 revoke success false", callRevoke, jsonAnswer(200, revokeFail("No se pudo eliminar")), ErrBadRequest, 200, "01", nil},
		// A server echoing secrets back: messages are scrubbed.
		{"401 echoing the secrets", callPassword, jsonAnswer(401, tokenFail("client_secret "+testClientSecret+" / password "+testPassword+" rechazados")), ErrUnauthorized, 401, "01", []string{"***"}},
		{"400 echoing the refresh token", callRefresh, jsonAnswer(400, map[string]any{"success": false, "authorization": envelope("01", "Refresh Token "+testRefresh+" inválido")}), ErrInvalidToken, 400, "01", []string{"Refresh Token *** inválido"}},
		{"500 HTML echoing the secret", callCC, raw(500, "text/html", "<pre>"+testClientSecret+"</pre>"), ErrTemporary, 500, "", nil},
		{"200 malformed echoing the access token", callOffline, jsonAnswer(200, map[string]any{"success": true, "access_token": testAccess, "expires_in": 60, "authorization": envelope("00", "token "+testAccess)}), ErrMalformed, 200, "00", []string{"token ***"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, tt.handler)
			c := newTestClient(t, f.srv.URL, nil)
			err := doCall(context.Background(), c, tt.call)
			assertKind(t, err, tt.want)
			e := asError(t, err)
			if e.HTTPStatus != tt.wantStatus {
				t.Errorf("HTTPStatus = %d, want %d", e.HTTPStatus, tt.wantStatus)
			}
			if e.Code != tt.wantCode {
				t.Errorf("Code = %q, want %q", e.Code, tt.wantCode)
			}
			if e.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", e.Attempts)
			}
			wantOp, wantPath := "token", "/token"
			if tt.call == callRevoke {
				wantOp, wantPath = "revoke", "/revoke"
			}
			if e.Op != wantOp || e.Endpoint != wantPath {
				t.Errorf("Op/Endpoint = %q %q, want %q %q", e.Op, e.Endpoint, wantOp, wantPath)
			}
			msg := err.Error()
			if !strings.Contains(msg, "HTTP "+itoa(int64(tt.wantStatus))) {
				t.Errorf("error %q lacks the status", msg)
			}
			if tt.wantCode != "" && !strings.Contains(msg, `Pay-me code "`+tt.wantCode+`"`) {
				t.Errorf("error %q lacks the code", msg)
			}
			for _, m := range e.Messages {
				if !strings.Contains(msg, m) {
					t.Errorf("error %q lacks message %q", msg, m)
				}
			}
			for _, s := range tt.wantText {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q lacks %q", msg, s)
				}
			}
			assertNoSecret(t, "Error()", msg)
			assertNoSecret(t, "Messages", strings.Join(e.Messages, "|"))
			assertNoSecret(t, "Code", e.Code)
			assertNoSecret(t, "Err.Error()", e.Err.Error())
		})
	}
}

func TestNetworkErrors(t *testing.T) {
	t.Parallel()
	t.Run("connection dropped", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int64, _ map[string]any) {
			hj, ok := w.(http.Hijacker)
			if !ok {
				t.Error("no hijacker")
				return
			}
			conn, _, err := hj.Hijack()
			if err == nil {
				_ = conn.Close()
			}
		})
		c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = 2 })
		err := doCall(context.Background(), c, callRefresh)
		assertKind(t, err, ErrTemporary)
		e := asError(t, err)
		if e.Attempts != 3 || e.HTTPStatus != 0 || f.hits.Load() != 3 {
			t.Errorf("Attempts=%d HTTPStatus=%d hits=%d, want 3/0/3", e.Attempts, e.HTTPStatus, f.hits.Load())
		}
		if !strings.Contains(err.Error(), "no answer") || !strings.Contains(err.Error(), "(after 3 attempts)") {
			t.Errorf("error text %q", err)
		}
		assertNoSecret(t, "error", err.Error())
	})
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		_ = l.Close()
		c := newTestClient(t, "http://"+addr, func(cfg *Config) { cfg.MaxRetries = 1 })
		err = doCall(context.Background(), c, callCC)
		assertKind(t, err, ErrTemporary)
		var ne *net.OpError
		if !errors.As(err, &ne) {
			t.Errorf("cause %v is not a *net.OpError", err)
		}
		if e := asError(t, err); e.Attempts != 2 {
			t.Errorf("Attempts = %d, want 2", e.Attempts)
		}
	})
	t.Run("per-attempt timeout", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64, _ map[string]any) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		})
		c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond; cfg.MaxRetries = 1 })
		start := time.Now()
		err := doCall(context.Background(), c, callCC)
		assertKind(t, err, ErrTemporary)
		if e := asError(t, err); e.Attempts != 2 || f.hits.Load() != 2 {
			t.Errorf("Attempts=%d hits=%d, want 2/2", e.Attempts, f.hits.Load())
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v: the per-attempt timeout did not apply", d)
		}
	})
	t.Run("body read timeout is retried", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
			if n > 1 {
				okHandler(3600)(w, r, n, body)
				return
			}
			w.Header().Set("Content-Length", "300")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"success":true,`))
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		})
		// A second per attempt, not less: the headers must arrive in time
		// on a loaded machine, and only the stalled body may time out.
		c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Timeout = time.Second; cfg.MaxRetries = 1 })
		tok, err := c.Token(context.Background(), ccReq)
		if err != nil || tok.AccessToken != testAccess+"-2" || f.hits.Load() != 2 {
			t.Errorf("tok=%+v err=%v hits=%d", tok, err, f.hits.Load())
		}
		c0 := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Timeout = time.Second })
		f.hits.Store(0)
		err = doCall(context.Background(), c0, callCC)
		assertKind(t, err, ErrTemporary)
		if e := asError(t, err); e.HTTPStatus != 200 || !strings.Contains(err.Error(), "reading the answer failed") {
			t.Errorf("got %v (status %d)", err, e.HTTPStatus)
		}
	})
	t.Run("last answer kept when the last attempt gets none", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int64, _ map[string]any) {
			if n == 1 {
				writeJSON(w, 503, tokenFail("Mantenimiento"))
				return
			}
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
				}
			}
		})
		c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = 1 })
		err := doCall(context.Background(), c, callCC)
		assertKind(t, err, ErrTemporary)
		e := asError(t, err)
		if e.HTTPStatus != 503 || e.Code != "01" || len(e.Messages) != 1 || e.Attempts != 2 {
			t.Errorf("got %+v", e)
		}
		if !strings.Contains(err.Error(), "last attempt: no answer") {
			t.Errorf("error text %q", err)
		}
	})
}

func TestErrorTextShapes(t *testing.T) {
	t.Parallel()
	e := &Error{Op: "token", Endpoint: "/token", Grant: GrantPassword, HTTPStatus: 401, Code: "01",
		Messages: []string{"Credenciales inválidas"}, Attempts: 1, Err: &causeError{kind: ErrUnauthorized}}
	const want = `Pay-me POST /token (password grant) failed: HTTP 401, Pay-me code "01": "Credenciales inválidas" (after 1 attempt)`
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q\nwant      %q", got, want)
	}
	r := &Error{Op: "revoke", Endpoint: "/revoke", Attempts: 3, Err: &causeError{kind: ErrTemporary, detail: "no answer: EOF"}}
	if got, want := r.Error(), `Pay-me POST /revoke failed: no answer: EOF (after 3 attempts)`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(r, ErrTemporary) || errors.Is(r, ErrMalformed) {
		t.Error("errors.Is does not reach the sentinel")
	}
}
