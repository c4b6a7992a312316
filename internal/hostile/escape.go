package hostile

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/url"
	"strings"
	"unicode/utf16"
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

// Encoders are the ways a server echoes a secret, for unit tests of the
// secret gate: the first four are JSON encoders (Go's, PHP's, every
// character as an upper-case \uXXXX escape); the gate must mask those in
// place rather than withhold the text. The binary encodings come last.
var Encoders = append([]func(string) string{
	func(s string) string { return s },
	func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
	func(s string) string { // PHP's json_encode, ASCII only
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`)
	},
	func(s string) string {
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
	phpJSON,
	phpHexJSON,
	htmlEscape,
	func(s string) string { return strings.ReplaceAll(html.EscapeString(s), "&#34;", "&quot;") },
	urlEscape,
	url.PathEscape,
	func(s string) string { b, _ := json.Marshal(url.QueryEscape(s)); return string(b) },
	func(s string) string { return html.EscapeString(strings.ReplaceAll(s, "/", `\/`)) },
}, binaryEncoders...)

// BasicClientID is the client ID the Basic encoder pairs a secret with.
const BasicClientID = "hostile-client"

// Binary encodings a log search or a person undoes: base64 and base64url,
// padded or not, with the secret at each of the three alignments after a
// prefix; hex in either case; UTF-16 and UTF-32 in both byte orders, with
// and without a byte-order mark; and the HTTP Basic credentials
// base64(client_id:client_secret), plain and with both parts
// form-encoded first (RFC 6749, section 2.3.1).
var binaryEncoders = []func(string) string{
	func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
	func(s string) string { return base64.StdEncoding.EncodeToString([]byte("x" + s)) },
	func(s string) string { return base64.RawStdEncoding.EncodeToString([]byte("xy" + s)) },
	func(s string) string { return base64.URLEncoding.EncodeToString([]byte("note: " + s + " end")) },
	func(s string) string { return hex.EncodeToString([]byte(s)) },
	func(s string) string { return strings.ToUpper(hex.EncodeToString([]byte(s))) },
	func(s string) string { return utf16String(s, binary.LittleEndian, false) },
	func(s string) string { return utf16String(s, binary.BigEndian, true) },
	func(s string) string { return utf32String(s, binary.LittleEndian, true) },
	func(s string) string { return utf32String(s, binary.BigEndian, false) },
	func(s string) string { return "Basic " + Basic(BasicClientID, s, false) },
	func(s string) string { return "Basic " + Basic(BasicClientID, s, true) },
}

// Basic is the HTTP Basic credentials of a client, its parts form-encoded
// first if form (RFC 6749, section 2.3.1).
func Basic(id, secret string, form bool) string {
	if form {
		id, secret = url.QueryEscape(id), url.QueryEscape(secret)
	}
	return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
}

func utf16String(s string, order binary.AppendByteOrder, bom bool) string {
	var b []byte
	if bom {
		b = order.AppendUint16(b, 0xfeff)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return string(b)
}

func utf32String(s string, order binary.AppendByteOrder, bom bool) string {
	var b []byte
	if bom {
		b = order.AppendUint32(b, 0xfeff)
	}
	for _, r := range s {
		b = order.AppendUint32(b, uint32(r)) //nolint:gosec // a rune is never negative
	}
	return string(b)
}
