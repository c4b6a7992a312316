package sandbox

import (
	"crypto/subtle"
	"slices"
	"strings"
	"time"
)

// grant is what a grant decided: whom the access token is for, the scope
// it carries and the refresh token issued, if any.
type grant struct {
	subject    string
	scopes     []string
	newRefresh string
}

// authenticate checks client_id/client_secret against the secrets the
// client has now (see RotateClientSecret). The comparison is constant time
// only out of habit; nothing here is secret.
func (s *Server) authenticate(clientID, secret string) (Client, *apiError) {
	c, ok := s.clients[clientID]
	if !ok || !s.secretAccepted(clientID, secret) {
		return Client{}, unauthorized("Credenciales de cliente inválidas")
	}
	return c, nil
}

// issue handles POST /token. noRefresh issues no refresh token and retires
// none (FaultNoRefresh).
func (s *Server) issue(req tokenRequest, noRefresh bool) (envelope, *apiError) {
	client, err := s.authenticate(req.clientID, req.clientSecret)
	if err != nil {
		return envelope{}, err
	}
	if allowed := s.scopes[client.ID]; allowed != nil {
		for _, sc := range req.scopes {
			if !allowed[sc] {
				return envelope{}, unauthorized("Scope no permitido para el cliente: %s", sc)
			}
		}
	}
	var g grant
	switch req.grant {
	case grantClientCredentials:
		g = clientCredentials(client, req)
	case grantPassword:
		g, err = s.passwordGrant(client, req, noRefresh)
	case grantRefreshToken:
		g, err = s.refreshGrant(client, req, noRefresh)
	}
	if err != nil {
		return envelope{}, err
	}
	now := s.now()
	expires := int64((s.ttl + time.Second - 1) / time.Second)
	scope := strings.Join(g.scopes, " ")
	return envelope{
		Action:        actionAuthorize,
		Success:       true,
		AccessToken:   s.accessToken(now, expires, req.audience, g.subject, client.ID, req.grant, scope),
		Scope:         scope,
		RefreshToken:  g.newRefresh,
		ExpiresIn:     expires,
		TokenType:     "Bearer",
		Authorization: newMeta(codeOK, msgTokenCreated),
	}, nil
}

// clientCredentials has no user, so nothing to refresh on behalf of:
// offline_access is accepted but neither honoured nor echoed back, one of
// the ways the granted scope may differ from the requested one.
func clientCredentials(client Client, req tokenRequest) grant {
	scopes := slices.DeleteFunc(slices.Clone(req.scopes), func(sc string) bool { return sc == scopeOfflineAccess })
	return grant{subject: client.ID, scopes: scopes}
}

// passwordGrant authenticates the user, if one is named (without one, the
// token is the client's), and issues a refresh token for offline_access.
func (s *Server) passwordGrant(client Client, req tokenRequest, noRefresh bool) (grant, *apiError) {
	g := grant{subject: client.ID, scopes: req.scopes}
	if req.username != "" {
		u, ok := s.users[[2]string{client.ID, req.username}]
		if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(req.password)) != 1 {
			return grant{}, unauthorized("Usuario o contraseña inválidos")
		}
		g.subject = u.Username
	}
	if slices.Contains(req.scopes, scopeOfflineAccess) && !noRefresh {
		g.newRefresh = s.storeRefresh(refreshState{clientID: client.ID, username: req.username, scopes: setOf(req.scopes)})
	}
	return g, nil
}

// refreshGrant checks a refresh_token grant and, when rotation is on and
// offline_access is asked for again, swaps the token for a new one in the
// same critical section, so two concurrent refreshes cannot both rotate
// the same token.
func (s *Server) refreshGrant(client Client, req tokenRequest, noRefresh bool) (grant, *apiError) {
	rotate := slices.Contains(req.scopes, scopeOfflineAccess) && s.rotate && !noRefresh
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.refresh[req.refreshToken]
	if !ok || st.clientID != client.ID {
		return grant{}, badRequest(msgRefreshInvalid)
	}
	if req.username != "" && req.username != st.username {
		return grant{}, badRequest(msgRefreshInvalid)
	}
	// RFC 6749 section 6: a refresh may narrow the original grant, never
	// widen it. 401 like any other scope the caller may not have.
	for _, sc := range req.scopes {
		if !st.scopes[sc] {
			return grant{}, unauthorized("Scope no concedido al Refresh Token: %s", sc)
		}
	}
	g := grant{subject: client.ID, scopes: req.scopes}
	if st.username != "" {
		g.subject = st.username
	}
	if rotate {
		delete(s.refresh, req.refreshToken)
		g.newRefresh = s.storeRefreshLocked(st)
	}
	return g, nil
}

// revokeToken handles POST /revoke.
func (s *Server) revokeToken(req revokeRequest) *apiError {
	client, err := s.authenticate(req.clientID, req.clientSecret)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.refresh[req.refreshToken]
	if ok && req.username != "" && req.username != st.username {
		ok = false
	}
	if !ok || st.clientID != client.ID {
		// Never touches a token of another client or user.
		return s.revokeUnknownReply()
	}
	delete(s.refresh, req.refreshToken)
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

func setOf(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}
