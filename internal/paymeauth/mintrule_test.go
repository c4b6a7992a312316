package paymeauth

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// FuzzMintRule holds the client to the promise, not to cases: after Token
// (and then Revoke) returns, by success or by error, every refresh token
// the server minted and delivered is either the one returned to be kept or
// revoked at the server (the server's own record decides); one it minted
// and never delivered is owned up to (Minted.Unseen). Answers are built
// from a grammar of hostile shapes around tokens the server really minted
// (mintScript); every case of issue 18, promise 1, is a seed.
func FuzzMintRule(f *testing.F) {
	for _, s := range mintSeeds {
		f.Add(s.script)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		checkMintRule(t, parseMintScript(script))
	})
}

// TestMintRuleCases runs the seeds by name, so a failure names its case.
func TestMintRuleCases(t *testing.T) {
	t.Parallel()
	for _, s := range mintSeeds {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			checkMintRule(t, parseMintScript(s.script))
		})
	}
}

// Shapes of an answer body (one bit each).
const (
	shEnvelope     = 1 << iota // {"status":200,"data":{...}}
	shNaN                      // "expires_in":NaN before the tokens
	shNewline                  // a raw newline inside a string before the tokens
	shInvalidAfter             // an invalid member after the tokens
	shNested                   // the last token under "meta":{...}
	shInString                 // the first token in JSON quoted inside a string
	shEscapedKey               // the first key spelled "refresh\u005ftoken"
	shTrailing                 // bytes after the object
)

// Encodings of an answer body.
const (
	encUTF8 = iota
	encUTF8BOM
	encUTF16LEBOM
	encUTF16BE
	encUTF32LE
	encUTF32BEBOM
	encGzip      // really compressed, labelled gzip
	encLyingGzip // plain, labelled gzip
	encCount
)

// How an answer ends.
const (
	cutNone     = iota
	cutTruncate // the connection closes short of Content-Length
	cutStall    // the tail never comes: the per-attempt timeout ends it
	cutCancel   // the caller cancels once the head has arrived
	cutCount
)

var mintStatuses = []int{200, 200, 201, 500, 502, 503, 400, 401}

// mintAttempt scripts one answer to /token: 6 bytes of the script.
type mintAttempt struct {
	status   int
	tokens   int  // refresh tokens in the body, 0..3
	lostMint bool // a 5xx after minting a token the body does not carry
	shape    byte
	encoding int
	cut      int
	cutAt    byte // where, as a fraction of 256 of the body
}

type mintScript struct {
	maxRetries int
	revoke     int // the answer to the final Revoke: 0 a real revocation, else hostileRevokes[revoke-1]
	attempts   []mintAttempt
}

func parseMintScript(b []byte) mintScript {
	at := func(i int) byte {
		if i < len(b) {
			return b[i]
		}
		return 0
	}
	s := mintScript{maxRetries: int(at(0) % 4), revoke: int(at(1)) % (len(hostileRevokes) + 1)}
	for i := 2; i+6 <= len(b) && len(s.attempts) < 4; i += 6 {
		s.attempts = append(s.attempts, mintAttempt{
			status: mintStatuses[b[i]%8], tokens: int(b[i+1] % 4), lostMint: b[i+1]&4 != 0,
			shape: b[i+2], encoding: int(b[i+3]) % encCount, cut: int(b[i+4]) % cutCount, cutAt: b[i+5],
		})
	}
	return s
}

func (s mintScript) bytes() []byte {
	b := []byte{byte(s.maxRetries), byte(s.revoke)}
	for _, a := range s.attempts {
		st := byte(0)
		for i, v := range mintStatuses {
			if v == a.status {
				st = byte(i)
				break
			}
		}
		n := byte(a.tokens)
		if a.lostMint {
			n |= 4
		}
		b = append(b, st, n, a.shape, byte(a.encoding), byte(a.cut), a.cutAt)
	}
	return b
}

type mintSeed struct {
	name   string
	script []byte
}

func seed(name string, maxRetries, revoke int, attempts ...mintAttempt) mintSeed {
	return mintSeed{name, mintScript{maxRetries: maxRetries, revoke: revoke, attempts: attempts}.bytes()}
}

// mintSeeds are issue 18's cases 1-7, and the kept-for-reference ones.
var mintSeeds = []mintSeed{
	seed("well-behaved", 0, 0),
	seed("1 duplicate keys", 0, 0, mintAttempt{status: 200, tokens: 2}),
	seed("1 three duplicates", 0, 0, mintAttempt{status: 200, tokens: 3}),
	seed("2 NaN before the token", 0, 0, mintAttempt{status: 200, tokens: 1, shape: shNaN}),
	seed("2 raw newline before the token", 0, 0, mintAttempt{status: 200, tokens: 1, shape: shNewline}),
	seed("2 invalid member after the token", 0, 0, mintAttempt{status: 200, tokens: 1, shape: shInvalidAfter}),
	seed("3 envelope", 0, 0, mintAttempt{status: 200, tokens: 1, shape: shEnvelope}),
	seed("3 envelope with a nested duplicate", 0, 0, mintAttempt{status: 200, tokens: 2, shape: shEnvelope | shNested}),
	seed("3 token quoted in a string", 0, 0, mintAttempt{status: 200, tokens: 2, shape: shInString}),
	seed("3 escaped key", 0, 0, mintAttempt{status: 200, tokens: 2, shape: shEscapedKey | shTrailing}),
	seed("4 lying Content-Encoding", 4, 0, mintAttempt{status: 200, tokens: 1, encoding: encLyingGzip}),
	seed("4 real gzip unasked", 4, 0, mintAttempt{status: 200, tokens: 1, encoding: encGzip}),
	seed("4 5xx after minting, then success", 4, 0, mintAttempt{status: 502, lostMint: true}, mintAttempt{status: 503, lostMint: true}),
	seed("4 5xx carrying a token", 2, 0, mintAttempt{status: 500, tokens: 1}),
	seed("4 truncated after the token", 4, 0, mintAttempt{status: 200, tokens: 1, cut: cutTruncate, cutAt: 240}),
	seed("4 truncated before the token", 4, 0, mintAttempt{status: 200, tokens: 1, cut: cutTruncate, cutAt: 20}),
	seed("5 interrupt after the token arrived", 0, 0, mintAttempt{status: 200, tokens: 1, cut: cutCancel, cutAt: 240}),
	seed("5 interrupt before the token arrived", 0, 0, mintAttempt{status: 200, tokens: 1, cut: cutCancel, cutAt: 10}),
	seed("5 stall after the token (timeout)", 3, 0, mintAttempt{status: 200, tokens: 1, cut: cutStall, cutAt: 240}),
	seed("6 revoke answered with a /token answer", 0, 1),
	seed("7 revoke refused for the request", 0, 2),
	seed("UTF-16 with a BOM", 0, 0, mintAttempt{status: 200, tokens: 1, encoding: encUTF16LEBOM}),
	seed("UTF-16BE without a BOM, duplicates", 0, 0, mintAttempt{status: 200, tokens: 2, encoding: encUTF16BE}),
	seed("UTF-32 truncated", 1, 0, mintAttempt{status: 200, tokens: 2, encoding: encUTF32LE, cut: cutTruncate, cutAt: 200}),
	seed("UTF-32BE with a BOM", 0, 0, mintAttempt{status: 200, tokens: 1, encoding: encUTF32BEBOM}),
	seed("error status carrying tokens", 0, 3, mintAttempt{status: 400, tokens: 2, shape: shEnvelope}),
	seed("everything at once", 3, 4,
		mintAttempt{status: 503, tokens: 1, lostMint: true, shape: 0xff, encoding: encUTF16LEBOM},
		mintAttempt{status: 200, tokens: 3, shape: shNaN | shNested | shTrailing, encoding: encLyingGzip}),
}

// hostileRevokes answer /revoke without revoking: none proves the token
// dead, so the client must keep it (Revoke fails).
var hostileRevokes = []struct {
	status int
	header string
	body   string
}{
	{200, "", `{"action":"authorize","success":true,"access_token":"at-cache","token_type":"Bearer","authorization":{"meta":{"status":{"code":"00","message_ilgn":[{"locale":"es_PE","value":"Access Token creado"}]}}}}`},
	{400, "", `{"error":"invalid_request","error_description":"Missing or invalid parameter: refresh_token (expected form-encoded body)"}`},
	{400, "", `{"error":"invalid_client","error_description":"refresh token invalid"}`},
	{400, "", `{"error":"unsupported_grant_type","error_description":"unknown refresh token"}`},
	{204, "", ``},
	{200, "", `<html><body>Welcome to the hotel network</body></html>`},
	{200, "", `{"action":"revoke","success":true,"revoke":{"meta":{"status":{"code":"01"}}}}`},
	{200, "", `{"action":"refresh","success":true}`},
	{200, "", `{"status":200,"data":{"success":true}}`},
	{401, "Bearer error=\"invalid_token\"", `{"error":"invalid_token","error_description":"refresh token expired"}`},
	{400, "", `{"success":false,"revoke":{"meta":{"status":{"code":"01","message_ilgn":[{"locale":"es_PE","value":"Formato de refresh_token inválido"}]}}}}`},
	{500, "", `{"success":false}`},
}

// mintServer mints real tokens and keeps the record the oracle reads.
type mintServer struct {
	s             mintScript
	srv           *httptest.Server
	mu            sync.Mutex
	n             int
	live          map[string]bool
	minted        []mintedToken
	status        []int // of each /token answer, in order
	revoked       int   // during Token
	hostileRevoke bool  // the final Revoke phase
}

type mintedToken struct {
	tok       string
	delivered bool // its whole member reached the client
}

func (m *mintServer) mint() string {
	m.n++
	t := fmt.Sprintf("rt-%03d-mintrule-%d", m.n, m.n*7919)
	m.live[t] = true
	return t
}

func (m *mintServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	if r.Header.Get("Accept-Encoding") != "" {
		http.Error(w, "the client asked for an encoding", http.StatusTeapot)
		return
	}
	if r.URL.Path == "/revoke" {
		m.serveRevoke(w, raw)
		return
	}
	m.mu.Lock()
	i := len(m.status)
	a := mintAttempt{status: 200, tokens: 1}
	if i < len(m.s.attempts) {
		a = m.s.attempts[i]
	}
	m.status = append(m.status, a.status)
	var toks []string
	for range a.tokens {
		toks = append(toks, m.mint())
	}
	// No client can know of a token lost beside one that arrived: a lost
	// mint is scripted only in an answer that carries none.
	if a.status >= 500 && a.lostMint && a.tokens == 0 {
		m.minted = append(m.minted, mintedToken{tok: m.mint()}) // lost: never in the body
	}
	plain, members := mintBody(toks, fmt.Sprintf("at-%03d", i), a.shape)
	body := encodeBody(plain, a.encoding)
	cut := len(body)
	if a.cut != cutNone && a.encoding != encGzip {
		cut = len(body) * int(a.cutAt) / 256
	}
	for k, t := range toks {
		enc := encodeText(members[k], a.encoding) // in a gzip body only delivered whole
		end := bytes.Index(body, enc)
		m.minted = append(m.minted, mintedToken{tok: t, delivered: a.encoding == encGzip || end >= 0 && end+len(enc) <= cut})
	}
	m.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	if a.encoding == encGzip || a.encoding == encLyingGzip {
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if a.cut == cutCancel {
		w.Header().Set("X-Cancel-After", strconv.Itoa(cut))
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(body[:cut])
	if a.cut == cutStall || a.cut == cutCancel {
		_ = http.NewResponseController(w).Flush()
		select { // until the client gives up
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
}

func (m *mintServer) serveRevoke(w http.ResponseWriter, raw []byte) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.Unmarshal(raw, &req)
	m.mu.Lock()
	hostile := m.hostileRevoke
	wasLive := m.live[req.RefreshToken]
	if !hostile {
		delete(m.live, req.RefreshToken)
		if wasLive {
			m.revoked++
		}
	}
	m.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case hostile:
		h := hostileRevokes[m.s.revoke-1]
		if h.header != "" {
			w.Header().Set("WWW-Authenticate", h.header)
		}
		w.WriteHeader(h.status)
		_, _ = w.Write([]byte(h.body))
	case wasLive:
		_, _ = w.Write([]byte(`{"action":"revoke","success":true,"revoke":{"meta":{"status":{"code":"00","message_ilgn":[{"locale":"es_PE","value":"Refresh Token eliminado"}]}}}}`))
	default:
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"Refresh token unknown"}`))
	}
}

// mintBody builds a token answer around toks; members[k] is the text that
// carries toks[k] (delivered once all of it arrived).
func mintBody(toks []string, access string, shape byte) (string, []string) {
	ms := []string{`"action":"authorize"`, `"success":true`, `"access_token":"` + access + `"`}
	if shape&shNaN != 0 {
		ms = append(ms, `"expires_in":NaN`)
	} else {
		ms = append(ms, `"expires_in":3600`)
	}
	if shape&shNewline != 0 {
		ms = append(ms, "\"note\":\"line one\nline two\"")
	}
	var members []string
	for k, t := range toks {
		key := `"refresh_token"`
		if k == 0 && shape&shEscapedKey != 0 {
			key = `"refresh\u005ftoken"`
		}
		m := key + `:"` + t + `"`
		switch {
		case k == 0 && shape&shInString != 0:
			m = `"debug":"{\"refresh_token\":\"` + t + `\"}"`
		case k == len(toks)-1 && k > 0 && shape&shNested != 0:
			m = `"meta":{` + m + `}`
		}
		ms = append(ms, m)
		members = append(members, m)
	}
	ms = append(ms, `"token_type":"Bearer"`, `"scope":"create:token offline_access"`)
	if shape&shInvalidAfter != 0 {
		ms = append(ms, `"x":}`)
	}
	body := "{" + strings.Join(ms, ",") + "}"
	if shape&shEnvelope != 0 {
		body = `{"status":200,"data":` + body + `}`
	}
	if shape&shTrailing != 0 {
		body += "\n<!-- cache-7 -->"
	}
	return body, members
}

func encodeBody(s string, enc int) []byte {
	b := encodeText(s, enc)
	switch enc {
	case encUTF8BOM:
		return append([]byte("\xEF\xBB\xBF"), b...)
	case encUTF16LEBOM:
		return append([]byte{0xFF, 0xFE}, b...)
	case encUTF32BEBOM:
		return append([]byte{0, 0, 0xFE, 0xFF}, b...)
	case encGzip:
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return z.Bytes()
	}
	return b
}

// encodeText is s in enc's character encoding, without a mark.
func encodeText(s string, enc int) []byte {
	var b []byte
	switch enc {
	case encUTF16LEBOM, encUTF16BE:
		order := binary.AppendByteOrder(binary.LittleEndian)
		if enc == encUTF16BE {
			order = binary.BigEndian
		}
		for _, u := range utf16.Encode([]rune(s)) {
			b = order.AppendUint16(b, u)
		}
	case encUTF32LE, encUTF32BEBOM:
		order := binary.AppendByteOrder(binary.LittleEndian)
		if enc == encUTF32BEBOM {
			order = binary.BigEndian
		}
		for _, r := range s {
			b = order.AppendUint32(b, uint32(r))
		}
	default:
		b = []byte(s)
	}
	return b
}

// cancelAfter cancels the caller's context once the client has read the
// bytes X-Cancel-After names: an interrupt that comes after they arrived,
// deterministically.
type cancelAfter struct {
	base   http.RoundTripper
	cancel context.CancelFunc
}

func (c *cancelAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err != nil || resp.Header.Get("X-Cancel-After") == "" {
		return resp, err
	}
	n, _ := strconv.Atoi(resp.Header.Get("X-Cancel-After"))
	if n == 0 {
		c.cancel()
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, left: n, cancel: c.cancel}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	left   int
	cancel context.CancelFunc
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if b.left -= n; b.left <= 0 && n > 0 {
		b.cancel()
	}
	return n, err
}

func checkMintRule(t *testing.T, s mintScript) {
	m := &mintServer{s: s, live: map[string]bool{}}
	m.srv = httptest.NewServer(m)
	defer m.srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timeout := 5 * time.Second
	transport := &http.Transport{DisableCompression: true}
	var hc *http.Client
	for _, a := range s.attempts {
		switch a.cut {
		case cutStall:
			timeout = 300 * time.Millisecond
		case cutCancel:
			hc = &http.Client{Transport: &cancelAfter{base: transport, cancel: cancel}}
		}
	}
	c := newTestClient(t, m.srv.URL, func(cfg *Config) {
		cfg.MaxRetries, cfg.Timeout, cfg.HTTPClient = s.maxRetries, timeout, hc
	})
	tok, err := c.Token(ctx, offlineReq)
	minted := tok.Minted
	var e *Error
	if err != nil {
		if !errors.As(err, &e) {
			t.Fatalf("error %v is not a *Error", err)
		}
		minted = e.Minted
		if tok.RefreshToken != "" {
			t.Fatalf("a failed call returned a refresh token")
		}
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	for i, st := range m.status {
		if st/100 == 2 && i < len(m.status)-1 {
			t.Errorf("the offline_access grant was retried after answer %d began to arrive with %d", i+1, st)
		}
	}
	if err == nil && !m.live[tok.RefreshToken] {
		t.Errorf("the refresh token returned is not one the server holds live")
	}
	unseen := false
	for i, mt := range m.minted {
		switch {
		case mt.tok == tok.RefreshToken || !m.live[mt.tok]:
		case mt.delivered:
			t.Errorf("minted token #%d arrived, was not kept and is still live (err: %v, minted %+v)", i+1, err, minted)
		default:
			unseen = true
		}
	}
	if unseen && minted.Unseen == 0 {
		t.Errorf("a token minted but never delivered is live, and the call does not own up to it (err: %v, minted %+v)", err, minted)
	}
	if minted.Revoked != m.revoked || minted.Live != 0 {
		t.Errorf("the call reports %+v, the server revoked %d", minted, m.revoked)
	}

	if err != nil {
		return
	}
	m.hostileRevoke = s.revoke != 0
	m.mu.Unlock()
	rerr := c.Revoke(context.Background(), "commerce@email.com", tok.RefreshToken)
	m.mu.Lock()
	if (rerr == nil || errors.Is(rerr, ErrInvalidToken)) && m.live[tok.RefreshToken] {
		t.Errorf("Revoke returned %v, and the token is live", rerr)
	}
	if s.revoke == 0 && rerr != nil {
		t.Errorf("a real revocation failed: %v", rerr)
	}
}
