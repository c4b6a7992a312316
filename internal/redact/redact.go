// Package redact is the secret gate: it masks every form in which a server
// may echo a secret it was sent or a token it issued, and withholds any text
// that still quotes a piece of one. Text is masked before it is cut, never
// the reverse, since a cut secret would escape the masks.
package redact

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const (
	mask = "***"
	// withheld replaces any text that still quotes a piece of a secret once
	// the known forms of every secret are masked.
	withheld = "message withheld: it quoted a credential"
	maxParts = 64
	pieceLen = 12 // longest piece of a secret allowed to survive; a shorter secret may not appear whole
)

// Set holds every secret one call knows: what the request carried and every
// token an answer carried. The zero value is not usable; call New.
type Set struct {
	added  map[string]struct{} // the values added, so that adding one again costs nothing
	forms  []string            // echoed forms, longest first
	pieces map[string]struct{} // every piece, in UTF-8, UTF-16 and UTF-32 (see addPieces)
	// wide holds the windows whose UTF-16 and UTF-32 pieces are not built
	// yet: those encodings of such a window have a NUL byte, so no text
	// without one can hold them, and most texts have none (see holds).
	wide  []string
	lens  []int                 // the lengths of pieces, ascending
	heads *[1 << 16 / 64]uint64 // the first two bytes of every piece, so most bytes cost one bit test
	// A run of base64 or hex of longRun characters can hold the shortest
	// piece; one of minRun, minPart bytes of it (see readings).
	minRun, longRun int
}

// New returns a Set holding values (empty ones are ignored).
func New(values ...string) *Set {
	s := &Set{added: map[string]struct{}{}, pieces: map[string]struct{}{}, heads: new([1 << 16 / 64]uint64)}
	s.Add(values...)
	return s
}

// Add records values with the forms a server may echo them in: raw,
// JSON-escaped by Go (with and without HTML escaping), by PHP (`\/`) or
// with every character as \uXXXX, HTML-escaped and URL-encoded. Other
// spellings are left to the readings. Adding a value again costs nothing:
// a call adds each token it receives up to three times (found in the body,
// carried, decoded).
func (s *Set) Add(values ...string) {
	grew := false
	for _, v := range values {
		if _, ok := s.added[v]; ok || v == "" {
			continue
		}
		s.added[v], grew = struct{}{}, true
		if !utf8.ValidString(v) {
			// Decoders and the gate show invalid bytes as U+FFFD, one per
			// byte or one per run: those spellings are forms too.
			s.Add(string([]rune(v)), strings.ToValidUTF8(v, "\uFFFD"))
		}
		b, _ := json.Marshal(v)
		goJSON := string(b[1 : len(b)-1])
		j := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(goJSON)
		units := utf16.Encode([]rune(v))
		s.forms = append(s.forms, v, j, strings.ReplaceAll(j, "/", `\/`), goJSON, strings.ReplaceAll(goJSON, "/", `\/`),
			escapeUnits(units, "0123456789abcdef"), escapeUnits(units, "0123456789ABCDEF"),
			html.EscapeString(v), url.QueryEscape(v), url.PathEscape(v))
		s.addPieces(v)
	}
	if !grew {
		return
	}
	slices.SortFunc(s.forms, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	s.forms = slices.Compact(s.forms)
}

// escapeUnits spells every UTF-16 unit as \uXXXX with the given hex digits.
// It is written out because fmt per unit cost more than every other form
// together: a Pay-me call adds secrets of up to a few thousand characters.
func escapeUnits(units []uint16, digits string) string {
	b := make([]byte, 0, 6*len(units))
	for _, u := range units {
		b = append(b, '\\', 'u', digits[u>>12], digits[u>>8&0xf], digits[u>>4&0xf], digits[u&0xf])
	}
	return string(b)
}

// addPieces records every pieceLen-byte window of v (v whole if shorter),
// and each in UTF-16 and UTF-32, both byte orders: the characters wholly
// inside the window, so a text in those encodings needs no decoding. The
// wide pieces are built on the first text that could hold one (wide).
func (s *Set) addPieces(v string) {
	for i := 0; i+pieceLen <= max(len(v), pieceLen); i++ {
		w := v[i:min(i+pieceLen, len(v))]
		s.addPiece(w)
		if s.longRun == 0 || 2*len(w) < s.longRun {
			s.longRun = min(2*len(w), (4*pieceLen+2)/3)
			s.minRun = min(2*minPart, s.longRun)
		}
		start, end := i, min(i+pieceLen, len(v))
		for start < end && !utf8.RuneStart(v[start]) {
			start++
		}
		for end < len(v) && end > start && !utf8.RuneStart(v[end]) {
			end-- // the character at end is cut by the window: left out
		}
		if start < end {
			s.wide = append(s.wide, v[start:end])
		}
	}
	if slices.ContainsFunc([]rune(v), func(r rune) bool { return r >= 0x100 }) {
		s.addWide() // some UTF-16 pieces of v may have no NUL byte
	}
}

// addWide builds the UTF-16 and UTF-32 pieces of the pending windows.
func (s *Set) addWide() {
	windows := s.wide
	s.wide = nil
	for _, w := range windows {
		for _, e := range unicodeEncodings {
			s.addPiece(e(w))
		}
	}
}

// addPiece records one piece and its first two bytes.
func (s *Set) addPiece(p string) {
	if _, ok := s.pieces[p]; !ok {
		s.pieces[p] = struct{}{}
		if len(p) == 1 {
			for c := range 256 {
				s.setHead(p[0], byte(c))
			}
		} else {
			s.setHead(p[0], p[1])
		}
		if i, found := slices.BinarySearch(s.lens, len(p)); !found {
			s.lens = slices.Insert(s.lens, i, len(p))
		}
	}
}

// unicodeEncodings are the encodings of Unicode other than UTF-8.
var unicodeEncodings = []func(string) string{
	func(w string) string { return string(utf16Bytes(w, binary.LittleEndian)) },
	func(w string) string { return string(utf16Bytes(w, binary.BigEndian)) },
	func(w string) string { return string(utf32Bytes(w, binary.LittleEndian)) },
	func(w string) string { return string(utf32Bytes(w, binary.BigEndian)) },
}

func utf16Bytes(w string, order binary.AppendByteOrder) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(w)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

func utf32Bytes(w string, order binary.AppendByteOrder) []byte {
	var b []byte
	for _, r := range w {
		b = order.AppendUint32(b, uint32(r)) //nolint:gosec // a rune is never negative
	}
	return b
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
func (s *Set) Clean(t string) string { return s.CleanAll(t)[0] }

// CleanAll cleans the texts of one answer (its code, its messages, its
// scopes) as one: each is masked, then all are withheld if a piece of a
// secret is in any reading of any text, of all texts joined in order, or
// of any two joined in either order. A text is also read in its parts
// around ": ", the way a label (a code, a locale) is joined to a message.
// So a secret cut into pieces shorter than pieceLen, spread over the texts
// of an answer, is caught. More than maxParts texts and parts are
// withheld: the pairs grow as their square, and no answer has that many.
func (s *Set) CleanAll(texts ...string) []string {
	out := make([]string, len(texts))
	var parts []string // every text, then the parts of those that have some
	leak := false
	for i, t := range texts {
		t = s.mask(t)
		if v := strings.ToValidUTF8(t, "\uFFFD"); v != t {
			// Read the bytes as they came too (a text in UTF-16 is not valid
			// UTF-8), then mask the spellings of invalid secrets.
			leak = leak || s.quotes(t)
			t = s.mask(v)
		}
		out[i] = t
		parts = append(parts, t)
	}
	for _, t := range out {
		if p := strings.Split(t, ": "); len(p) > 1 && len(out) > 1 {
			parts = append(parts, p...)
		}
	}
	leak = leak || len(parts) > maxParts
	all := make([][]string, len(parts))
	for i, p := range parts {
		var ok bool
		all[i], ok = s.readings(p, len(parts) > 1)
		leak = leak || !ok || s.holds(all[i]...)
	}
	if len(parts) > 1 && !leak {
		leak = s.quotes(strings.Join(out, "")) || s.quotes(strings.ReplaceAll(strings.Join(out, ""), ": ", "")) || s.acrossPairs(all)
	}
	if leak {
		for i := range out {
			out[i] = withheld
		}
	}
	return out
}

func (s *Set) mask(t string) string {
	for _, f := range s.forms {
		t = strings.ReplaceAll(t, f, mask)
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

// sensitiveValue finds the value of a sensitive JSON key in any text (a cut
// body, an object with trailing bytes, an HTML page).
var sensitiveValue = regexp.MustCompile(`(?i)("(?:client_secret|password|access_token|refresh_token|id_token)"\s*:\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)`)

// quotes reports whether any reading of t holds a piece of a secret.
func (s *Set) quotes(t string) bool {
	r, ok := s.readings(t, false)
	return !ok || s.holds(r...)
}

// holds reports whether any of texts holds a piece of a secret.
func (s *Set) holds(texts ...string) bool {
	for _, v := range texts {
		if len(s.wide) > 0 && strings.IndexByte(v, 0) >= 0 {
			s.addWide()
		}
		for i := range len(v) {
			var next byte
			if i+1 < len(v) {
				next = v[i+1]
			}
			if !s.head(v[i], next) {
				continue
			}
			for _, n := range s.lens {
				if i+n > len(v) {
					break
				}
				if _, ok := s.pieces[v[i:i+n]]; ok {
					return true
				}
			}
		}
	}
	return false
}

func (s *Set) setHead(a, b byte) { k := uint16(a)<<8 | uint16(b); s.heads[k/64] |= 1 << (k % 64) }

func (s *Set) head(a, b byte) bool {
	k := uint16(a)<<8 | uint16(b)
	return s.heads[k/64]&(1<<(k%64)) != 0
}

// acrossPairs reports whether a piece spans the end of a reading of one
// text and the start of a reading of another, in either order. The
// pieces within each were looked for already, so only the seams are read:
// the distinct ends and starts of every text's readings.
func (s *Set) acrossPairs(readings [][]string) bool {
	if len(s.lens) == 0 {
		return false
	}
	seam := s.lens[len(s.lens)-1] - 1
	heads, tails := make([][]string, len(readings)), make([][]string, len(readings))
	for i, rs := range readings {
		for _, r := range rs {
			heads[i] = append(heads[i], r[:min(seam, len(r))])
			tails[i] = append(tails[i], r[len(r)-min(seam, len(r)):])
		}
		slices.Sort(heads[i])
		slices.Sort(tails[i])
		heads[i], tails[i] = slices.Compact(heads[i]), slices.Compact(tails[i])
	}
	for i := range readings {
		for j := range readings {
			if i == j {
				continue
			}
			for _, x := range tails[i] {
				for _, y := range heads[j] {
					if s.holds(x + y) {
						return true
					}
				}
			}
		}
	}
	return false
}
