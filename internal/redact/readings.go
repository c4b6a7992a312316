package redact

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The readings of a text are the text itself and every text a log search or
// a person gets by undoing an encoding of it, up to maxDepth encodings
// deep: JSON and Go escapes, HTML entities, percent-encoding (with "+" kept
// or read as a space), base64 and base64url at every alignment, padded or
// not, and hex in either case. A secret in UTF-16 or UTF-32 is found in any
// reading through its pieces, which are kept in those encodings too (Add).
//
// Runs of base64 or hex long enough to hold a piece are decoded and read
// on; shorter runs (a part of a secret cut over several texts) are decoded
// once more, but not read further: the bytes ordinary words decode to
// would otherwise start readings of their own.
const (
	maxDepth = 3
	// maxReadings bounds the work one text may cause; a text that needs
	// more readings is withheld, as only a crafted text gets there.
	maxReadings = 256
	// minPart is the fewest bytes of a secret worth decoding a run for: a
	// secret cut over several texts (CleanAll) leaves parts this short.
	minPart = 4
)

// decoder returns t with one encoding undone, and whether anything changed;
// a binary one decodes runs of minRun characters or more.
type decoder func(t string, minRun int) (string, bool)

var (
	decoders = []decoder{
		escapes(`\`, jsonUnescape),
		escapes("&", html.UnescapeString),
		escapes("%", func(t string) string { return percentDecode(t, false) }),
		escapes("%+", func(t string) string { return percentDecode(t, true) }),
	}
	binaryDecoders = []decoder{base64At(0), base64At(1), base64At(2), base64At(3), hexAt(0), hexAt(1)}
	allDecoders    = append(slices.Clip(decoders), binaryDecoders...)
)

// escapes is a decoder for an escaping whose sequences start with one of
// triggers, so a text without them costs one search.
func escapes(triggers string, decode func(string) string) decoder {
	return func(t string, _ int) (string, bool) {
		if !strings.ContainsAny(t, triggers) {
			return t, false
		}
		d := decode(t)
		return d, d != t
	}
}

// readings returns every reading of t, t first; ok is false when t has more
// than maxReadings of them. Short runs are decoded only with parts (t is one
// of several texts judged together): alone, they cannot hold a piece.
func (s *Set) readings(t string, parts bool) (all []string, ok bool) {
	all = []string{t}
	seen := map[string]bool{t: true}
	add := func(v string) bool {
		if seen[v] || len(all) == maxReadings {
			return false
		}
		seen[v] = true
		all = append(all, v)
		return true
	}
	level := all
	for range maxDepth {
		var next []string
		for _, r := range level {
			for _, d := range allDecoders {
				if v, ok := d(r, s.longRun); ok && add(v) {
					next = append(next, v)
				}
			}
			for _, d := range binaryDecoders {
				if !parts || s.minRun == s.longRun {
					break
				}
				if v, ok := d(r, s.minRun); ok {
					add(v) // read, but not decoded further
				}
			}
		}
		if len(all) == maxReadings {
			return all, false
		}
		level = next
	}
	return all, true
}

var jsonEscapes = regexp.MustCompile(`(?:\\u[0-9a-fA-F]{4})+|\\x[0-9a-fA-F]{2}|\\[^ux]`)

// jsonUnescape decodes JSON string escapes, and Go's "\xNN", wherever they
// appear, leniently.
func jsonUnescape(t string) string {
	return jsonEscapes.ReplaceAllStringFunc(t, func(e string) string {
		if e[1] == 'x' && len(e) == 4 {
			b, _ := strconv.ParseUint(e[2:], 16, 8)
			return string([]byte{byte(b)})
		}
		var r string
		if json.Unmarshal([]byte(`"`+e+`"`), &r) != nil {
			return e[1:]
		}
		return r
	})
}

// percentDecode decodes %XX wherever it appears and, for a form, "+" as a
// space (a raw "+" in a secret is as likely as an encoded space: both).
func percentDecode(t string, form bool) string {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		switch {
		case t[i] == '%' && i+2 < len(t) && isHex(t[i+1]) && isHex(t[i+2]):
			v, _ := strconv.ParseUint(t[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
		case form && t[i] == '+':
			b.WriteByte(' ')
		default:
			b.WriteByte(t[i])
		}
	}
	return b.String()
}

func isHex(c byte) bool { return alphabet[c]&hexDigit != 0 }

func isBase64(c byte) bool { return alphabet[c]&base64Char != 0 }

const (
	hexDigit = 1 << iota
	base64Char
)

// alphabet classifies bytes: the run scanners test every byte of a text.
var alphabet = func() (a [256]uint8) {
	for c := range 256 {
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
			a[c] = hexDigit | base64Char
		case 'g' <= c && c <= 'z', 'G' <= c && c <= 'Z', strings.IndexByte("+/-_", byte(c)) >= 0:
			a[c] = base64Char
		}
	}
	return a
}()

// base64At decodes every run of base64 or base64url characters long enough
// to hold a piece, skipping its first skip characters: a run glued to the
// word before it (`Basic` and the credentials with no space) starts at one
// of four alignments. Padding inside a run (padded strings joined) ends a
// group; each group is decoded on its own and the bytes joined.
func base64At(skip int) decoder {
	return func(t string, minRun int) (string, bool) {
		return eachRun(t, func(c byte) bool { return isBase64(c) || c == '=' }, minRun, func(b []byte, run string) []byte {
			for i, g := range strings.FieldsFunc(run, func(r rune) bool { return r == '=' }) {
				if i == 0 {
					g = g[min(skip, len(g)):]
				}
				if len(g)%4 == 1 { // a lone character holds no byte
					g = g[:len(g)-1]
				}
				d, _ := base64.RawStdEncoding.DecodeString(urlToStd.Replace(g))
				b = append(b, d...)
			}
			return b
		})
	}
}

var urlToStd = strings.NewReplacer("-", "+", "_", "/")

// hexAt decodes every run of hex digits long enough to hold a piece, from
// its first or second digit.
func hexAt(skip int) decoder {
	return func(t string, minRun int) (string, bool) {
		return eachRun(t, isHex, minRun, func(b []byte, run string) []byte {
			run = run[skip:]
			d, _ := hex.DecodeString(run[:len(run)&^1])
			return append(b, d...)
		})
	}
}

// eachRun replaces every run of characters in runes at least minLen long by
// what decode appends for it.
func eachRun(t string, in func(byte) bool, minLen int, decode func(b []byte, run string) []byte) (string, bool) {
	var b []byte
	done := 0
	for i := 0; i < len(t); {
		if !in(t[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(t) && in(t[j]) {
			j++
		}
		if j-i >= minLen {
			b = append(b, t[done:i]...)
			b = decode(b, t[i:j])
			done = j
		}
		i = j
	}
	if b == nil {
		return t, false
	}
	return string(append(b, t[done:]...)), true
}
