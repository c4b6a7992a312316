// Package redact is the secret gate: it masks every form in which a server
// may echo a secret it was sent or a token it issued, and withholds any text
// that still quotes a piece of one. Text is masked before it is cut, never
// the reverse, since a cut secret would escape the masks.
package redact

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	mask = "***"
	// withheld replaces any text that still quotes a piece of a secret once
	// the known forms of every secret are masked.
	withheld = "message withheld: it quoted a credential"
	pieceLen = 12 // longest piece of a secret allowed to survive; a shorter secret may not appear whole
)

// Set holds every secret one call knows: what the request carried and every
// token an answer carried. The zero value is not usable; call New.
type Set struct {
	forms  []string            // echoed forms, longest first
	pieces map[string]struct{} // every pieceLen-byte window, or the whole secret if shorter
}

// New returns a Set holding values (empty ones are ignored).
func New(values ...string) *Set {
	s := &Set{pieces: map[string]struct{}{}}
	s.Add(values...)
	return s
}

// Add records values with the forms a server may echo them in: raw,
// JSON-escaped by Go (with and without HTML escaping), by PHP (`\/`) or
// with every character as \uXXXX, HTML-escaped and URL-encoded. Other
// spellings are left to the gate.
func (s *Set) Add(values ...string) {
	for _, v := range values {
		if v == "" {
			continue
		}
		if !utf8.ValidString(v) {
			// Decoders and the gate show invalid bytes as U+FFFD, one per
			// byte or one per run: those spellings are forms too.
			s.Add(string([]rune(v)), strings.ToValidUTF8(v, "\uFFFD"))
		}
		b, _ := json.Marshal(v)
		goJSON := string(b[1 : len(b)-1])
		j := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(goJSON)
		var lo, up strings.Builder
		for _, u := range utf16.Encode([]rune(v)) {
			fmt.Fprintf(&lo, `\u%04x`, u)
			fmt.Fprintf(&up, `\u%04X`, u)
		}
		s.forms = append(s.forms, v, j, strings.ReplaceAll(j, "/", `\/`), goJSON, strings.ReplaceAll(goJSON, "/", `\/`),
			lo.String(), up.String(), html.EscapeString(v), url.QueryEscape(v), url.PathEscape(v))
		for i := 0; i+pieceLen <= max(len(v), pieceLen); i++ {
			s.pieces[v[i:min(i+pieceLen, len(v))]] = struct{}{}
		}
	}
	slices.SortFunc(s.forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	s.forms = slices.Compact(s.forms)
}

// AddFound adds the values of the sensitive keys of body (client_secret,
// password and the tokens), decoded, so that they are masked wherever else
// the body or an error repeats them. body need not be clean JSON.
func (s *Set) AddFound(body []byte) {
	var found []string
	for _, m := range sensitiveValue.FindAllSubmatch(body, -1) {
		v := string(m[2])
		if len(v) > 1 && v[0] == '"' { // a body cut just after the quote leaves `"` alone
			v = jsonUnescape(v[1 : len(v)-1])
		}
		found = append(found, v)
	}
	s.Add(found...)
}

// Forms returns every form of every secret, longest first, for maskers
// downstream (log sinks); do not modify it.
func (s *Set) Forms() []string { return s.forms }

// Clean masks every known form of every secret in t, then withholds t
// entirely if any reading of it still holds a piece of a secret.
func (s *Set) Clean(t string) string {
	t = strings.ToValidUTF8(t, "\uFFFD")
	for _, f := range s.forms {
		t = strings.ReplaceAll(t, f, mask)
	}
	if s.quotes(t) {
		return withheld
	}
	return t
}

// Clip is Clean, then a cut to at most n bytes, checked again since the
// ellipsis could complete a piece.
func (s *Set) Clip(t string, n int) string {
	t = s.Clean(t)
	if len(t) <= n {
		return t
	}
	for n > 0 && !utf8.RuneStart(t[n]) {
		n--
	}
	if t = t[:n] + "…"; s.quotes(t) {
		return withheld
	}
	return t
}

// Body renders a body for a log, clean JSON or not: every sensitive key's
// value replaced, then cleaned, then cut to n bytes.
func (s *Set) Body(body []byte, n int) string {
	return s.Clip(string(sensitiveValue.ReplaceAll(body, []byte(`$1"`+mask+`"`))), n)
}

var (
	jsonEscapes = regexp.MustCompile(`(?:\\u[0-9a-fA-F]{4})+|\\[^u]`)
	urlEscapes  = regexp.MustCompile(`%[0-9a-fA-F]{2}`)
	// sensitiveValue finds the value of a sensitive JSON key in any text
	// (a cut body, an object with trailing bytes, an HTML page).
	sensitiveValue = regexp.MustCompile(`(?i)("(?:client_secret|password|access_token|refresh_token|id_token)"\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)`)
)

// quotes reads t raw, JSON-, HTML- and URL-unescaped, and each of those
// unescaped again, and looks for a piece of a secret in any reading.
func (s *Set) quotes(t string) bool {
	views := []string{t}
	for range 2 {
		for _, v := range views {
			for _, d := range []string{jsonUnescape(v), html.UnescapeString(v), urlEscapes.ReplaceAllStringFunc(v, func(e string) string {
				b, _ := strconv.ParseUint(e[1:], 16, 8)
				return string([]byte{byte(b)})
			}), strings.ReplaceAll(v, "+", " ")} {
				if !slices.Contains(views, d) {
					views = append(views, d)
				}
			}
		}
	}
	for _, v := range views {
		for p := range s.pieces {
			if len(p) < pieceLen && strings.Contains(v, p) {
				return true
			}
		}
		for i := 0; i+pieceLen <= len(v) && len(s.pieces) > 0; i++ {
			if _, ok := s.pieces[v[i:i+pieceLen]]; ok {
				return true
			}
		}
	}
	return false
}

// jsonUnescape decodes JSON string escapes wherever they appear, leniently.
func jsonUnescape(t string) string {
	return jsonEscapes.ReplaceAllStringFunc(t, func(e string) string {
		var r string
		if json.Unmarshal([]byte(`"`+e+`"`), &r) != nil {
			return e[1:]
		}
		return r
	})
}
