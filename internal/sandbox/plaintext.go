package sandbox

import "slices"

// This file is for tests that must know the plaintext of the refresh tokens
// a client holds (to look for them where they must never be), or that start
// from a token issued by an earlier sandbox (a committed Terraform state).

// LiveRefreshTokenValues returns the live refresh tokens, sorted. Tests use
// it to find a token by its fingerprint; nothing else should.
func (s *Server) LiveRefreshTokenValues() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.refresh))
	for tok := range s.refresh {
		out = append(out, tok)
	}
	slices.Sort(out)
	return out
}

// AdoptRefreshToken makes token a live refresh token of the client and user
// with the scopes, as if this sandbox had issued it.
func (s *Server) AdoptRefreshToken(token, clientID, username string, scopes []string) {
	set := map[string]bool{}
	for _, sc := range scopes {
		set[sc] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh[token] = refreshState{clientID: clientID, username: username, scopes: set}
}
