package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
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
}

// Reset forgets the journal, counters, pending faults and every refresh
// token; the seeds stay.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
}

// LiveRefreshTokens counts refresh tokens issued and neither revoked nor
// rotated away.
func (s *Server) LiveRefreshTokens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.refresh)
}

// RefreshTokenLive reports whether token is a live refresh token.
func (s *Server) RefreshTokenLive(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.refresh[token]
	return ok
}

// RevokeOutOfBand revokes token as if someone had done it elsewhere (the
// merchant's back office, another Terraform state) and reports whether it
// was live.
func (s *Server) RevokeOutOfBand(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.refresh[token]
	delete(s.refresh, token)
	return ok
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

// request is what serveAuth learned from the HTTP request before deciding.
type request struct {
	endpoint string
	method   string
	ctype    string
	version  string
	fields   map[string]string
	bodyErr  *apiError // body unreadable, too large, or not a flat JSON object of strings
}

func (s *Server) serveAuth(w http.ResponseWriter, r *http.Request, endpoint string) {
	req := request{
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

// decide validates req and, if valid, applies it. noRefresh issues no
// refresh token and retires none (FaultNoRefresh).
func (s *Server) decide(req request, noRefresh bool) reply {
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
		if err := s.revokeToken(req.fields); err != nil {
			return errorReply(req.endpoint, err)
		}
		return jsonReply(http.StatusOK, statusEnvelope(pathRevoke, true, msgRefreshRevoked))
	}
	env, err := s.issue(req.fields, noRefresh)
	if err != nil {
		return errorReply(req.endpoint, err)
	}
	return jsonReply(http.StatusOK, env)
}

func checkContentType(ct string) *apiError {
	unsupported := &apiError{status: http.StatusUnsupportedMediaType, msg: "Content-Type debe ser application/json"}
	if ct == "" {
		return unsupported
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return unsupported
	}
	// JSON is UTF-8 (RFC 8259 section 8.1); any other declared charset
	// means the client encodes something we would misread.
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return unsupported
	}
	return nil
}

// readFields reads a body that must be one flat JSON object of strings:
// every documented field is a string, and a number or nested object means
// the client builds its body wrongly. Duplicate keys are refused because
// servers disagree on which one wins. The fields parsed so far are returned
// even on error, for the journal.
func readFields(w http.ResponseWriter, r *http.Request) (map[string]string, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, badRequest("Cuerpo de la solicitud mayor a %d bytes", maxBody)
		}
		return nil, badRequest("No se pudo leer el cuerpo de la solicitud")
	}
	malformed := badRequest("JSON inválido")
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, badRequest("El cuerpo debe ser un objeto JSON")
	}
	fields := map[string]string{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return fields, malformed
		}
		key, _ := kt.(string) // object keys are always strings
		vt, err := dec.Token()
		if err != nil {
			return fields, malformed
		}
		v, ok := vt.(string)
		if !ok {
			return fields, badRequest("El campo %s debe ser texto", clip(key, maxFieldLen))
		}
		if _, dup := fields[key]; dup {
			return fields, badRequest("Campo duplicado: %s", clip(key, maxFieldLen))
		}
		fields[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fields, malformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return fields, badRequest("Datos adicionales después del objeto JSON")
	}
	return fields, nil
}

// fieldRules says which body fields an operation takes. The real service's
// reaction to extra fields is undocumented; the sandbox refuses them so that
// a provider sending anything beyond the documented fields (a password on
// client_credentials, a scope on /revoke) is caught in tests rather than
// left to chance in production.
type fieldRules struct {
	required []string // in documented order, so the first missing one is reported
	optional []string
}

func (fr fieldRules) allows(name string) bool {
	return slices.Contains(fr.required, name) || slices.Contains(fr.optional, name)
}

var (
	tokenRules = map[string]fieldRules{
		grantClientCredentials: {required: []string{"action", "grant_type", "client_id", "client_secret", "audience", "scope"}},
		grantPassword:          {required: []string{"action", "grant_type", "client_id", "client_secret", "audience", "scope"}, optional: []string{"username", "password"}},
		grantRefreshToken:      {required: []string{"action", "grant_type", "client_id", "client_secret", "audience", "scope", "refresh_token"}, optional: []string{"username"}},
	}
	revokeRules = fieldRules{required: []string{"action", "client_id", "client_secret", "audience", "refresh_token"}, optional: []string{"username"}}

	// lengthLimited are the fields documented with "Long. 100".
	lengthLimited = []string{"client_id", "client_secret", "username", "password", "refresh_token"}
)

// checkFields applies the structural rules common to both endpoints, in a
// fixed order so that a request with several faults always gets the same
// message.
func (s *Server) checkFields(fields map[string]string, wantAction string, rules fieldRules, context string) *apiError {
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if !rules.allows(k) {
			return badRequest("Campo no permitido%s: %s", context, clip(k, maxFieldLen))
		}
	}
	// An empty optional field is refused rather than read as absent: a
	// conforming client omits what it does not send.
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if fields[k] == "" {
			return badRequest("Campo vacío: %s", k)
		}
	}
	for _, k := range rules.required {
		if _, ok := fields[k]; !ok {
			return badRequest("Campo requerido: %s", k)
		}
	}
	if fields["action"] != wantAction {
		return badRequest("action inválido: se esperaba %q", wantAction)
	}
	for _, k := range lengthLimited {
		if utf8.RuneCountInString(fields[k]) > maxFieldLen {
			return badRequest("El campo %s excede %d caracteres", k, maxFieldLen)
		}
	}
	// An unaccepted audience is a malformed request for this service, not
	// a credential problem, hence 400 ("invalid request" in the docs).
	if s.audiences != nil && !s.audiences[fields["audience"]] {
		return badRequest("Audience inválido")
	}
	return nil
}

// authenticate checks client_id/client_secret. The comparison is constant
// time only out of habit; nothing here is secret.
func (s *Server) authenticate(fields map[string]string) (Client, *apiError) {
	c, ok := s.clients[fields["client_id"]]
	if !ok || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(fields["client_secret"])) != 1 {
		return Client{}, unauthorized("Credenciales de cliente inválidas")
	}
	return c, nil
}

// issue handles POST /token.
func (s *Server) issue(fields map[string]string, noRefresh bool) (envelope, *apiError) {
	grant, ok := fields["grant_type"]
	if !ok {
		// Checked before the field rules, which depend on the grant.
		if _, ok := fields["action"]; !ok {
			return envelope{}, badRequest("Campo requerido: action")
		}
		return envelope{}, badRequest("Campo requerido: grant_type")
	}
	rules, ok := tokenRules[grant]
	if !ok {
		return envelope{}, badRequest("grant_type no soportado: %s", clip(grant, maxFieldLen))
	}
	if err := s.checkFields(fields, actionAuthorize, rules, " para grant_type "+grant); err != nil {
		return envelope{}, err
	}
	requested, err := parseScope(fields["scope"])
	if err != nil {
		return envelope{}, err
	}
	if !slices.Contains(requested, scopeCreateToken) {
		// The current docs call create:token "obligatorio para generar
		// tokens".
		return envelope{}, badRequest("El scope %s es obligatorio", scopeCreateToken)
	}
	_, hasUser := fields["username"]
	_, hasPassword := fields["password"]
	if grant == grantPassword && hasUser != hasPassword {
		// Both are optional, but one without the other cannot identify a
		// user: say so instead of guessing which was meant.
		return envelope{}, badRequest("username y password deben enviarse juntos")
	}

	client, err := s.authenticate(fields)
	if err != nil {
		return envelope{}, err
	}
	if allowed := s.scopes[client.ID]; allowed != nil {
		for _, sc := range requested {
			if !allowed[sc] {
				return envelope{}, unauthorized("Scope no permitido para el cliente: %s", sc)
			}
		}
	}
	offline := slices.Contains(requested, scopeOfflineAccess)
	subject := client.ID
	granted := requested
	var newRefresh string

	switch grant {
	case grantClientCredentials:
		// No user, so nothing to refresh on behalf of: offline_access is
		// accepted but neither honoured nor echoed back, one of the ways
		// the granted scope may differ from the requested one.
		granted = slices.DeleteFunc(slices.Clone(requested), func(sc string) bool { return sc == scopeOfflineAccess })
	case grantPassword:
		if hasUser {
			u, ok := s.users[[2]string{client.ID, fields["username"]}]
			if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(fields["password"])) != 1 {
				return envelope{}, unauthorized("Usuario o contraseña inválidos")
			}
			subject = u.Username
		}
		if offline && !noRefresh {
			newRefresh = s.storeRefresh(refreshState{clientID: client.ID, username: fields["username"], scopes: setOf(requested)})
		}
	case grantRefreshToken:
		var err *apiError
		subject, newRefresh, err = s.useRefresh(client.ID, fields, requested, offline && s.rotate && !noRefresh)
		if err != nil {
			return envelope{}, err
		}
	}

	now := s.now()
	expires := int64((s.ttl + time.Second - 1) / time.Second)
	return envelope{
		Action:        actionAuthorize,
		Success:       true,
		AccessToken:   s.accessToken(now, expires, fields["audience"], subject, client.ID, grant, strings.Join(granted, " ")),
		Scope:         strings.Join(granted, " "),
		RefreshToken:  newRefresh,
		ExpiresIn:     expires,
		TokenType:     "Bearer",
		Authorization: newMeta(codeOK, msgTokenCreated),
	}, nil
}

// useRefresh checks a refresh_token grant and, when rotate is set, swaps
// the token for a new one in the same critical section, so two concurrent
// refreshes cannot both rotate the same token.
func (s *Server) useRefresh(clientID string, fields map[string]string, requested []string, rotate bool) (subject, newToken string, _ *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := fields["refresh_token"]
	st, ok := s.refresh[old]
	if !ok || st.clientID != clientID {
		return "", "", badRequest(msgRefreshInvalid)
	}
	if u, given := fields["username"]; given && u != st.username {
		return "", "", badRequest(msgRefreshInvalid)
	}
	// RFC 6749 section 6: a refresh may narrow the original grant, never
	// widen it. 401 like any other scope the caller may not have.
	for _, sc := range requested {
		if !st.scopes[sc] {
			return "", "", unauthorized("Scope no concedido al Refresh Token: %s", sc)
		}
	}
	subject = clientID
	if st.username != "" {
		subject = st.username
	}
	if rotate {
		delete(s.refresh, old)
		newToken = s.storeRefreshLocked(st)
	}
	return subject, newToken, nil
}

// revokeToken handles POST /revoke.
func (s *Server) revokeToken(fields map[string]string) *apiError {
	if err := s.checkFields(fields, actionRevoke, revokeRules, ""); err != nil {
		return err
	}
	client, err := s.authenticate(fields)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := fields["refresh_token"]
	st, ok := s.refresh[tok]
	if u, given := fields["username"]; ok && given && u != st.username {
		ok = false
	}
	if !ok || st.clientID != client.ID {
		// Never touches a token of another client or user.
		return s.revokeUnknownReply()
	}
	delete(s.refresh, tok)
	return nil
}

// revokeUnknownReply is the single place that decides what /revoke answers
// for a refresh token that is unknown, already revoked, rotated away, or
// belongs to another client or user.
//
// Pay-me does not document this case. RFC 7009 section 2.2 says an
// authorization server answers 200 for an invalid token, because the
// client cannot act on the error and the token is unusable either way;
// that is the default (RevokeUnknownSucceed). RevokeUnknownReject models a
// server that reports it, so that clients can be tested to treat such an
// answer as "already gone" rather than as a failure.
func (s *Server) revokeUnknownReply() *apiError {
	if s.revoke == RevokeUnknownReject {
		return badRequest(msgRefreshInvalid)
	}
	return nil
}

func (s *Server) storeRefresh(st refreshState) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeRefreshLocked(st)
}

func (s *Server) storeRefreshLocked(st refreshState) string {
	tok := randomToken()
	s.refresh[tok] = st
	return tok
}

// parseScope splits a scope parameter per RFC 6749 section 3.3: tokens
// separated by single spaces. Sloppy joining (double or trailing spaces) is
// refused, since the real server's tolerance is unknown. Repeats are
// dropped, keeping the first occurrence's place.
func parseScope(scope string) ([]string, *apiError) {
	var out []string
	for sc := range strings.SplitSeq(scope, " ") {
		if !validScopeToken(sc) {
			return nil, badRequest("Scope inválido: use permisos separados por un espacio")
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// validScopeToken follows RFC 6749's scope-token grammar:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(sc string) bool {
	if sc == "" {
		return false
	}
	for i := 0; i < len(sc); i++ {
		c := sc[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}
