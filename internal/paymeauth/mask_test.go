package paymeauth

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"
)

// holdsPiece reports whether out holds a pieceLen-byte piece of secret, or
// the whole secret when it is shorter, read raw, HTML- or URL-unescaped.
func holdsPiece(out, secret string) bool {
	views := []string{out, html.UnescapeString(out)}
	if u, err := url.PathUnescape(out); err == nil {
		views = append(views, u)
	}
	for _, v := range views {
		if len(secret) < pieceLen {
			if strings.Contains(v, secret) {
				return true
			}
			continue
		}
		for i := 0; i+pieceLen <= len(secret); i++ {
			if strings.Contains(v, secret[i:i+pieceLen]) {
				return true
			}
		}
	}
	return false
}

// encoders are the ways a server echoes a secret.
var encoders = []func(string) string{
	func(s string) string { return s },
	func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
	func(s string) string { // PHP's json_encode
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`)
	},
	func(s string) string { // every character as \uXXXX, upper-case hex
		var b strings.Builder
		for _, u := range utf16.Encode([]rune(s)) {
			fmt.Fprintf(&b, `\u%04X`, u)
		}
		return b.String()
	},
	func(s string) string { // only some characters escaped
		var b strings.Builder
		for i, r := range s {
			if i%3 == 0 && r < 0x10000 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
		return b.String()
	},
	html.EscapeString,
	func(s string) string { return strings.ReplaceAll(html.EscapeString(s), "&#34;", "&quot;") },
	url.QueryEscape,
	url.PathEscape,
	func(s string) string { b, _ := json.Marshal(url.QueryEscape(s)); return string(b) },
	func(s string) string { return html.EscapeString(strings.ReplaceAll(s, "/", `\/`)) },
}

func TestCleanMasksEveryForm(t *testing.T) {
	t.Parallel()
	secrets := []string{testClientSecret, testPassword, "b64/Secret+Value==/with&<>\"quotes\"", "ñandú-€-𝄞-secreto-largo"}
	for si, secret := range secrets {
		for ei, enc := range encoders {
			t.Run(fmt.Sprintf("secret %d encoding %d", si, ei), func(t *testing.T) {
				t.Parallel()
				s := newSecretSet(secret)
				for _, text := range []string{
					"rechazado: " + enc(secret) + " fin",
					enc(secret),
					"only a piece: " + enc(secret[:pieceLen+1]),
				} {
					out := s.clean(text)
					if holdsPiece(out, secret) {
						t.Errorf("clean leaks secret %d in encoding %d", si, ei)
					}
					// Long texts cut at every length: the cut never shows a prefix.
					long := strings.Repeat("x", 500) + text
					for n := 490; n < len(long); n += 3 {
						if holdsPiece(s.cleanClip(long, n), secret) {
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
	s := newSecretSet(testClientSecret, testRefresh)
	tests := []struct{ in, want string }{
		{"Refresh Token inválido o revocado", "Refresh Token inválido o revocado"},
		{"Refresh Token " + testRefresh + " inválido", "Refresh Token *** inválido"},
		{`{"msg":"` + strings.ReplaceAll(testClientSecret, `"`, `\"`) + `"}`, `{"msg":"***"}`},
		{"prefix " + testRefresh[:pieceLen] + " only", withheld},
		{"bad\xffbyte", "bad\uFFFDbyte"},
	}
	for _, tt := range tests {
		if got := s.clean(tt.in); got != tt.want {
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
		if secret == "" || strings.Contains(withheld+mask+"…", secret) && len(secret) < pieceLen {
			return
		}
		for i := 0; i+pieceLen <= len(secret); i++ {
			if strings.Contains(withheld, secret[i:i+pieceLen]) {
				return
			}
		}
		s := newSecretSet(secret, other)
		e := encoders[int(enc)%len(encoders)]
		text := prefix + e(secret) + suffix + e(other)
		for _, out := range []string{s.clean(text), s.cleanClip(text, int(clipAt)), s.maskBody([]byte(text))} {
			if holdsPiece(out, secret) {
				t.Fatalf("output holds a piece of the secret (encoding %d)", int(enc)%len(encoders))
			}
		}
	})
}

// TestCleanMasksRatherThanWithholds: the forms servers commonly use are
// masked in place, so the rest of the message stays readable.
func TestCleanMasksRatherThanWithholds(t *testing.T) {
	t.Parallel()
	secret := "b64/Secret+Value==/with&<>\"quotes\"ñ"
	s := newSecretSet(secret)
	for i, enc := range encoders[:4] {
		if got := s.clean("bad: " + enc(secret) + "."); got != "bad: ***." {
			t.Errorf("encoding %d: clean gave %q", i, got)
		}
	}
	for i, enc := range []func(string) string{html.EscapeString, url.QueryEscape, url.PathEscape} {
		if got := s.clean("bad: " + enc(secret) + "."); got != "bad: ***." {
			t.Errorf("escaping %d: clean gave %q", i, got)
		}
	}
}
