package hostile

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// gateCases are issue 18's cases 8 to 11: answers that echo a secret in an
// encoding a log search or a person undoes, or cut over several texts.
func gateCases() []Case {
	oauth := func(name, item string, status int, err string, desc func(x *exchange) string) Case {
		return Case{Name: name, Item: item, Expect: CreateFails, token: &reply{Status: status, Body: func(x *exchange) []byte {
			return mustJSON(map[string]string{"error": err, "error_description": desc(x)})
		}}}
	}
	scope := func(name string, extra func(x *exchange, m map[string]any) string) Case {
		return Case{Name: name, Item: "18.10", Expect: NoTokenLost, token: &reply{Status: 200, Body: success(func(x *exchange, m map[string]any) {
			m["scope"] = x.Scope + " " + extra(x, m)
		})}}
	}
	pieces := func(s string) []string {
		var out []string
		for len(s) > PieceLen-1 {
			out, s = append(out, s[:PieceLen-1]), s[PieceLen-1:]
		}
		return append(out, s)
	}
	return []Case{
		oauth("echo-base64-request-body", "18.8", 400, "invalid_request", func(x *exchange) string {
			return "Cannot parse request body " + base64.StdEncoding.EncodeToString(x.Body)
		}),
		oauth("echo-basic-authorization", "18.9", 401, "invalid_client", func(x *exchange) string {
			return "Client authentication failed: Authorization: Basic " + Basic(x.ClientID, x.ClientSecret, false)
		}),
		oauth("echo-basic-form-encoded", "18.9", 401, "invalid_client", func(x *exchange) string {
			return "Client authentication failed: Basic " + Basic(x.ClientID, x.ClientSecret, true)
		}),
		scope("scope-holds-base64-password", func(x *exchange, _ map[string]any) string {
			return base64.StdEncoding.EncodeToString([]byte(x.Password))
		}),
		scope("scope-holds-base64url-refresh-token", func(_ *exchange, m map[string]any) string {
			tok, _ := m["refresh_token"].(string)
			return "rt:" + base64.RawURLEncoding.EncodeToString([]byte("x"+tok))
		}),
		oauth("echo-hex-client-secret", "18.11", 400, "invalid_request", func(x *exchange) string {
			return "client_secret=" + strings.ToUpper(hex.EncodeToString([]byte(x.ClientSecret))) + " is not valid"
		}),
		{Name: "secret-in-pieces-over-messages", Item: "18.11", Expect: CreateFails, MustWithhold: true, token: &reply{Status: 400, Body: func(x *exchange) []byte {
			return envelopeBody("authorization", false, "01", pieces(x.ClientSecret)...)
		}}},
		{Name: "password-in-pieces-over-fields", Item: "18.11", Expect: CreateFails, MustWithhold: true, token: &reply{Status: 400, Body: func(x *exchange) []byte {
			p := pieces(x.Password)
			return mustJSON(map[string]any{"error": p[0], "error_description": p[1], "action": "authorization",
				"authorization": map[string]any{"meta": map[string]any{"status": map[string]any{"code": p[2]}}}})
		}}},
	}
}
