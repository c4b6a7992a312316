package hostile

import (
	"encoding/json"
	"strings"
)

// Expect is what the provider must do with a Case.
type Expect int

const (
	// Created: the apply succeeds, and destroy revokes the token and leaves
	// nothing live.
	Created Expect = iota
	// DestroyKept: the revoke answer leaves doubt whether the token is dead,
	// so destroy fails and the resource stays in the state.
	DestroyKept
	// CreateFails: an error answer without a token; the apply fails.
	CreateFails
	// NoTokenLost: the apply either succeeds (then as Created) or fails with
	// nothing in the state and every token the answer carried revoked.
	NoTokenLost
)

// Case is one scripted misbehaviour. token and revoke script the answers to
// the password grant and to /revoke; nil means a well-behaved answer.
type Case struct {
	Name   string
	Item   string // the item of issue 11 it reproduces
	token  *reply
	revoke *reply
	first  *reply // answers the first /token call only, when set
	// Retries is the provider's max_retries for the case.
	Retries int
	// Warn is words the apply's output must hold (a warning), when set.
	Warn string
	// Interrupt sends the CLI an interrupt (Ctrl-C) once a stalling answer
	// has sent its head.
	Interrupt bool
	// UsesToken makes the configuration also open a payme_access_token
	// from the resource's refresh token.
	UsesToken bool
	Expect    Expect
	// MustWithhold: the answer quotes a secret only in parts no output
	// shows together, so the scan cannot see it; the failed apply must
	// say the message was withheld.
	MustWithhold bool
}

// Cases returns every case of issue 11, and a well-behaved baseline that
// proves the harness.
func Cases() []Case {
	cs := []Case{{Name: "baseline", Item: "none", Expect: Created}}
	cs = append(cs, revokeCases()...)
	cs = append(cs, lenientCases()...)
	cs = append(cs, echoCases()...)
	cs = append(cs, gateCases()...)
	cs = append(cs, mintCases()...)
	return append(cs, stateCases()...)
}

// mintCases are issue 18's promise 1, cases 1-7: answers that hid a live
// refresh token from a client reading them as Go's decoder does.
func mintCases() []Case {
	// answer is a success answer whose members are written by hand, with
	// the refresh tokens given by toks and placed by shape.
	answer := func(shape func(x *exchange, access, scope string) string) func(*exchange) []byte {
		return func(x *exchange) []byte { return []byte(shape(x, x.access(), x.Scope)) }
	}
	refused := func(name string, shape func(x *exchange, access, scope string) string) Case {
		return Case{Name: name, Item: "18.1", Expect: NoTokenLost, token: &reply{Status: 200, Body: answer(shape)}}
	}
	head := func(access, scope string) string {
		return `{"action":"authorize","success":true,"access_token":"` + access + `","scope":"` + scope + `","token_type":"Bearer"`
	}
	revokeAs := func(name string, status int, body string) Case {
		return Case{Name: name, Item: "18.1", Expect: DestroyKept, revoke: &reply{Status: status, Body: fixed(body)}}
	}
	return []Case{
		{Name: "duplicate-refresh-token-keys", Item: "18.1", Expect: Created, Warn: "the provider revoked it",
			token: &reply{Status: 200, Body: answer(func(x *exchange, access, scope string) string {
				return head(access, scope) + `,"refresh_token":"` + x.newRefresh() + `","expires_in":86400,"refresh_token":"` + x.newRefresh() + `"}`
			})}},
		refused("nan-before-the-token", func(x *exchange, access, scope string) string {
			return head(access, scope) + `,"expires_in":NaN,"refresh_token":"` + x.newRefresh() + `"}`
		}),
		refused("raw-newline-before-the-token", func(x *exchange, access, scope string) string {
			return head(access, scope) + ",\"note\":\"line one\nline two\",\"refresh_token\":\"" + x.newRefresh() + `"}`
		}),
		refused("envelope", func(x *exchange, access, scope string) string {
			return `{"status":200,"data":` + head(access, scope) + `,"refresh_token":"` + x.newRefresh() + `","expires_in":86400}}`
		}),
		{Name: "lying-content-encoding", Item: "18.1", Expect: Created, Retries: 4, token: &reply{
			Status: 200, Header: map[string]string{"Content-Encoding": "gzip"}, Body: success(nil),
		}},
		{Name: "5xx-after-minting-then-success", Item: "18.1", Expect: Created, Retries: 2,
			Warn: "may have issued a refresh token then that never arrived",
			first: &reply{Status: 502, Body: func(x *exchange) []byte {
				x.lostRefresh()
				return []byte("<html>502 Bad Gateway</html>")
			}}},
		{Name: "interrupt-after-the-token-arrived", Item: "18.1", Expect: NoTokenLost, Interrupt: true, token: &reply{
			Status: 200, Stall: true, Body: func(x *exchange) []byte {
				b := success(nil)(x)
				return b[:len(b)-1] // the tail never comes
			},
		}},
		revokeAs("revoke-answered-with-a-token-answer", 200, `{"action":"authorize","success":true,"access_token":"at-cached-`+
			`answer","token_type":"Bearer","expires_in":86400,"authorization":{"meta":{"status":{"code":"00","message_ilgn":`+
			`[{"locale":"es_PE","value":"Access Token creado"}]}}}}`),
		revokeAs("revoke-refused-for-the-request", 400, `{"error":"invalid_request","error_description":"Missing or invalid `+
			`parameter: refresh_token (expected form-encoded body)"}`),
	}
}

// revokeCases are item 1: revoke answers that do not prove the refresh
// token dead.
func revokeCases() []Case {
	kept := func(name string, r *reply) Case {
		return Case{Name: name, Item: "1", revoke: r, Expect: DestroyKept}
	}
	failed := func(status int, text string) *reply {
		return &reply{Status: status, Body: envelope("revoke", false, "01", text)}
	}
	return []Case{
		kept("revoke-401-bearer-invalid-token", &reply{
			Status: 401, Header: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`},
			Body: fixed(`{"error":"invalid_token","error_description":"The access token is invalid or has expired"}`),
		}),
		kept("revoke-404-endpoint-not-found", failed(404, "Token revocation endpoint not found")),
		kept("revoke-400-unknown-hint", failed(400, "Unknown token_type_hint")),
		kept("revoke-403-access-token-audience", failed(403, "Token de acceso inválido para esta audiencia")),
		kept("revoke-400-token-bucket", failed(400, "Token bucket expired for this IP, slow down")),
		kept("revoke-200-success-code-01", &reply{Status: 200, Body: envelope("revoke", true, "01", "No se pudo eliminar el Refresh Token")}),
		{Name: "revoke-400-echo-php", Item: "1,3", Expect: DestroyKept, revoke: &reply{Status: 400, Body: func(x *exchange) []byte {
			return envelopeBody("revoke", false, "01", `Solicitud de revocación rechazada: {"client_secret":"`+
				phpJSON(x.ClientSecret)+`","refresh_token":"`+phpJSON(x.RefreshToken)+`"}`)
		}}},
	}
}

// lenientCases are items 2 and 5: success answers carrying a refresh token
// that fail a check the resource has no need for.
func lenientCases() []Case {
	ok := func(name string, edit func(x *exchange, m map[string]any)) Case {
		return Case{Name: name, Item: "2", Expect: Created, token: &reply{Status: 200, Body: success(edit)}}
	}
	expires := func(v any) func(*exchange, map[string]any) {
		return func(_ *exchange, m map[string]any) { m["expires_in"] = v }
	}
	around := func(name, before, after string) Case {
		return Case{Name: name, Item: "2,5", Expect: Created, token: &reply{Status: 200, Body: func(x *exchange) []byte {
			return []byte(before + string(success(nil)(x)) + after)
		}}}
	}
	return []Case{
		ok("expires-in-missing", func(_ *exchange, m map[string]any) { delete(m, "expires_in") }),
		ok("expires-in-zero", expires(0)),
		ok("expires-in-negative", expires(-3600)),
		ok("expires-in-1e30", expires(json.RawMessage("1e30"))),
		ok("expires-in-soon", expires("soon")),
		ok("success-yes", func(_ *exchange, m map[string]any) { m["success"] = "yes" }),
		ok("duplicate-scopes", func(x *exchange, m map[string]any) {
			f := strings.Fields(x.Scope)
			m["scope"] = strings.Join(append([]string{f[0]}, f...), " ")
		}),
		around("byte-order-mark", "\uFEFF", ""),
		around("trailing-bytes", "", "\n<!-- served by cache-7 -->\n"),
		{Name: "success-over-1MiB", Item: "5", Expect: NoTokenLost, token: &reply{Status: 200, Body: func(x *exchange) []byte {
			return splice(success(nil)(x), `"padding":"`+strings.Repeat("x", 1<<20+1024)+`"`)
		}}},
	}
}

// echoCases are items 3 and 4: error answers that quote the request's
// secrets, escaped or cut.
func echoCases() []Case {
	echo := func(name string, enc func(string) string) Case {
		return Case{Name: name, Item: "3", Expect: CreateFails, token: &reply{Status: 400, Body: func(x *exchange) []byte {
			return envelopeBody("authorization", false, "01", `Solicitud inválida: {"client_secret":"`+
				enc(x.ClientSecret)+`","password":"`+enc(x.Password)+`"}`)
		}}}
	}
	return []Case{
		echo("echo-php-json", phpJSON),
		echo("echo-php-hex-json", phpHexJSON),
		echo("echo-unicode-json", unicodeJSON),
		echo("echo-url-encoded", urlEscape),
		{Name: "echo-html-page", Item: "3", Expect: CreateFails, token: &reply{
			Status: 400, Header: map[string]string{"Content-Type": "text/html"},
			Body: func(x *exchange) []byte {
				return []byte("<html><body><h1>400 Bad request</h1><p>client_secret=" + htmlEscape(x.ClientSecret) +
					"</p><p>password=" + htmlEscape(x.Password) + "</p></body></html>")
			},
		}},
		{Name: "code-is-client-secret", Item: "4", Expect: CreateFails, token: &reply{Status: 401, Body: func(x *exchange) []byte {
			return envelopeBody("authorization", false, x.ClientSecret, "Credenciales inválidas")
		}}},
		{Name: "message-cut-at-512", Item: "4", Expect: CreateFails, token: &reply{Status: 400, Body: func(x *exchange) []byte {
			// The client shows "es_PE: " and the message cut at 512 bytes;
			// the cut leaves 13 characters of the password.
			head := prefixRunes(x.Password, 13)
			pad := strings.Repeat("scope=charges:read:merchant ", 20)[:512-len("es_PE: ")-len(head)]
			return envelopeBody("authorization", false, "01", pad+x.Password+" no es válido")
		}}},
		{Name: "trace-body-cut-at-8KiB", Item: "4", Expect: CreateFails, token: &reply{
			Status: 400, Header: map[string]string{"Content-Type": "text/html"},
			Body: func(x *exchange) []byte {
				// The TRACE log cuts a body that is not JSON at 8 KiB, 20
				// characters into the client secret.
				head := prefixRunes(x.ClientSecret, 20)
				pad := "<html><body>" + strings.Repeat("<p>request rejected</p>", 400)
				return []byte(pad[:8192-len(head)] + x.ClientSecret + "</body></html>")
			},
		}},
	}
}

// stateCases are item 6 and the smaller items: what reaches the state.
func stateCases() []Case {
	answer := func(name, item string, edit func(x *exchange, m map[string]any)) Case {
		return Case{Name: name, Item: item, Expect: NoTokenLost, token: &reply{Status: 200, Body: success(edit)}}
	}
	return []Case{
		answer("scope-holds-password", "6", func(x *exchange, m map[string]any) { m["scope"] = x.Scope + " " + x.Password }),
		answer("scope-holds-client-secret", "6", func(x *exchange, m map[string]any) { m["scope"] = x.ClientSecret + " " + x.Scope }),
		answer("token-type-holds-client-secret", "6", func(x *exchange, m map[string]any) { m["token_type"] = x.ClientSecret }),
		{Name: "refresh-token-invalid-utf8", Item: "smaller", Expect: NoTokenLost, token: &reply{Status: 200, Body: func(x *exchange) []byte {
			m := tokenAnswer(x, false)
			// Spliced in raw: Go's encoder would replace the invalid bytes.
			return splice(mustJSON(m), `"refresh_token":"`+x.refreshAs(randomToken("rt-", 20)+"\xff\xfe"+randomToken("", 20))+`"`)
		}}},
		{Name: "refresh-token-150-chars", Item: "smaller", Expect: NoTokenLost, UsesToken: true, token: &reply{Status: 200, Body: func(x *exchange) []byte {
			m := tokenAnswer(x, false)
			m["refresh_token"] = x.refreshAs(randomToken("rt-", 147))
			return mustJSON(m)
		}}},
	}
}

func fixed(body string) func(*exchange) []byte {
	return func(*exchange) []byte { return []byte(body) }
}

// splice adds a raw member to the end of a JSON object.
func splice(object []byte, member string) []byte {
	return append(append(object[:len(object)-1:len(object)-1], ","+member...), '}')
}
