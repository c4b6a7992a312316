package paymeauth

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The mint rule, in one place: every refresh token an answer to /token
// carries is found in the bytes that arrived, whatever the answer looks
// like (carriedTokens), and the call keeps at most one of them, the one the
// answer's decoding returns when the answer is accepted; every other one is
// revoked before the call returns (Client.revokeCarried), and Minted counts
// them. The refresh token the request sent is never one of them.

// Minted accounts for the refresh tokens a call may have caused Pay-me to
// issue besides the one it returns. It holds counts only, never a token.
type Minted struct {
	Revoked int // carried by an answer, not kept, and revoked before the call returned
	Live    int // carried by an answer, not kept, and revoking it failed: it may still be live
	// Unseen counts attempts of an offline_access call that failed after
	// the request was sent without a token being seen: a 5xx, a timeout or
	// a cut connection. Pay-me may have issued a refresh token then that
	// never arrived; only Pay-me can revoke it.
	Unseen int
}

func (m *Minted) add(o Minted) {
	m.Revoked += o.Revoked
	m.Live += o.Live
	m.Unseen += o.Unseen
}

// maxRevokedPerAnswer bounds the revocations one answer can cause; tokens
// beyond it are counted as live.
const maxRevokedPerAnswer = 32

const refreshKey = "refresh_token"

// carriedTokens returns every string value of a "refresh_token" key in body
// at any depth, as JSON string literals (quotes included) holding the bytes
// that arrived, in order and without repeats. It is a tolerant scanner, not
// a decoder: duplicate keys, envelopes, JSON quoted inside a string,
// invalid or cut JSON around the token, a gzip body, and UTF-16 or UTF-32
// with or without a byte-order mark all still yield the token.
func carriedTokens(body []byte) []json.RawMessage {
	f := &finder{seen: map[string]bool{}}
	for _, text := range readings(body, 0) {
		f.scan(text, 0)
	}
	return f.found
}

// readings are the texts a body may be: itself, and when it holds NUL bytes
// or starts as gzip, its UTF-16/UTF-32 decodings or its decompression.
func readings(body []byte, depth int) [][]byte {
	out := [][]byte{body}
	if depth == 0 && len(body) > 2 && body[0] == 0x1f && body[1] == 0x8b {
		if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
			plain, _ := io.ReadAll(io.LimitReader(zr, maxBodyBytes)) // a cut stream still yields what it held
			out = append(out, readings(plain, depth+1)...)
		}
	}
	if bytes.IndexByte(body, 0) < 0 {
		return out
	}
	for _, unit := range []int{2, 4} {
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			for off := range unit { // a stray byte ahead of the text shifts the alignment
				out = append(out, transcode(body[min(off, len(body)):], unit, order))
			}
		}
	}
	return out
}

// transcode reads b as UTF-16 (unit 2) or UTF-32 (unit 4) and returns it
// as UTF-8; an incomplete last unit is dropped.
func transcode(b []byte, unit int, order binary.ByteOrder) []byte {
	var runes []rune
	if unit == 2 {
		units := make([]uint16, 0, len(b)/2)
		for i := 0; i+2 <= len(b); i += 2 {
			units = append(units, order.Uint16(b[i:]))
		}
		runes = utf16.Decode(units)
	} else {
		for i := 0; i+4 <= len(b); i += 4 {
			runes = append(runes, rune(order.Uint32(b[i:]))) //nolint:gosec // out-of-range values become U+FFFD below
		}
	}
	out := make([]byte, 0, len(runes))
	for _, r := range runes {
		out = utf8.AppendRune(out, r)
	}
	return out
}

type finder struct {
	found []json.RawMessage
	seen  map[string]bool // decoded values already found
}

// scan finds tokens two ways, so that neither's blind spot loses one: every
// literal occurrence of "refresh_token" followed by a colon and a string,
// wherever it is (a stray quote cannot hide it); and a walk over the
// strings of text, which decodes escaped keys and looks inside strings that
// quote JSON (up to two levels deep).
func (f *finder) scan(text []byte, depth int) {
	quoted := []byte(`"` + refreshKey + `"`)
	for i := 0; ; {
		j := bytes.Index(text[i:], quoted)
		if j < 0 {
			break
		}
		i += j + len(quoted)
		f.valueAt(text, i)
	}
	for i := 0; i < len(text); i++ {
		if text[i] != '"' {
			continue
		}
		lit, ok := stringAt(text, i)
		if !ok {
			return
		}
		i += len(lit) - 1
		s := unquoteLoose(lit)
		switch {
		case s == refreshKey:
			f.valueAt(text, i+1)
		case depth < 2 && bytes.Contains([]byte(s), []byte(refreshKey)):
			f.scan([]byte(s), depth+1)
		}
	}
}

// valueAt reads `: "value"` at text[i:] (white space allowed) and records
// the value.
func (f *finder) valueAt(text []byte, i int) {
	i = skipSpace(text, i)
	if i >= len(text) || text[i] != ':' {
		return
	}
	i = skipSpace(text, i+1)
	if i >= len(text) || text[i] != '"' {
		return
	}
	lit, ok := stringAt(text, i)
	if !ok {
		return // cut inside the token: what arrived is not the token
	}
	s := unquoteLoose(lit)
	if s == "" || f.seen[s] {
		return
	}
	f.seen[s] = true
	f.found = append(f.found, bytes.Clone(lit))
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringAt returns the string literal starting at b[i] (a quote), up to
// the next unescaped quote; raw control characters are tolerated.
func stringAt(b []byte, i int) ([]byte, bool) {
	for k := i + 1; k < len(b); k++ {
		switch b[k] {
		case '\\':
			k++
		case '"':
			return b[i : k+1], true
		}
	}
	return nil, false
}

// unquoteLoose decodes a string literal's escapes and keeps every other
// byte as it is (invalid UTF-8 and raw control characters included), so
// that a token is compared byte for byte.
func unquoteLoose(lit []byte) string {
	b := lit[1 : len(lit)-1]
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		i++
		switch c := b[i]; c {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := unicodeEscape(b[i-1:])
			if n == 0 {
				out = append(out, '\\', 'u')
				continue
			}
			out = utf8.AppendRune(out, r)
			i += n - 2
		default: // \" \\ \/ and anything else: the character itself
			out = append(out, c)
		}
	}
	return string(out)
}

// unicodeEscape decodes \uXXXX, or a surrogate pair of them, at the start
// of b; n is how many bytes it took (0 when none).
func unicodeEscape(b []byte) (r rune, n int) {
	hex := func(b []byte) (rune, bool) {
		if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[2:6]), 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex(b)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if r2, ok := hex(b[6:min(len(b), 12)]); ok {
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				return d, 12
			}
		}
	}
	return r, 6
}
