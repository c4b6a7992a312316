package paymeauth

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/payme-community/terraform-provider-payme/internal/redact"
)

// TestDecodeFlexibleForms: the documented answer shapes, and the variants
// another Pay-me API family uses (string success, string expires_in).
func TestDecodeFlexibleForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		wantTTL   int64
		wantScope []string
	}{
		{"documented", `{"action":"authorize","success":true,"access_token":"eyJ","refresh_token":"p11t","scope":"create:token post:charges offline_access","expires_in":86400,"token_type":"Bearer","authorization":{"meta":{"status":{"code":"00","message_ilgn":[{"locale":"es_PE","value":"Access Token creado"}]}}}}`, 86400, []string{"create:token", "post:charges", "offline_access"}},
		{"string success and expires_in", `{"success":"true","access_token":"eyJ","refresh_token":"p11t","expires_in":"8600","scope":"create:token  api-test:create:token"}`, 8600, []string{"create:token", "api-test:create:token"}},
		{"upper-case string success", `{"success":"TRUE","access_token":"eyJ","refresh_token":"p11t","expires_in":" 60 ","scope":"a"}`, 60, []string{"a"}},
		{"integral float expires_in", `{"success":true,"access_token":"eyJ","refresh_token":"p11t","expires_in":86400.0,"scope":"a"}`, 86400, []string{"a"}},
		{"no success field, Auth0 style", `{"access_token":"eyJ","refresh_token":"p11t","expires_in":10,"token_type":"Bearer"}`, 10, []string{"create:token", "offline_access"}},
		{"scope omitted means as requested", `{"success":true,"access_token":"eyJ","refresh_token":"p11t","expires_in":10}`, 10, []string{"create:token", "offline_access"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, raw(200, "application/json", tt.body))
			c := newTestClient(t, f.srv.URL, nil)
			tok, err := c.Token(context.Background(), offlineReq)
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "eyJ" || tok.RefreshToken != "p11t" || tok.ExpiresIn != tt.wantTTL {
				t.Errorf("token = %+v", tok)
			}
			if !reflect.DeepEqual(tok.Scopes, tt.wantScope) {
				t.Errorf("Scopes = %q, want %q", tok.Scopes, tt.wantScope)
			}
			if got := tok.ExpiresAt.Sub(tok.IssuedAt).Seconds(); int64(got) != tt.wantTTL {
				t.Errorf("ExpiresAt - IssuedAt = %vs", got)
			}
		})
	}
}

func TestDecodeEnvelopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		op       string
		body     string
		wantCode string
		wantMsgs []string
	}{
		{"token envelope", opToken, `{"success":false,"authorization":{"meta":{"status":{"code":"01","message_ilgn":[{"locale":"es_PE","value":"Credenciales inválidas"},{"value":"sin locale"}]}}}}`, "01", []string{"es_PE: Credenciales inválidas", "sin locale"}},
		{"revoke envelope", opRevoke, `{"success":false,"revoke":{"meta":{"status":{"code":"01","message_ilgn":[{"locale":"es_PE","value":"Refresh Token inválido"}]}}}}`, "01", []string{"es_PE: Refresh Token inválido"}},
		{"other envelope name", opRevoke, `{"success":false,"authorization":{"meta":{"status":{"code":"01","message_ilgn":[{"locale":"es_PE","value":"x"}]}}}}`, "01", []string{"es_PE: x"}},
		{"numeric code, single message object", opToken, `{"success":false,"authorization":{"meta":{"status":{"code":1,"message_ilgn":{"locale":"en_US","value":"bad"}}}}}`, "1", []string{"en_US: bad"}},
		{"message list of strings", opToken, `{"success":false,"authorization":{"meta":{"status":{"code":"01","message_ilgn":["uno","dos"]}}}}`, "01", []string{"uno", "dos"}},
		{"odd envelope ignored", opToken, `{"success":false,"authorization":"nope"}`, "", nil},
		{"auth0 error", opToken, `{"error":"access_denied","error_description":"Unauthorized"}`, "", []string{"access_denied: Unauthorized"}},
		{"too many messages", opToken, `{"authorization":{"meta":{"status":{"message_ilgn":["1","2","3","4","5","6","7","8","9","10"]}}}}`, "", []string{"1", "2", "3", "4", "5", "6", "7", "8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := parseAnswer([]byte(tt.body), tt.op)
			if !a.parsed {
				t.Fatal("not parsed")
			}
			if a.code != tt.wantCode || !reflect.DeepEqual(a.messages, tt.wantMsgs) {
				t.Errorf("code %q messages %q, want %q %q", a.code, a.messages, tt.wantCode, tt.wantMsgs)
			}
		})
	}
}

// FuzzDecodeAnswer checks decodeAnswer never panics and keeps its promises:
// a nil verdict only for a 2xx answer that carries everything a caller
// relies on, otherwise exactly one sentinel with the status deciding the
// kind of non-2xx answers.
func FuzzDecodeAnswer(f *testing.F) {
	seeds := []string{
		`{"action":"authorize","success":true,"access_token":"eyJ","refresh_token":"p11t","scope":"create:token post:charges offline_access","expires_in":86400,"token_type":"Bearer","authorization":{"meta":{"status":{"code":"00","message_ilgn":[{"locale":"es_PE","value":"Access Token creado"}]}}}}`,
		`{"success":"true","access_token":"x","expires_in":"8600"}`,
		`{"success":false,"authorization":{"meta":{"status":{"code":"01","message_ilgn":[{"locale":"es_PE","value":"Refresh Token inválido o revocado"}]}}}}`,
		`{"action":"revoke","success":true,"revoke":{"meta":{"status":{"code":"00","message_ilgn":[{"locale":"es_PE","value":"Refresh Token eliminado"}]}}}}`,
		`{"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}`,
		`{"success":true,"access_token":"x","expires_in":1e400}`,
		`{"success":true,"access_token":"x","expires_in":-1}`,
		`{"success":true,"access_token":"x","expires_in":"0x10"}`,
		`<html>502 Bad Gateway</html>`,
		``,
		`null`,
		`{"success":true,"access_token":"x"`,
	}
	for i, s := range seeds {
		for _, st := range []int{200, 400, 401, 502} {
			f.Add(st, []byte(s), i%2 == 0, i%3 == 0, i%4 == 0, false)
		}
	}
	f.Add(200, []byte(`{"access_token":"x","expires_in":5}`), false, true, false, true)
	f.Fuzz(func(t *testing.T, status int, body []byte, sentRefresh, needRefresh, revoke, truncated bool) {
		status = 100 + abs(status)%500
		op := opToken
		if revoke {
			op = opRevoke
		}
		out := decodeAnswer(decodeInput{op: op, status: status, body: body, truncated: truncated, sentRefresh: sentRefresh, needRefresh: needRefresh})
		a := out.ans
		if len(a.messages) > maxMessages {
			t.Fatalf("%d messages", len(a.messages))
		}
		for _, m := range a.messages {
			if !utf8.ValidString(redact.New("x").Clip(m, maxMessageLen)) {
				t.Fatalf("bad message %q", m)
			}
		}
		if out.kind == nil {
			if status < 200 || status > 299 || truncated {
				t.Fatalf("success on status %d (truncated %v)", status, truncated)
			}
			if op == opToken {
				if a.AccessToken.S == "" || (a.ExpiresIn.n < 0) {
					t.Fatalf("success without token or with a bad lifetime: %+v", a)
				}
				if needRefresh && a.refreshToken == "" || a.refreshProblem() != "" {
					t.Fatal("success without the required refresh token, or with one that cannot be stored")
				}
				if a.Success.Set && !a.Success.V {
					t.Fatal("success although success is false")
				}
			}
			return
		}
		n := 0
		for _, k := range allKinds {
			if errors.Is(out.kind, k) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("verdict %v matches %d sentinels", out.kind, n)
		}
		if errors.Is(out.kind, ErrInvalidToken) && !sentRefresh {
			t.Fatal("invalid token without a refresh token sent")
		}
		temporary := status == http.StatusTooManyRequests || (status >= 500 && status != 501)
		if temporary != errors.Is(out.kind, ErrTemporary) {
			t.Fatalf("status %d gave %v", status, out.kind)
		}
		if errors.Is(out.kind, ErrMalformed) && (status < 200 || status > 299) {
			t.Fatalf("malformed on status %d", status)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		if n == -n { // math.MinInt
			return 0
		}
		return -n
	}
	return n
}
