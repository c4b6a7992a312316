package paymeauth

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	mask = "***"
	// withheld replaces any server-supplied text that still quotes a piece
	// of a secret once the known forms are masked.
	withheld = "message withheld: it quoted a credential"
	// pieceLen is the longest piece of a secret allowed to survive in
	// server-supplied text; a shorter secret may not appear whole.
	pieceLen = 12
)

// secretSet holds every secret one call knows: what the request carried and
// every token an answer carried. All server-supplied text goes through
// clean before it reaches an error, a log line or a Token.
type secretSet struct {
	values []string
	forms  []string            // masked forms, longest first
	pieces map[string]struct{} // every pieceLen-byte window of every secret
	short  []string            // secrets shorter than pieceLen
}

func newSecretSet(values ...string) *secretSet {
	s := &secretSet{pieces: map[string]struct{}{}}
	s.add(values...)
	return s
}

func (s *secretSet) add(values ...string) {
	for _, v := range values {
		if v == "" || slices.Contains(s.values, v) {
			continue
		}
		s.values = append(s.values, v)
		s.forms = append(s.forms, echoForms(v)...)
		if len(v) < pieceLen {
			s.short = append(s.short, v)
		}
		for i := 0; i+pieceLen <= len(v); i++ {
			s.pieces[v[i:i+pieceLen]] = struct{}{}
		}
	}
	slices.SortFunc(s.forms, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	s.forms = slices.Compact(s.forms)
}

// echoForms is v as servers echo it: raw, JSON-escaped by Go (with and
// without HTML escaping), by PHP (`\/`) and with every character as \uXXXX,
// HTML-escaped and URL-encoded. Other spellings are caught by the gate.
func echoForms(v string) []string {
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	goJSON, _ := json.Marshal(v)
	var all strings.Builder
	for _, r := range v {
		for _, u := range utf16Units(r) {
			fmt.Fprintf(&all, `\u%04x`, u)
		}
	}
	forms := []string{v, html.EscapeString(v), url.QueryEscape(v), url.PathEscape(v), all.String(), strings.ToUpper(all.String())}
	for _, j := range []string{string(bytes.TrimSpace(plain.Bytes())), string(goJSON)} {
		j = j[1 : len(j)-1]
		forms = append(forms, j, strings.ReplaceAll(j, "/", `\/`))
	}
	return forms
}

func utf16Units(r rune) []rune {
	if r < 0x10000 {
		return []rune{r}
	}
	r -= 0x10000
	return []rune{0xD800 + r>>10, 0xDC00 + r&0x3FF}
}

// clean masks every known form of every secret in t, then withholds t
// entirely if any reading of it (raw, JSON-, HTML- or URL-unescaped, twice
// over) still holds a piece of a secret. Cut the result only afterwards.
func (s *secretSet) clean(t string) string {
	t = strings.ToValidUTF8(t, "\uFFFD")
	for _, f := range s.forms {
		if strings.Contains(t, f) {
			t = strings.ReplaceAll(t, f, mask)
		}
	}
	if s.quotes(t) {
		return withheld
	}
	return t
}

func (s *secretSet) quotes(t string) bool {
	views := []string{t}
	for round := 0; round < 2; round++ {
		for _, v := range views {
			for _, d := range []string{jsonUnescape(v), html.UnescapeString(v), urlUnescape(v), strings.ReplaceAll(v, "+", " ")} {
				if !slices.Contains(views, d) {
					views = append(views, d)
				}
			}
		}
	}
	for _, v := range views {
		for _, sh := range s.short {
			if strings.Contains(v, sh) {
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

// jsonUnescape decodes JSON string escapes wherever they appear, leniently:
// what is not a valid escape stays as it is.
func jsonUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		if c := s[i+1]; c != 'u' {
			if j := strings.IndexByte("ntrbf", c); j >= 0 {
				c = "\n\t\r\b\f"[j]
			}
			b.WriteByte(c)
			i++
			continue
		}
		n := 0
		for i+n+6 <= len(s) && s[i+n] == '\\' && s[i+n+1] == 'u' && isHex(s[i+n+2:i+n+6]) {
			n += 6
		}
		if n == 0 {
			b.WriteByte('\\')
			continue
		}
		var r string
		_ = json.Unmarshal([]byte(`"`+s[i:i+n]+`"`), &r)
		b.WriteString(r)
		i += n - 1
	}
	return b.String()
}

func isHex(s string) bool {
	return strings.Trim(strings.ToLower(s), "0123456789abcdef") == ""
}

// urlUnescape decodes %XX escapes, leniently.
func urlUnescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1:i+3]) {
			var c byte
			_, _ = fmt.Sscanf(s[i+1:i+3], "%02x", &c)
			b.WriteByte(c)
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// sensitiveValue finds the value of a sensitive JSON key in any text, clean
// JSON or not (a cut body, an object with trailing bytes, an HTML page).
var sensitiveValue = regexp.MustCompile(`(?i)("(?:client_secret|password|access_token|refresh_token|id_token)"\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)`)

// tokensIn returns the values of the sensitive keys of body, decoded, so
// that they are masked wherever else the body or an error repeats them.
func tokensIn(body []byte) []string {
	var out []string
	for _, m := range sensitiveValue.FindAllSubmatch(body, -1) {
		v := string(m[2])
		if v[0] == '"' {
			v = jsonUnescape(v[1 : len(v)-1])
		}
		out = append(out, v)
	}
	return out
}

// maskBody renders a request or answer body for TRACE logs: every
// sensitive key's value replaced, then cleaned, then cut.
func (s *secretSet) maskBody(body []byte) string {
	masked := sensitiveValue.ReplaceAll(body, []byte(`$1"`+mask+`"`))
	return s.cleanClip(string(masked), maxLoggedBody)
}

// cleanClip is clean, then a cut to at most n bytes; the cut text is
// checked again, since the ellipsis could complete a piece of a secret.
func (s *secretSet) cleanClip(t string, n int) string {
	t = s.clean(t)
	if c := clip(t, n); c != t {
		if s.quotes(c) {
			return withheld
		}
		return c
	}
	return t
}

// clip cuts s to at most n bytes without splitting a rune.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
