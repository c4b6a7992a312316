package hostile

import (
	"encoding/base64"
	"encoding/hex"
	"html"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// PieceLen is how long a piece of a secret may not appear anywhere: 12
// characters, or the whole secret if it is shorter.
const PieceLen = 12

// Leaks returns the indexes of the secrets of which text holds a piece of
// PieceLen characters in any reading of it (see readings). Instead of
// encoding every piece every way, it decodes the text every way and looks
// for raw pieces, which is one pass per reading. It is the oracle of every
// test of secrets, so it is written apart from the gate (package redact):
// it decodes where the gate also encodes, and shares no code with it.
func Leaks(text string, secrets []string) []int {
	sc := newScanner(secrets)
	for _, v := range sc.readings(text) {
		sc.scan(v)
	}
	var out []int
	for i := range secrets {
		if sc.found[i] {
			out = append(out, i)
		}
	}
	return out
}

// HoldsPiece reports whether text holds a piece of secret, as Leaks reads it.
func HoldsPiece(text, secret string) bool { return len(Leaks(text, []string{secret})) > 0 }

const wideAlways = 64 << 10

type scanner struct {
	pieces  map[string]int // piece to the index of its secret
	lengths []int          // in characters
	// heads holds the first two bytes of every piece (the first byte and
	// 0 for a piece of one byte), so most positions cost one lookup.
	heads *[1 << 16]bool
	short [256]bool // the bytes that are a piece of one byte
	// minBytes is the shortest piece in bytes: a run of base64 or hex
	// too short to hold that many is left as it is.
	minBytes int
	found    map[int]bool
}

func newScanner(secrets []string) *scanner {
	sc := &scanner{pieces: map[string]int{}, heads: new([1 << 16]bool), found: map[int]bool{}, minBytes: 4 * PieceLen}
	for i, s := range secrets {
		for _, p := range piecesOf(s) {
			sc.pieces[p] = i
			if n := utf8.RuneCountInString(p); !slices.Contains(sc.lengths, n) {
				sc.lengths = append(sc.lengths, n)
			}
			if len(p) == 1 {
				sc.short[p[0]] = true
			} else {
				sc.heads[int(p[0])<<8|int(p[1])] = true
			}
			sc.minBytes = min(sc.minBytes, len(p))
		}
	}
	return sc
}

func piecesOf(s string) []string {
	r := []rune(s)
	if len(r) <= PieceLen {
		return []string{s}
	}
	out := make([]string, 0, len(r)-PieceLen+1)
	for i := 0; i+PieceLen <= len(r); i++ {
		out = append(out, string(r[i:i+PieceLen]))
	}
	return out
}

// scan looks up, at every character of v that starts like some piece,
// the runs of characters as long as some piece is.
func (sc *scanner) scan(v string) {
	for i := range v { // rune starts; invalid bytes count as one each
		if !sc.short[v[i]] && (i+1 == len(v) || !sc.heads[int(v[i])<<8|int(v[i+1])]) {
			continue
		}
		for _, n := range sc.lengths {
			end, k := i, 0
			for ; k < n && end < len(v); k++ {
				_, size := utf8.DecodeRuneInString(v[end:])
				end += size
			}
			if k == n {
				if idx, ok := sc.pieces[v[i:end]]; ok {
					sc.found[idx] = true
				}
			}
		}
	}
}

// readings returns text as it is and as a log search or a person decodes
// it: escapes undone (JSON, Go, HTML, percent, form; nested up to three
// deep), then base64 and hex runs decoded (twice over, each followed by
// the escapes again), and every reading read as UTF-16 and UTF-32 at
// every alignment. A reading over wideAlways bytes (a CLI log) is read so
// only if it holds a NUL byte, as those encodings of any character below
// U+0100 do.
func (sc *scanner) readings(text string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(vs ...string) []string {
		var fresh []string
		for _, v := range vs {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
				fresh = append(fresh, v)
			}
		}
		return fresh
	}
	level := add(unescaped(text)...)
	for range 2 {
		var next []string
		for _, v := range level {
			for _, d := range sc.binary(v) {
				next = append(next, add(unescaped(d)...)...)
			}
		}
		level = next
	}
	for _, v := range out {
		if len(v) <= wideAlways || strings.IndexByte(v, 0) >= 0 {
			add(wide(v)...)
		}
	}
	return out
}

var unescapers = []func(string) string{
	unescapeJSON, html.UnescapeString,
	func(s string) string { return unescapePercent(s, false) },
	func(s string) string { return unescapePercent(s, true) },
}

// unescaped returns s and what undoing escapes, up to three deep, makes of it.
func unescaped(s string) []string {
	out, level := []string{s}, []string{s}
	for range 3 {
		var next []string
		for _, v := range level {
			for _, f := range unescapers {
				if d := f(v); !slices.Contains(out, d) {
					out, next = append(out, d), append(next, d)
				}
			}
		}
		level = next
	}
	return out
}

// binary returns the base64 runs of s decoded from each of the four
// alignments, and its hex runs decoded from the first and the second
// digit: for each, the decoded runs one a line. A run of base64 may hold
// padding (padded strings joined): each padded group is decoded on its own
// and the bytes joined.
func (sc *scanner) binary(s string) []string {
	var out []string
	for skip := range 4 {
		if d, ok := replaceRuns(s, isBase64Run, (4*sc.minBytes+2)/3, func(run string) string {
			var b strings.Builder
			for i, g := range strings.Split(run, "=") {
				if i == 0 {
					g = g[min(skip, len(g)):]
				}
				g = strings.Map(func(r rune) rune {
					switch r {
					case '-':
						return '+'
					case '_':
						return '/'
					}
					return r
				}, g)
				d, _ := base64.RawStdEncoding.DecodeString(g) // what decodes before an error
				b.Write(d)
			}
			return b.String()
		}); ok {
			out = append(out, d)
		}
	}
	for skip := range 2 {
		if d, ok := replaceRuns(s, isHexDigit, 2*sc.minBytes, func(run string) string {
			d, _ := hex.DecodeString(run[skip:])
			return string(d)
		}); ok {
			out = append(out, d)
		}
	}
	return out
}

func isBase64Run(c byte) bool {
	return c == '=' || c == '+' || c == '/' || c == '-' || c == '_' || isHexDigit(c) || 'g' <= c|0x20 && c|0x20 <= 'z'
}

func isHexDigit(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c|0x20 && c|0x20 <= 'f' }

// replaceRuns returns what decode makes of each maximal run of bytes in
// class, minLen or more long, one a line.
func replaceRuns(s string, class func(byte) bool, minLen int, decode func(string) string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && class(s[j]) {
			j++
		}
		if j-i >= minLen {
			b.WriteString(decode(s[i:j]))
			b.WriteByte('\n')
		}
		i = max(j, i+1)
	}
	return b.String(), b.Len() > 0
}

// wide reads s as UTF-16 (two byte orders, two alignments) and UTF-32 (two
// byte orders, four alignments); what is not a character reads as U+FFFD.
func wide(s string) []string {
	var out []string
	for _, big := range []bool{false, true} {
		for off := range 2 {
			var units []uint16
			for i := off; i+2 <= len(s); i += 2 {
				a, b := uint16(s[i]), uint16(s[i+1])
				if big {
					a, b = b, a
				}
				units = append(units, a|b<<8)
			}
			out = append(out, string(utf16.Decode(units)))
		}
		for off := range 4 {
			var b strings.Builder
			for i := off; i+4 <= len(s); i += 4 {
				w := []uint32{uint32(s[i]), uint32(s[i+1]), uint32(s[i+2]), uint32(s[i+3])}
				r := w[0] | w[1]<<8 | w[2]<<16 | w[3]<<24
				if big {
					r = w[0]<<24 | w[1]<<16 | w[2]<<8 | w[3]
				}
				b.WriteRune(rune(r)) //nolint:gosec // out of range reads as U+FFFD
			}
			out = append(out, b.String())
		}
	}
	return out
}

// unescapeJSON decodes the backslash escapes of JSON strings and of Go's
// strconv.Quote ("\xNN") wherever they occur, leaving other bytes alone.
func unescapeJSON(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		c := s[i+1]
		switch {
		case strings.IndexByte(`"\/`, c) >= 0:
			b.WriteByte(c)
			i++
		case strings.IndexByte("bfnrt", c) >= 0:
			b.WriteByte("\b\f\n\r\t"[strings.IndexByte("bfnrt", c)])
			i++
		case c == 'u' && i+6 <= len(s):
			r, n := unicodeEscape(s[i:])
			if n == 0 {
				b.WriteByte('\\')
				continue
			}
			b.WriteRune(r)
			i += n - 1
		case c == 'x' && i+4 <= len(s):
			v, err := strconv.ParseUint(s[i+2:i+4], 16, 8)
			if err != nil {
				b.WriteByte('\\')
				continue
			}
			b.WriteByte(byte(v))
			i += 3
		default:
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// unicodeEscape decodes "\uXXXX" (or a surrogate pair of them) at the start
// of s, returning the rune and the bytes used, 0 if there is none.
func unicodeEscape(s string) (rune, int) {
	r1, err := strconv.ParseUint(s[2:6], 16, 16)
	if err != nil {
		return 0, 0
	}
	if utf16.IsSurrogate(rune(r1)) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if r2, err := strconv.ParseUint(s[8:12], 16, 16); err == nil {
			if r := utf16.DecodeRune(rune(r1), rune(r2)); r != utf8.RuneError {
				return r, 12
			}
		}
	}
	return rune(r1), 6
}

// unescapePercent decodes %XX sequences and, with plus, "+" as a space (a
// raw "+" in a secret is as likely as an encoded space, hence both views).
func unescapePercent(s string, plus bool) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+3 <= len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		if plus && s[i] == '+' {
			b.WriteByte(' ')
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
