package sandbox

import (
	"crypto/rand"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	headerAPIVersion = "ALG-API-VERSION"
	maxBody          = 64 << 10

	scopeCreateToken   = "create:token"
	scopeOfflineAccess = "offline_access"

	grantClientCredentials = "client_credentials"
	grantPassword          = "password"
	grantRefreshToken      = "refresh_token"
)

// Server is the in-memory Pay-me auth service. It is safe for concurrent
// use; configuration is immutable after New, all mutable state sits behind
// mu.
type Server struct {
	clients   map[string]Client
	scopes    map[string]map[string]bool // client_id -> allowed scopes; nil => any
	users     map[[2]string]User         // {client_id, username}
	audiences map[string]bool            // nil => any non-empty audience
	ttl       time.Duration
	revoke    RevokeUnknownPolicy
	rotate    bool
	now       func() time.Time
	key       []byte // HMAC key for access tokens, per server

	mu       sync.Mutex
	journal  []Entry
	requests map[string]int
	statuses map[string]map[int]int
	refresh  map[string]refreshState // live refresh tokens only
	secrets  map[string][]acceptedSecret
	faults   []*pendingFault
}

// refreshState is what a live refresh token stands for.
type refreshState struct {
	clientID string
	username string          // "" for a client-level password grant
	scopes   map[string]bool // scopes of the grant that issued it
}

// New builds a sandbox from cfg. It panics if cfg.Validate fails: seeds are
// written by the programmer (or checked by LoadConfig), so a bad seed is a
// bug, not a runtime condition.
func New(cfg Config) *Server {
	if err := cfg.Validate(); err != nil {
		panic("sandbox: invalid config: " + err.Error())
	}
	s := &Server{
		clients: map[string]Client{},
		scopes:  map[string]map[string]bool{},
		users:   map[[2]string]User{},
		ttl:     cfg.AccessTokenTTL,
		revoke:  cfg.RevokeUnknown,
		rotate:  cfg.RotateRefreshTokens,
		now:     cfg.Now,
		key:     make([]byte, 32),
	}
	for _, c := range cfg.Clients {
		c.Scopes = slices.Clone(c.Scopes)
		s.clients[c.ID] = c
		if len(c.Scopes) > 0 {
			set := map[string]bool{}
			for _, sc := range c.Scopes {
				set[sc] = true
			}
			s.scopes[c.ID] = set
		}
	}
	for _, u := range cfg.Users {
		s.users[[2]string{u.ClientID, u.Username}] = u
	}
	if len(cfg.Audiences) > 0 {
		s.audiences = map[string]bool{}
		for _, a := range cfg.Audiences {
			s.audiences[a] = true
		}
	}
	if s.ttl == 0 {
		s.ttl = defaultAccessTokenTTL
	}
	if s.revoke == "" {
		s.revoke = RevokeUnknownSucceed
	}
	if s.now == nil {
		s.now = time.Now
	}
	_, _ = rand.Read(s.key) // crypto/rand.Read never fails (Go 1.24+)
	s.resetLocked()
	return s
}

func (s *Server) resetLocked() {
	s.journal = nil
	s.requests = map[string]int{}
	s.statuses = map[string]map[int]int{}
	s.refresh = map[string]refreshState{}
	s.faults = nil
	s.secretsFromSeedsLocked()
}

// Reset forgets the journal, counters, pending faults, every refresh token
// and every rotated client secret; the seeds stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

// ServeHTTP serves /token, /revoke and the /_sandbox/ control endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == pathToken || p == pathRevoke:
		s.serveAuth(w, r, p)
	case p == controlPrefix[:len(controlPrefix)-1] || strings.HasPrefix(p, controlPrefix):
		s.serveControl(w, r)
	default:
		// Journaled so that a base URL with a stray path segment shows up
		// in tests as requests to the wrong path, not as silence.
		s.record(Entry{Time: s.now(), Method: clip(r.Method, maxJournalValue), Endpoint: clip(p, maxJournalValue), Status: http.StatusNotFound})
		http.NotFound(w, r)
	}
}

// httpRequest is what serveAuth learned from the HTTP request before
// deciding; parseToken and parseRevoke turn its fields into a typed request.
type httpRequest struct {
	endpoint string
	method   string
	ctype    string
	version  string
	fields   map[string]string
	bodyErr  *apiError // body unreadable, too large, or not a flat JSON object of strings
}

func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request, endpoint string) {
	req := httpRequest{
		endpoint: endpoint,
		method:   r.Method,
		ctype:    r.Header.Get("Content-Type"),
		version:  r.Header.Get(headerAPIVersion),
	}
	req.fields, req.bodyErr = readFields(w, r)
	e := Entry{
		Time:       s.now(),
		Method:     clip(r.Method, maxJournalValue),
		Endpoint:   endpoint,
		Grant:      clip(req.fields["grant_type"], maxJournalValue),
		APIVersion: clip(req.version, maxJournalValue),
		Fields:     maskFields(req.fields),
	}

	// Faults are taken before validation: they stand for the network and
	// proxies in front of Pay-me, which do not care whether the body is
	// valid.
	f, faulted := s.takeFault(endpoint)
	noRefresh := false
	if faulted {
		e.Fault = string(f.Kind)
		if f.Latency > 0 && !sleepCtx(r.Context(), f.Latency) {
			s.record(e) // Status 0: the client gave up, nothing answered
			return
		}
		switch f.Kind {
		case FaultDrop:
			s.record(e)
			dropConnection(w)
			return
		case FaultLatency:
		case FaultNoRefresh:
			noRefresh = true
		default:
			rp := faultReply(f, endpoint, req.fields, s.ttl)
			e.Status = rp.status
			s.record(e)
			rp.write(w)
			return
		}
	}

	rp := s.decide(req, noRefresh)
	if faulted && f.RetryAfter > 0 {
		if rp.header == nil {
			rp.header = http.Header{}
		}
		maps.Copy(rp.header, retryAfter(f.RetryAfter))
	}
	e.Status = rp.status
	s.record(e)
	rp.write(w)
}

// decide validates req and, if valid, applies it: the HTTP checks here,
// then the body rules (request.go), then the grant (grants.go). noRefresh
// issues no refresh token and retires none (FaultNoRefresh).
func (s *Server) decide(req httpRequest, noRefresh bool) reply {
	if req.method != http.MethodPost {
		rp := errorReply(req.endpoint, &apiError{status: http.StatusMethodNotAllowed, msg: "Método no permitido: use POST"})
		rp.header = http.Header{"Allow": {http.MethodPost}}
		return rp
	}
	if err := checkContentType(req.ctype); err != nil {
		return errorReply(req.endpoint, err)
	}
	if strings.TrimSpace(req.version) == "" {
		return errorReply(req.endpoint, badRequest("Header %s requerido", headerAPIVersion))
	}
	if req.bodyErr != nil {
		return errorReply(req.endpoint, req.bodyErr)
	}
	if req.endpoint == pathRevoke {
		rr, err := s.parseRevoke(req.fields)
		if err == nil {
			err = s.revokeToken(rr)
		}
		if err != nil {
			return errorReply(req.endpoint, err)
		}
		return jsonReply(http.StatusOK, statusEnvelope(pathRevoke, true, msgRefreshRevoked))
	}
	tr, err := s.parseToken(req.fields)
	if err != nil {
		return errorReply(req.endpoint, err)
	}
	env, err := s.issue(tr, noRefresh)
	if err != nil {
		return errorReply(req.endpoint, err)
	}
	return jsonReply(http.StatusOK, env)
}
