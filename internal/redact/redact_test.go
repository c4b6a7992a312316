package redact

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/payme-community/terraform-provider-payme/internal/hostile"
)

// Secrets used by the tests, each with a distinctive core that must never
// show up in an output; the client secret also holds characters that JSON
// escapes, so that escaped echoes are exercised too.
const (
	testClientSecret = `cs-Kx7Qw9Zr&<x>"secret"`
	testPassword     = "pw-Hn2Vb8Lp-ñandú"
	testRefresh      = "rt-Tq4Mz6Yc-OqLWq5BoSm3ZHbfaY"
)

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, core := range []string{"Kx7Qw9Zr", "Hn2Vb8Lp", "Tq4Mz6Yc"} {
		if strings.Contains(s, core) {
			t.Errorf("%s leaks a secret (%q): %s", what, core, s)
		}
	}
}

func TestCleanMasksEveryForm(t *testing.T) {
	t.Parallel()
	secrets := []string{testClientSecret, testPassword, "b64/Secret+Value==/with&<>\"quotes\"", "ñandú-€-𝄞-secreto-largo"}
	for si, secret := range secrets {
		for ei, enc := range hostile.Encoders {
			t.Run(fmt.Sprintf("secret %d encoding %d", si, ei), func(t *testing.T) {
				t.Parallel()
				s := New(secret)
				for _, text := range []string{
					"rechazado: " + enc(secret) + " fin",
					enc(secret),
					"only a piece: " + enc(secret[:pieceLen+1]),
				} {
					out := s.Clean(text)
					if hostile.HoldsPiece(out, secret) {
						t.Errorf("clean leaks secret %d in encoding %d", si, ei)
					}
					// Long texts cut at every length: the cut never shows a prefix.
					long := strings.Repeat("x", 500) + text
					for n := 490; n < len(long); n += 3 {
						if hostile.HoldsPiece(s.Clip(long, n), secret) {
							t.Fatalf("cleanClip(%d) leaks secret %d in encoding %d", n, si, ei)
						}
					}
				}
			})
		}
	}
}

func TestCleanKeepsWhatHoldsNoSecret(t *testing.T) {
	t.Parallel()
	s := New(testClientSecret, testRefresh)
	tests := []struct{ in, want string }{
		{"Refresh Token inválido o revocado", "Refresh Token inválido o revocado"},
		{"Refresh Token " + testRefresh + " inválido", "Refresh Token *** inválido"},
		{`{"msg":"` + strings.ReplaceAll(testClientSecret, `"`, `\"`) + `"}`, `{"msg":"***"}`},
		{"prefix " + testRefresh[:pieceLen] + " only", withheld},
		{"bad\xffbyte", "bad\uFFFDbyte"},
	}
	for _, tt := range tests {
		if got := s.Clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCleanGate: for random secrets, encodings, positions and cut lengths,
// what clean and cleanClip return never holds a piece of a secret.
func FuzzCleanGate(f *testing.F) {
	f.Add("cs-Kx7Qw9Zr&<x>\"secret\"", "pw/+=ñ", "pre ", " post", uint8(2), uint16(30))
	f.Add("b64/Secret+Value==", "€𝄞<>&\"'", "", "", uint8(4), uint16(7))
	f.Add("short", "a-rather-long-password/with=stuff", "{\"x\":\"", "\"}", uint8(7), uint16(512))
	f.Fuzz(func(t *testing.T, secret, other, prefix, suffix string, enc uint8, clipAt uint16) {
		// Under 4 bytes, the bytes that ordinary words decode to (as base64
		// or hex) hold a secret by chance: the scan finds one in anything.
		if len(secret) < 4 || hostile.HoldsPiece(withheld+" "+mask+"…", secret) {
			return
		}
		s := New(secret, other)
		e := hostile.Encoders[int(enc)%len(hostile.Encoders)]
		text := prefix + e(secret) + suffix + e(other)
		for _, out := range []string{s.Clean(text), s.Clip(text, int(clipAt)), s.Body([]byte(text), 8<<10)} {
			if hostile.HoldsPiece(out, secret) {
				t.Fatalf("output holds a piece of the secret (encoding %d)", int(enc)%len(hostile.Encoders))
			}
		}
	})
}

// TestCleanMasksRatherThanWithholds: the forms servers commonly use are
// masked in place, so the rest of the message stays readable.
func TestCleanMasksRatherThanWithholds(t *testing.T) {
	t.Parallel()
	secret := "b64/Secret+Value==/with&<>\"quotes\"ñ"
	s := New(secret)
	for i, enc := range hostile.Encoders[:4] {
		if got := s.Clean("bad: " + enc(secret) + "."); got != "bad: ***." {
			t.Errorf("encoding %d: clean gave %q", i, got)
		}
	}
	for i, enc := range []func(string) string{html.EscapeString, url.QueryEscape, url.PathEscape} {
		if got := s.Clean("bad: " + enc(secret) + "."); got != "bad: ***." {
			t.Errorf("escaping %d: clean gave %q", i, got)
		}
	}
}

func TestBody(t *testing.T) {
	t.Parallel()
	secrets := New(testClientSecret, testPassword)
	tests := []struct {
		name string
		body string
		want []string // substrings expected
	}{
		{"request", `{"client_secret":` + jsonString(testClientSecret) + `,"password":` + jsonString(testPassword) + `,"client_id":"id"}`, []string{`"client_secret":"***"`, `"password":"***"`, `"client_id":"id"`}},
		{"nested answer", `{"x":[{"access_token":"abc","refresh_token":"def"}]}`, []string{`"access_token":"***"`, `"refresh_token":"***"`}},
		{"not JSON echoing a secret", "<p>" + testClientSecret + "</p>", []string{"<p>***</p>"}},
		{"JSON echoing an escaped secret", `{"msg":` + jsonString("bad "+testClientSecret) + `}`, []string{`"msg":"bad ***"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := secrets.Body([]byte(tt.body), 8<<10)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Body = %s, lacks %s", got, w)
				}
			}
			for _, s := range []string{"abc", "def"} {
				if strings.Contains(got, `"`+s+`"`) {
					t.Errorf("Body = %s, leaks %s", got, s)
				}
			}
			assertNoSecret(t, "Body", got)
		})
	}
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '&':
			b.WriteString(`\u0026`)
		case '<':
			b.WriteString(`\u003c`)
		case '>':
			b.WriteString(`\u003e`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
