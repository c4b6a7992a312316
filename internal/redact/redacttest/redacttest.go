// Package redacttest helps tests prove that an output holds no secret: the
// ways a server echoes a secret, and a check for any piece of one. It is
// written apart from package redact on purpose, so that a test does not
// judge the gate by the gate's own code.
package redacttest

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf16"
)

// PieceLen is the longest piece of a secret an output may hold; a shorter
// secret may not appear whole.
const PieceLen = 12

// HoldsPiece reports whether out holds a PieceLen-byte piece of secret, or
// the whole secret when it is shorter, read raw, HTML- or URL-unescaped.
func HoldsPiece(out, secret string) bool {
	views := []string{out, html.UnescapeString(out)}
	if u, err := url.PathUnescape(out); err == nil {
		views = append(views, u)
	}
	for _, v := range views {
		if len(secret) < PieceLen {
			if strings.Contains(v, secret) {
				return true
			}
			continue
		}
		for i := 0; i+PieceLen <= len(secret); i++ {
			if strings.Contains(v, secret[i:i+PieceLen]) {
				return true
			}
		}
	}
	return false
}

var jsonEscapes = regexp.MustCompile(`(?:\\u[0-9a-fA-F]{4})+|\\[^u]`)

// UnescapeJSON decodes JSON string escapes wherever they appear in s (a log
// line, an error quoting a JSON body), leaving broken ones as they are but
// for the backslash.
func UnescapeJSON(s string) string {
	return jsonEscapes.ReplaceAllStringFunc(s, func(e string) string {
		var r string
		if json.Unmarshal([]byte(`"`+e+`"`), &r) != nil {
			return e[1:]
		}
		return r
	})
}

// Encoders are the ways a server echoes a secret.
var Encoders = []func(string) string{
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
