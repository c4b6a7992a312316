package paymeauth

import (
	"errors"
	"testing"
)

// TestInvalidTokenVerdict holds the invalid-token policy to every answer of
// issue 11 that must NOT make a live refresh token be forgotten, and to the
// answers that must still count as "already invalid".
func TestInvalidTokenVerdict(t *testing.T) {
	t.Parallel()
	env := func(success, code, msg string) string {
		return `{"action":"revoke","success":` + success + `,"revoke":{"meta":{"status":{"code":"` + code +
			`","message_ilgn":[{"locale":"es_PE","value":"` + msg + `"}]}}}}`
	}
	fail := func(msg string) string { return env("false", "01", msg) }
	tests := []struct {
		name   string
		op     string
		sent   bool // the request carried a refresh token
		status int
		bearer bool
		body   string
		want   error
	}{
		// Issue 11, item 1: none of these is about the refresh token sent.
		{"gateway bearer answer", opRevoke, true, 401, true, `{"error":"invalid_token","error_description":"The access token is invalid or has expired"}`, ErrUnauthorized},
		{"access token answer without the header", opRevoke, true, 401, false, `{"error":"invalid_token","error_description":"The access token is invalid or has expired"}`, ErrUnauthorized},
		{"bearer header on a refresh-token message", opRevoke, true, 401, true, fail("Refresh Token inválido o revocado"), ErrUnauthorized},
		{"revocation endpoint not found", opRevoke, true, 404, false, fail("Token revocation endpoint not found"), ErrBadRequest},
		{"revocation endpoint not found, plain text", opRevoke, true, 404, false, `Token revocation endpoint not found`, ErrBadRequest},
		{"unknown hint", opRevoke, true, 400, false, `{"error":"invalid_request","error_description":"Unknown token_type_hint"}`, ErrBadRequest},
		{"access token for another audience", opRevoke, true, 403, false, fail("Token de acceso inválido para esta audiencia"), ErrForbidden},
		{"rate limit", opRevoke, true, 400, false, fail("Token bucket expired for this IP, slow down"), ErrBadRequest},
		{"contradictory envelope", opRevoke, true, 200, false, env("true", "01", "Refresh Token inválido o revocado"), ErrMalformed},
		// Status alone, or a message that does not name the refresh token.
		{"401 without a body", opRevoke, true, 401, false, ``, ErrUnauthorized},
		{"404 page", opRevoke, true, 404, false, `404 page not found`, ErrBadRequest},
		{"token without saying which", opRevoke, true, 400, false, fail("TOKEN DESCONOCIDO"), ErrBadRequest},
		{"token expired without saying which", opToken, true, 401, false, fail("El token ha expirado"), ErrUnauthorized},
		{"refresh token without a verdict", opRevoke, true, 400, false, fail("Refresh Token requerido"), ErrBadRequest},
		{"verdict without a token", opRevoke, true, 400, false, fail("Usuario inválido"), ErrBadRequest},
		{"invalid_client", opRevoke, true, 401, false, `{"error":"invalid_client","error_description":"Refresh token invalid"}`, ErrUnauthorized},
		{"client wording", opToken, true, 401, false, fail("Invalid client secret for refresh token request"), ErrUnauthorized},
		{"code 00 on an error status", opRevoke, true, 400, false, env("false", "00", "Refresh Token inválido o revocado"), ErrBadRequest},
		{"success true on an error status", opRevoke, true, 400, false, env("true", "01", "Refresh Token inválido o revocado"), ErrBadRequest},
		{"no refresh token sent", opToken, false, 400, false, fail("Refresh Token inválido o revocado"), ErrBadRequest},
		{"server error", opRevoke, true, 500, false, fail("Refresh Token inválido o revocado"), ErrTemporary},
		{"rate limited", opRevoke, true, 429, false, fail("Refresh Token inválido o revocado"), ErrTemporary},
		{"other 4xx", opRevoke, true, 409, false, fail("Refresh Token inválido o revocado"), ErrBadRequest},
		// Issue 18, case 7, and its kind: another OAuth error, or words about
		// the request itself, beside a message naming the refresh token.
		{"invalid_request naming the refresh token", opRevoke, true, 400, false, `{"error":"invalid_request","error_description":"Missing or invalid parameter: refresh_token (expected form-encoded body)"}`, ErrBadRequest},
		{"unsupported_grant_type", opToken, true, 400, false, `{"error":"unsupported_grant_type","error_description":"refresh token invalid"}`, ErrBadRequest},
		{"unauthorized_client", opToken, true, 401, false, `{"error":"unauthorized_client","error_description":"refresh token invalid"}`, ErrUnauthorized},
		{"invalid_scope", opToken, true, 400, false, `{"error":"invalid_scope","error_description":"refresh token invalid"}`, ErrBadRequest},
		{"access_denied", opRevoke, true, 403, false, `{"error":"access_denied","error_description":"refresh token revoked"}`, ErrForbidden},
		{"server_error as a 400", opRevoke, true, 400, false, `{"error":"server_error","error_description":"refresh token unknown"}`, ErrBadRequest},
		{"temporarily_unavailable as a 400", opRevoke, true, 400, false, `{"error":"temporarily_unavailable","error_description":"refresh token unknown"}`, ErrBadRequest},
		{"unauthorized beside an expired refresh token", opToken, true, 401, false, `{"error":"unauthorized","error_description":"Refresh token has Expired"}`, ErrUnauthorized},
		{"missing parameter", opRevoke, true, 400, false, fail("Missing parameter refresh_token: invalid"), ErrBadRequest},
		{"Spanish parameter", opRevoke, true, 400, false, fail("Parámetro refresh_token inválido"), ErrBadRequest},
		{"malformed", opRevoke, true, 400, false, fail("Malformed refresh token: invalid"), ErrBadRequest},
		{"expected", opRevoke, true, 400, false, fail("Refresh token invalid: expected a string"), ErrBadRequest},
		{"format", opRevoke, true, 400, false, fail("Refresh token invalid format"), ErrBadRequest},
		{"encoding", opRevoke, true, 400, false, fail("Refresh token invalid encoding"), ErrBadRequest},
		{"content type", opRevoke, true, 400, false, fail("Refresh token invalid: unsupported content type"), ErrBadRequest},
		{"content type with a 400", opRevoke, true, 400, false, fail("Invalid Content-Type for refresh token"), ErrBadRequest},
		{"Spanish missing", opRevoke, true, 400, false, fail("Falta el refresh token o es inválido"), ErrBadRequest},
		{"200 without success false", opRevoke, true, 200, false, `{"success":true,"error_description":"refresh token revoked"}`, nil},
		// Answers that still mean "already invalid".
		{"sandbox answer on revoke", opRevoke, true, 400, false, fail("Refresh Token inválido o revocado"), ErrInvalidToken},
		{"sandbox answer on the refresh grant", opToken, true, 400, false, fail("Refresh Token inválido o revocado"), ErrInvalidToken},
		{"200 success false", opToken, true, 200, false, fail("Refresh Token expirado"), ErrInvalidToken},
		{"200 success false as a string", opRevoke, true, 200, false, env(`"false"`, "01", "Refresh Token expirado"), ErrInvalidToken},
		{"envelope without a code", opRevoke, true, 400, false, `{"success":false,"revoke":{"meta":{"status":{"message_ilgn":["refresh token not found"]}}}}`, ErrInvalidToken},
		{"invalid_grant", opToken, true, 403, false, `{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}`, ErrInvalidToken},
		{"invalid_grant alone", opRevoke, true, 400, false, `{"error":"invalid_grant"}`, ErrInvalidToken},
		{"expired in English", opToken, true, 401, false, `{"error_description":"Refresh token has Expired"}`, ErrInvalidToken},
		{"does not exist, upper case", opRevoke, true, 404, false, fail("REFRESH TOKEN NO EXISTE"), ErrInvalidToken},
		{"field name", opRevoke, true, 400, false, fail("El refresh_token no existe"), ErrInvalidToken},
		{"revoked in English", opRevoke, true, 400, false, fail("Refresh token revoked"), ErrInvalidToken},
		{"Spanish name", opRevoke, true, 400, false, fail("Token de refresco vencido"), ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := decodeAnswer(decodeInput{op: tt.op, status: tt.status, body: []byte(tt.body), bearer: tt.bearer, sentRefresh: tt.sent})
			if tt.want == nil && out.kind != nil || tt.want != nil && !errors.Is(out.kind, tt.want) {
				t.Errorf("verdict %v, want %v", out.kind, tt.want)
			}
		})
	}
}

// TestRevokeSuccessMustBeDocumented: a revoke answer makes the provider
// forget the token, so only the documented forms of success count.
func TestRevokeSuccessMustBeDocumented(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]error{
		`{"success":true}`:    nil,
		`{"success":"true"}`:  nil,
		`{"success":"yes"}`:   ErrMalformed,
		`{"success":1}`:       ErrMalformed,
		`{"success":"maybe"}`: ErrMalformed,
		`{"action":"revoke","success":true,"revoke":{"meta":{"status":{"code":"00"}}}}`: nil,
		// Issue 18, case 6: a /token answer to a revoke (a cache, a misrouted
		// gateway) is no revocation.
		`{"action":"authorize","success":true,"access_token":"at-1","authorization":{"meta":{"status":{"code":"00"}}}}`: ErrMalformed,
		`{"success":true,"access_token":"at-1"}`:                                        ErrMalformed,
		`{"success":true,"access_token":""}`:                                            ErrMalformed,
		`{"action":"authorize","success":true}`:                                         ErrMalformed,
		`{"action":"refresh","success":true}`:                                           ErrMalformed,
		`{"action":"revoke","success":true,"revoke":{"meta":{"status":{"code":"01"}}}}`: ErrMalformed,
		`{"action":"revoke","success":false}`:                                           ErrBadRequest,
	} {
		out := decodeAnswer(decodeInput{op: opRevoke, status: 200, body: []byte(body), sentRefresh: true})
		if want == nil && out.kind != nil || want != nil && !errors.Is(out.kind, want) {
			t.Errorf("%s: verdict %v, want %v", body, out.kind, want)
		}
	}
}
