package sandbox

// Accessors for tests: they read or change the token store directly, which
// no Pay-me client can, so that a test can check what is live or simulate a
// revocation made elsewhere.

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
