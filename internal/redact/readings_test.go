package redact

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/payme-community/terraform-provider-payme/internal/hostile"
)

// TestCleanReadsEveryEncoding: a secret in any encoding a log search or a
// person undoes, or in a nest of them, is withheld; text that only looks
// encoded is kept.
func TestCleanReadsEveryEncoding(t *testing.T) {
	t.Parallel()
	secret := testClientSecret
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	jsonOf := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	body := `{"client_id":"id","client_secret":` + jsonOf(secret) + `,"password":` + jsonOf(testPassword) + `}`
	leaks := map[string]string{
		"base64 of the request body":   "decode me: " + b64(body),
		"base64 at offset 1":           b64("x" + secret),
		"base64 at offset 2, raw url":  base64.RawURLEncoding.EncodeToString([]byte("xy" + secret)),
		"base64 glued to a word":       "BasicAuth" + b64(secret),
		"base64 padded parts joined":   b64(secret[:7]) + b64(secret[7:]),
		"hex":                          hex.EncodeToString([]byte(secret)),
		"hex upper case, odd start":    "0x" + strings.ToUpper(hex.EncodeToString([]byte("!"+secret))),
		"UTF-16LE":                     hostile.Encoders[len(hostile.Encoders)-6](secret),
		"UTF-16BE with BOM":            "\xfe\xff" + hostile.Encoders[len(hostile.Encoders)-5](secret)[2:],
		"UTF-32":                       hostile.Encoders[len(hostile.Encoders)-3](secret),
		"Basic":                        "Authorization: Basic " + hostile.Basic("yhaPE3jtHXHMKUZBBFr9QS1x1FaXxr", secret, false),
		"Basic, form-encoded":          "Basic " + hostile.Basic("id with space", secret, true),
		"base64 in JSON (\\/ escaped)": strings.ReplaceAll(jsonOf(b64("??"+secret+"??")), "/", `\/`),
		"base64 percent-encoded":       url.QueryEscape(b64(secret)),
		"base64 of base64":             b64(b64(secret)),
		"hex of UTF-16":                hex.EncodeToString([]byte(hostile.Encoders[len(hostile.Encoders)-6](secret))),
		"base64 of the password":       base64.RawURLEncoding.EncodeToString([]byte(testPassword)),
		"JSON-escaped UTF-16 bytes":    strings.ReplaceAll(jsonOf(hostile.Encoders[len(hostile.Encoders)-6](testPassword)), `\u0000`, `\u0000`),
		"HTML-escaped, then JSON":      jsonOf("&#34;" + secret[1:]),
	}
	s := New(secret, testPassword)
	for name, text := range leaks {
		if got := s.Clean("Pay-me says: " + text + " (sic)"); got != withheld {
			t.Errorf("%s: kept %q", name, got)
		}
	}
	kept := []string{
		"trace " + hex.EncodeToString([]byte("a request id, not a secret")),
		"token " + base64.StdEncoding.EncodeToString([]byte("some other credential entirely")),
		"Refresh Token inválido o revocado",
		strings.Repeat("A", 4096),
	}
	for _, text := range kept {
		if got := s.Clean(text); got != text {
			t.Errorf("Clean(%.40q) = %.40q, want it kept", text, got)
		}
	}
}

// TestCleanAllJudgesAnAnswerAsOne: a secret cut into pieces shorter than a
// piece, spread over the texts of one answer in any order or encoding, is
// withheld from every text; texts that quote nothing are kept, masked.
func TestCleanAllJudgesAnAnswerAsOne(t *testing.T) {
	t.Parallel()
	s := New(testRefresh, testClientSecret)
	cut := func(v string, n int) []string {
		var out []string
		for len(v) > n {
			out, v = append(out, v[:n]), v[n:]
		}
		return append(out, v)
	}
	p := cut(testRefresh, pieceLen-1) // 11, 11 and 6 bytes
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := map[string][]string{
		"in order":           {"01", p[0], p[1], p[2]},
		"reversed":           {p[2], p[1], p[0]},
		"behind labels":      {"invalid_request: " + p[1], "es_PE: " + p[0]},
		"each in base64":     {b64(p[0]), b64(p[1]), b64(p[2])},
		"each in hex":        {hex.EncodeToString([]byte(p[1])), hex.EncodeToString([]byte(p[0]))},
		"JSON escape cut":    {`\u00`, `41` + p[0], p[1]},
		"client secret cuts": cut(testClientSecret, 5),
	}
	for name, texts := range tests {
		for i, got := range s.CleanAll(texts...) {
			if got != withheld {
				t.Errorf("%s: text %d kept as %q", name, i, got)
			}
		}
	}
	plain := []string{"01", "es_PE: Refresh Token " + testRefresh + " inválido", "invalid_grant: revoked"}
	want := []string{"01", "es_PE: Refresh Token *** inválido", "invalid_grant: revoked"}
	for i, got := range s.CleanAll(plain...) {
		if got != want[i] {
			t.Errorf("text %d: %q, want %q", i, got, want[i])
		}
	}
}

// TestCleanBoundsItsWork: a text crafted to need more readings than the
// gate gives one text is withheld rather than read in part.
func TestCleanBoundsItsWork(t *testing.T) {
	t.Parallel()
	s := New(testRefresh)
	nest := "x"
	for range 6 {
		nest = url.QueryEscape(`\u0026amp;` + nest + base64.StdEncoding.EncodeToString([]byte(nest+"+0123456789abcdef0123456789")))
	}
	if _, ok := s.readings(nest, false); ok {
		t.Skip("the nest fits; nothing to check")
	}
	if got := s.Clean(nest); got != withheld {
		t.Errorf("a text past the reading bound was kept")
	}
}
