package hostile

import (
	"fmt"
	"html"
	"math/rand/v2"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The escapings below are how real servers echo a request: Go's encoder is
// the one the client already knows; the others are what it must also know.

// phpJSON is PHP's json_encode with default flags: "/" as "\/", non-ASCII as
// "\uXXXX" (lower-case hex), quotes and backslashes escaped.
func phpJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			writeUnicode(&b, r, "\\u%04x")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phpHexJSON is json_encode with JSON_HEX_TAG|JSON_HEX_AMP|JSON_HEX_QUOT|
// JSON_HEX_APOS: those characters as upper-case "\u003C" and the like, which
// Go's encoder spells "\u003c".
func phpHexJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '<', '>', '&', '"', '\'':
			fmt.Fprintf(&b, "\\u%04X", r)
		default:
			b.WriteString(phpJSON(string(r)))
		}
	}
	return b.String()
}

// unicodeJSON escapes every character as "\uXXXX", as some encoders in
// "ASCII-safe" mode do.
func unicodeJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		writeUnicode(&b, r, "\\u%04X")
	}
	return b.String()
}

func writeUnicode(b *strings.Builder, r rune, format string) {
	if r > 0xffff {
		r1, r2 := utf16Pair(r)
		fmt.Fprintf(b, format+format, r1, r2)
		return
	}
	fmt.Fprintf(b, format, r)
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xd800 + (r>>10)&0x3ff, 0xdc00 + r&0x3ff
}

// htmlEscape is what a templated HTML error page prints.
func htmlEscape(s string) string { return html.EscapeString(s) }

// urlEscape is a value as a query string carries it.
func urlEscape(s string) string { return url.QueryEscape(s) }

// credentialRunes are the characters credentials are drawn from: the
// base64 alphabet plus what JSON, HTML and URLs escape, and non-ASCII.
var credentialRunes = []rune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+=\"<>&'ñé")

// Credential returns a random secret of n characters that holds at least
// one of each character some escaping changes, so that every escaping
// differs from the raw value.
func Credential(n int) string {
	special := []rune(`/+="<>&'ñ`)
	r := make([]rune, 0, n)
	r = append(r, special[:min(n, len(special))]...)
	for len(r) < n {
		r = append(r, credentialRunes[rand.IntN(len(credentialRunes))]) //nolint:gosec // test data
	}
	rand.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] }) //nolint:gosec // test data
	return string(r)
}

// prefixRunes returns the first n characters of s.
func prefixRunes(s string, n int) string {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i]
}
