// Package hostile is a Pay-me stand-in that answers as a hostile or sloppy
// server would: each Case scripts the raw answer to /token or /revoke
// (status, headers, body bytes), often echoing the request's secrets in some
// escaping. The server keeps its own record of the refresh tokens it issued
// and of those still live, which is the ground truth a test compares the
// Terraform state with. It listens on 127.0.0.1 only.
//
// The sandbox (package sandbox) is the well-behaved server; this one exists
// because a provider proven only against a well-behaved server keeps neither
// of its promises (no live token forgotten, no secret in any output) against
// a server that is not.
package hostile

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// request is what the server read from one call. String fields hold the raw
// bytes the client sent, so a token altered on its way back is not mistaken
// for the one issued.
type request struct {
	Path         string // "/token" or "/revoke"
	Grant        string
	ClientSecret string
	Password     string
	RefreshToken string
	Scope        string
	ClientID     string
	Body         []byte // as sent
}

// exchange is one call as a reply sees it: the request, and the means to
// issue tokens that the server then records.
type exchange struct {
	request
	s *Server
}

// newRefresh issues a new live refresh token.
func (x *exchange) newRefresh() string { return x.s.issue(randomToken("rt-", 40), true) }

// refreshAs issues tok as a live refresh token (for tokens of an odd shape).
func (x *exchange) refreshAs(tok string) string { return x.s.issue(tok, true) }

// lostRefresh issues a live refresh token that the answer will not carry:
// Pay-me minted it and the answer was lost, which no client can see.
func (x *exchange) lostRefresh() string {
	tok := x.s.issue(randomToken("rt-", 40), true)
	x.s.mu.Lock()
	x.s.lost[tok] = true
	x.s.mu.Unlock()
	return tok
}

// access issues a new access token.
func (x *exchange) access() string { return x.s.issue(randomToken("at-", 48), false) }

// reply scripts one answer.
type reply struct {
	Status int
	Header map[string]string
	Body   func(x *exchange) []byte
	// Stall sends Body, then holds the answer open without ending it (as
	// Content-Length promised more) until the client leaves.
	Stall bool
}

// Server is a running stand-in for one Case.
type Server struct {
	URL  string
	c    Case
	http *httptest.Server

	mu       sync.Mutex
	issued   []string        // every token, access and refresh, in issue order
	refresh  int             // how many of them are refresh tokens
	live     map[string]bool // refresh tokens not revoked
	lost     map[string]bool // refresh tokens issued in answers that never carried them
	requests map[string]int  // calls per path
	stalled  chan struct{}   // closed when a stalling answer has sent its head
	stallOne sync.Once
}

// Start runs a server for c on a loopback port; Close stops it.
func Start(c Case) *Server {
	s := &Server{c: c, live: map[string]bool{}, lost: map[string]bool{}, requests: map[string]int{}, stalled: make(chan struct{})}
	s.http = httptest.NewServer(s)
	s.URL = s.http.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// Issued returns every token the server handed out, in order.
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issued)
}

// RefreshIssued returns how many refresh tokens the server handed out.
func (s *Server) RefreshIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refresh
}

// Live returns the refresh tokens the server still honours.
func (s *Server) Live() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, t := range s.issued {
		if s.live[t] {
			out = append(out, t)
		}
	}
	return out
}

// Lost returns the live refresh tokens no answer carried (Pay-me minted
// them and the answer was lost): no client can revoke those.
func (s *Server) Lost() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, t := range s.issued {
		if s.live[t] && s.lost[t] {
			out = append(out, t)
		}
	}
	return out
}

// Stalled is closed once a stalling answer has sent what it will send.
func (s *Server) Stalled() <-chan struct{} { return s.stalled }

// Requests returns how many calls reached path.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

func (s *Server) issue(tok string, refresh bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.issued = append(s.issued, tok)
	if refresh {
		s.live[tok] = true
		s.refresh++
	}
	return tok
}

// revoke ends tok and reports whether it was live.
func (s *Server) revoke(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	was := s.live[tok]
	delete(s.live, tok)
	return was
}

func (s *Server) isLive(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.live[tok]
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	first := s.requests["/token"] == 1 && r.URL.Path == "/token"
	s.mu.Unlock()
	var buf bytes.Buffer
	if r.Method != http.MethodPost || r.URL.Path != "/token" && r.URL.Path != "/revoke" {
		http.NotFound(w, r)
		return
	}
	if _, err := buf.ReadFrom(r.Body); err != nil {
		http.Error(w, "unreadable body", http.StatusBadRequest)
		return
	}
	x := &exchange{request: readRequest(r.URL.Path, buf.Bytes()), s: s}
	ans := s.c.token
	switch {
	case first && s.c.first != nil:
		ans = s.c.first
	case x.Path == "/revoke":
		ans = s.c.revoke
	case x.Grant == "refresh_token":
		ans = nil // the refresh grant is always well-behaved
	}
	if ans == nil {
		ans = wellBehaved(x)
	}
	for k, v := range ans.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	body := ans.Body(x)
	if ans.Stall {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)+4096))
	}
	w.WriteHeader(ans.Status)
	_, _ = w.Write(body)
	if ans.Stall {
		_ = http.NewResponseController(w).Flush()
		s.stallOne.Do(func() { close(s.stalled) })
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}
}

// readRequest keeps each string field's raw bytes where JSON allows it: a
// value without escapes is taken verbatim (Go's decoder would replace
// invalid UTF-8), one with escapes is decoded.
func readRequest(path string, body []byte) request {
	var top map[string]json.RawMessage
	_ = json.Unmarshal(body, &top)
	field := func(k string) string {
		raw := top[k]
		if len(raw) >= 2 && raw[0] == '"' && !bytes.ContainsRune(raw, '\\') {
			return string(raw[1 : len(raw)-1])
		}
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	return request{
		Path: path, Grant: field("grant_type"), ClientSecret: field("client_secret"),
		Password: field("password"), RefreshToken: field("refresh_token"), Scope: field("scope"),
		ClientID: field("client_id"), Body: bytes.Clone(body),
	}
}

// wellBehaved is Pay-me as documented: a token answer (a refresh token only
// for offline_access), a revoke that ends a live token, and the sandbox's
// answer for an unknown one.
func wellBehaved(x *exchange) *reply {
	switch {
	case x.Path == "/revoke" && x.s.revoke(x.RefreshToken):
		return &reply{Status: 200, Body: envelope("revoke", true, "00", "Refresh Token eliminado")}
	case x.Path == "/revoke":
		return &reply{Status: 400, Body: envelope("revoke", false, "01", "Refresh Token inválido o revocado")}
	case x.Grant == "refresh_token" && !x.s.isLive(x.RefreshToken):
		return &reply{Status: 400, Body: envelope("authorization", false, "01", "Refresh Token inválido o revocado")}
	}
	return &reply{Status: 200, Body: success(nil)}
}

// tokenAnswer is a documented success answer to x, with a new refresh token
// when withRefresh and the request asked for one.
func tokenAnswer(x *exchange, withRefresh bool) map[string]any {
	m := map[string]any{
		"action":       "authorize",
		"success":      true,
		"access_token": x.access(),
		"scope":        x.Scope,
		"expires_in":   86400,
		"token_type":   "Bearer",
		"authorization": map[string]any{"meta": map[string]any{"status": map[string]any{
			"code": "00", "message_ilgn": []any{map[string]any{"locale": "es_PE", "value": "Access Token creado"}},
		}}},
	}
	if withRefresh && x.Grant == "password" && slices.Contains(strings.Fields(x.Scope), "offline_access") {
		m["refresh_token"] = x.newRefresh()
	}
	return m
}

// success answers with tokenAnswer as edited by edit (nil: unedited).
func success(edit func(x *exchange, m map[string]any)) func(*exchange) []byte {
	return func(x *exchange) []byte {
		m := tokenAnswer(x, true)
		if edit != nil {
			edit(x, m)
		}
		return mustJSON(m)
	}
}

// envelope is Pay-me's answer envelope with one message per text.
func envelope(action string, ok bool, code string, texts ...string) func(*exchange) []byte {
	return func(*exchange) []byte { return envelopeBody(action, ok, code, texts...) }
}

func envelopeBody(action string, ok bool, code string, texts ...string) []byte {
	msgs := make([]any, 0, len(texts))
	for _, t := range texts {
		msgs = append(msgs, map[string]any{"locale": "es_PE", "value": t})
	}
	return mustJSON(map[string]any{"action": action, "success": ok, action: map[string]any{"meta": map[string]any{
		"status": map[string]any{"code": code, "message_ilgn": msgs},
	}}})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func randomToken(prefix string, n int) string {
	b := []byte(prefix)
	for range n {
		b = append(b, tokenAlphabet[rand.IntN(len(tokenAlphabet))]) //nolint:gosec // test tokens, not keys
	}
	return string(b)
}
