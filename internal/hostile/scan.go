package hostile

import (
	"html"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// PieceLen is how long a piece of a secret may not appear anywhere: 12
// characters, or the whole secret if it is shorter.
const PieceLen = 12

// Leaks returns the indexes of the secrets of which text holds a piece of
// PieceLen characters, raw or in any escaping the escapers above produce, or
// a log writer adds on top of them (JSON or Go quoting, nested up to three
// times). Instead of escaping every piece every way, it unescapes the text
// every way and looks for raw pieces, which is one pass per view.
func Leaks(text string, secrets []string) []int {
	pieces := map[string]int{}
	for i, s := range secrets {
		for _, p := range piecesOf(s) {
			pieces[p] = i
		}
	}
	found := map[int]bool{}
	for _, v := range views(text) {
		scanView(v, pieces, found)
	}
	var out []int
	for i := range secrets {
		if found[i] {
			out = append(out, i)
		}
	}
	return out
}

// HoldsPiece reports whether text holds a piece of secret, as Leaks reads it.
func HoldsPiece(text, secret string) bool { return len(Leaks(text, []string{secret})) > 0 }

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

// scanView looks up every run of characters of v as long as some piece is.
func scanView(v string, pieces map[string]int, found map[int]bool) {
	lengths := map[int]bool{}
	for p := range pieces {
		lengths[utf8.RuneCountInString(p)] = true
	}
	starts := make([]int, 0, len(v)+1)
	for i := range v { // rune starts; invalid bytes count as one each
		starts = append(starts, i)
	}
	starts = append(starts, len(v))
	for n := range lengths {
		for k := 0; k+n < len(starts); k++ {
			if idx, ok := pieces[v[starts[k]:starts[k+n]]]; ok {
				found[idx] = true
			}
		}
	}
}

// views returns text as it is and as every unescaping reveals it.
func views(text string) []string {
	out := []string{text}
	cur := text
	for range 3 {
		next := unescapeJSON(cur)
		if next == cur {
			break
		}
		out = append(out, next)
		cur = next
	}
	h := html.UnescapeString(cur)
	out = append(out, h, unescapePercent(cur, false), unescapePercent(h, false), unescapePercent(cur, true))
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
