package sandbox

import (
	"net/http"
	"strings"
	"testing"
)

func TestValidation(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", maxFieldLen+1)
	tests := []struct {
		name     string
		path     string
		body     any
		opts     []reqOpt
		status   int
		msg      string
		allowHdr bool
	}{
		// Transport-level rules, both endpoints.
		{name: "GET token", path: pathToken, body: ccFields(), opts: []reqOpt{withMethod(http.MethodGet)}, status: 405, msg: "POST", allowHdr: true},
		{name: "PUT token", path: pathToken, body: ccFields(), opts: []reqOpt{withMethod(http.MethodPut)}, status: 405, msg: "POST", allowHdr: true},
		{name: "GET revoke", path: pathRevoke, body: revokeFields("x"), opts: []reqOpt{withMethod(http.MethodGet)}, status: 405, msg: "POST", allowHdr: true},
		{name: "no content type", path: pathToken, body: ccFields(), opts: []reqOpt{withHeader("Content-Type", "")}, status: 415, msg: "application/json"},
		{name: "text/plain", path: pathToken, body: ccFields(), opts: []reqOpt{withHeader("Content-Type", "text/plain")}, status: 415, msg: "application/json"},
		{name: "form", path: pathRevoke, body: revokeFields("x"), opts: []reqOpt{withHeader("Content-Type", "application/x-www-form-urlencoded")}, status: 415, msg: "application/json"},
		{name: "latin1 charset", path: pathToken, body: ccFields(), opts: []reqOpt{withHeader("Content-Type", "application/json; charset=iso-8859-1")}, status: 415, msg: "application/json"},
		{name: "no api version", path: pathToken, body: ccFields(), opts: []reqOpt{withHeader(headerAPIVersion, "")}, status: 400, msg: "ALG-API-VERSION"},
		{name: "blank api version", path: pathToken, body: ccFields(), opts: []reqOpt{withHeader(headerAPIVersion, "  ")}, status: 400, msg: "ALG-API-VERSION"},
		{name: "no api version revoke", path: pathRevoke, body: revokeFields("x"), opts: []reqOpt{withHeader(headerAPIVersion, "")}, status: 400, msg: "ALG-API-VERSION"},
		{name: "body too large", path: pathToken, body: `{"action":"` + strings.Repeat("a", maxBody) + `"}`, status: 400, msg: "mayor"},
		{name: "malformed JSON", path: pathToken, body: `{"action":`, status: 400, msg: "JSON inválido"},
		{name: "empty body", path: pathToken, body: "", status: 400, msg: "JSON inválido"},
		{name: "array body", path: pathToken, body: `[]`, status: 400, msg: "objeto JSON"},
		{name: "number value", path: pathToken, body: `{"action":"authorize","expires":5}`, status: 400, msg: "expires debe ser texto"},
		{name: "object value", path: pathRevoke, body: `{"action":{"x":"y"}}`, status: 400, msg: "action debe ser texto"},
		{name: "duplicate key", path: pathToken, body: `{"action":"authorize","action":"authorize"}`, status: 400, msg: "duplicado"},
		{name: "trailing data", path: pathToken, body: `{"action":"authorize"} {}`, status: 400, msg: "adicionales"},

		// /token structure.
		{name: "no action", path: pathToken, body: ccFields().without("action", "grant_type"), status: 400, msg: "requerido: action"},
		{name: "no grant_type", path: pathToken, body: ccFields().without("grant_type"), status: 400, msg: "requerido: grant_type"},
		{name: "unknown grant", path: pathToken, body: ccFields().with("grant_type", "authorization_code"), status: 400, msg: "grant_type no soportado"},
		{name: "revoke action on token", path: pathToken, body: ccFields().with("action", "revoke"), status: 400, msg: "action inválido"},
		{name: "password on client_credentials", path: pathToken, body: ccFields().with("password", DemoPassword), status: 400, msg: "no permitido para grant_type client_credentials: password"},
		{name: "username on client_credentials", path: pathToken, body: ccFields().with("username", "merchant@example.com"), status: 400, msg: "no permitido para grant_type client_credentials: username"},
		{name: "refresh_token on password", path: pathToken, body: pwFields().with("refresh_token", "x"), status: 400, msg: "no permitido para grant_type password: refresh_token"},
		{name: "password on refresh_token", path: pathToken, body: rtFields("x").with("password", DemoPassword), status: 400, msg: "no permitido para grant_type refresh_token: password"},
		{name: "undocumented field", path: pathToken, body: ccFields().with("nonce", "1"), status: 400, msg: "no permitido para grant_type client_credentials: nonce"},
		{name: "empty optional username", path: pathToken, body: pwFields().with("username", ""), status: 400, msg: "vacío: username"},
		{name: "empty scope", path: pathToken, body: ccFields().with("scope", ""), status: 400, msg: "vacío: scope"},
		{name: "no client_id", path: pathToken, body: ccFields().without("client_id"), status: 400, msg: "requerido: client_id"},
		{name: "no client_secret", path: pathToken, body: ccFields().without("client_secret"), status: 400, msg: "requerido: client_secret"},
		{name: "no audience", path: pathToken, body: ccFields().without("audience"), status: 400, msg: "requerido: audience"},
		{name: "no scope", path: pathToken, body: pwFields().without("scope"), status: 400, msg: "requerido: scope"},
		{name: "no refresh_token", path: pathToken, body: rtFields("x").without("refresh_token"), status: 400, msg: "requerido: refresh_token"},
		{name: "client_id too long", path: pathToken, body: ccFields().with("client_id", long), status: 400, msg: "client_id excede 100"},
		{name: "client_id at limit is merely unknown", path: pathToken, body: ccFields().with("client_id", long[:maxFieldLen]), status: 401, msg: "Credenciales"},
		{name: "client_secret too long", path: pathToken, body: ccFields().with("client_secret", long), status: 400, msg: "client_secret excede"},
		{name: "username too long", path: pathToken, body: pwFields().with("username", long), status: 400, msg: "username excede"},
		{name: "password too long", path: pathToken, body: pwFields().with("password", long), status: 400, msg: "password excede"},
		{name: "refresh_token too long", path: pathToken, body: rtFields(long), status: 400, msg: "refresh_token excede"},
		{name: "multibyte counts characters", path: pathToken, body: pwFields().with("username", strings.Repeat("ñ", maxFieldLen)), status: 401, msg: "Usuario"},
		{name: "auth URL as audience", path: pathToken, body: ccFields().with("audience", "https://auth.alignet.io"), status: 400, msg: "Audience"},
		{name: "audience with extra slash", path: pathToken, body: ccFields().with("audience", "https://api.alignet.io/"), status: 400, msg: "Audience"},
		{name: "double space in scope", path: pathToken, body: ccFields().with("scope", "create:token  post:charges"), status: 400, msg: "Scope inválido"},
		{name: "trailing space in scope", path: pathToken, body: ccFields().with("scope", "create:token "), status: 400, msg: "Scope inválido"},
		{name: "comma separated scope", path: pathToken, body: ccFields().with("scope", "create:token,post:charges"), status: 400, msg: "create:token es obligatorio"},
		{name: "tab in scope", path: pathToken, body: ccFields().with("scope", "create:token\tpost:charges"), status: 400, msg: "Scope inválido"},
		{name: "quote in scope", path: pathToken, body: ccFields().with("scope", `create:token "x"`), status: 400, msg: "Scope inválido"},
		{name: "scope without create:token", path: pathToken, body: ccFields().with("scope", "post:charges"), status: 400, msg: "create:token es obligatorio"},
		{name: "username without password", path: pathToken, body: pwFields().without("password"), status: 400, msg: "juntos"},
		{name: "password without username", path: pathToken, body: pwFields().without("username"), status: 400, msg: "juntos"},

		// /token credentials.
		{name: "wrong secret", path: pathToken, body: ccFields().with("client_secret", "nope"), status: 401, msg: "Credenciales de cliente inválidas"},
		{name: "unknown client", path: pathToken, body: pwFields().with("client_id", "ghost"), status: 401, msg: "Credenciales de cliente inválidas"},
		{name: "secret of another client", path: pathToken, body: ccFields().with("client_secret", "other-secret"), status: 401, msg: "Credenciales de cliente inválidas"},
		{name: "scope not allowed", path: pathToken, body: ccFields().with("scope", "create:token admin:all"), status: 401, msg: "Scope no permitido para el cliente: admin:all"},
		{name: "scope allowed to the demo client only", path: pathToken, body: ccFields().with("client_id", "other-client", "client_secret", "other-secret"), status: 401, msg: "post:charges"},
		{name: "wrong password", path: pathToken, body: pwFields().with("password", "nope"), status: 401, msg: "Usuario o contraseña inválidos"},
		{name: "unknown user", path: pathToken, body: pwFields().with("username", "ghost@example.com"), status: 401, msg: "Usuario o contraseña inválidos"},
		{name: "user of another client", path: pathToken, body: pwFields().with("username", "other@example.com", "password", "other-password"), status: 401, msg: "Usuario o contraseña inválidos"},
		{name: "unknown refresh token", path: pathToken, body: rtFields("never-issued"), status: 400, msg: "Refresh Token inválido o revocado"},

		// /revoke structure and credentials.
		{name: "grant_type on revoke", path: pathRevoke, body: revokeFields("x").with("grant_type", "refresh_token"), status: 400, msg: "no permitido: grant_type"},
		{name: "scope on revoke", path: pathRevoke, body: revokeFields("x").with("scope", "create:token"), status: 400, msg: "no permitido: scope"},
		{name: "password on revoke", path: pathRevoke, body: revokeFields("x").with("password", DemoPassword), status: 400, msg: "no permitido: password"},
		{name: "authorize action on revoke", path: pathRevoke, body: revokeFields("x").with("action", "authorize"), status: 400, msg: "action inválido"},
		{name: "no action on revoke", path: pathRevoke, body: revokeFields("x").without("action"), status: 400, msg: "requerido: action"},
		{name: "no refresh_token on revoke", path: pathRevoke, body: revokeFields("x").without("refresh_token"), status: 400, msg: "requerido: refresh_token"},
		{name: "no audience on revoke", path: pathRevoke, body: revokeFields("x").without("audience"), status: 400, msg: "requerido: audience"},
		{name: "empty username on revoke", path: pathRevoke, body: revokeFields("x").with("username", ""), status: 400, msg: "vacío: username"},
		{name: "refresh_token too long on revoke", path: pathRevoke, body: revokeFields(long), status: 400, msg: "refresh_token excede"},
		{name: "bad audience on revoke", path: pathRevoke, body: revokeFields("x").with("audience", "https://api.example.com"), status: 400, msg: "Audience"},
		{name: "wrong secret on revoke", path: pathRevoke, body: revokeFields("x").with("client_secret", "nope"), status: 401, msg: "Credenciales de cliente inválidas"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, testConfig())
			r := e.post(t, tc.path, tc.body, tc.opts...)
			wantError(t, r, tc.path, tc.status, tc.msg)
			if tc.allowHdr && r.header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow = %q, want POST", r.header.Get("Allow"))
			}
			if n := e.s.LiveRefreshTokens(); n != 0 {
				t.Errorf("a rejected request left %d live refresh tokens", n)
			}
			if n := e.s.Requests(tc.path); n != 1 {
				t.Errorf("Requests(%s) = %d, want 1", tc.path, n)
			}
		})
	}
}

// TestAcceptedVariants pins down what the strict rules still allow, so
// that tightening them further breaks a test.
func TestAcceptedVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  func(*Config)
		body fields
		opts []reqOpt
	}{
		{name: "charset utf-8", body: ccFields(), opts: []reqOpt{withHeader("Content-Type", "application/json; charset=UTF-8")}},
		{name: "older API version", body: ccFields(), opts: []reqOpt{withHeader(headerAPIVersion, "1618440906")}},
		{name: "preprod audience with slash", body: ccFields().with("audience", "https://api.preprod.alignet.io/")},
		{name: "preprod audience without slash", body: ccFields().with("audience", "https://api.preprod.alignet.io")},
		{name: "production audience", body: ccFields().with("audience", "https://api.alignet.io")},
		{name: "client-level password grant", body: pwFields().without("username", "password")},
		{name: "any audience when none configured", cfg: func(c *Config) { c.Audiences = nil }, body: ccFields().with("audience", "https://example.test")},
		{name: "any scope when client lists none", cfg: func(c *Config) { c.Clients[0].Scopes = nil }, body: ccFields().with("scope", "create:token api-test:create:token")},
		{name: "credential fields at 100 characters", cfg: func(c *Config) {
			c.Clients[0].ID = strings.Repeat("i", maxFieldLen)
			c.Users = nil
		}, body: ccFields().with("client_id", strings.Repeat("i", maxFieldLen))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			e := newEnv(t, cfg)
			r := e.post(t, pathToken, tc.body, tc.opts...)
			env, _ := r.answer(t)
			if r.status != http.StatusOK || !env.Success || env.AccessToken == "" {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
		})
	}
}
