package sandbox

import (
	"cmp"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"
)

// What a merchant does in Pay-me's back office, which no client can do
// through the API: rotate a client secret and revoke one refresh token. The
// control endpoints and payme-sandbox flags expose them, so that both
// rotations and a revocation outside Terraform can be rehearsed.

// acceptedSecret is a client secret /token and /revoke accept; a zero
// until means for good.
type acceptedSecret struct {
	secret string
	until  time.Time
}

// secretsFromSeedsLocked accepts each client's seeded secret, and only it.
func (s *Server) secretsFromSeedsLocked() {
	s.secrets = make(map[string][]acceptedSecret, len(s.clients))
	for id, c := range s.clients {
		s.secrets[id] = []acceptedSecret{{secret: c.Secret}}
	}
}

// secretAccepted reports whether secret is one the client may use now.
func (s *Server) secretAccepted(clientID, secret string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ok := false
	for _, a := range s.secrets[clientID] {
		if (a.until.IsZero() || now.Before(a.until)) && subtle.ConstantTimeCompare([]byte(a.secret), []byte(secret)) == 1 {
			ok = true
		}
	}
	return ok
}

// RotateClientSecret gives a client a new secret. The secrets it had stay
// accepted for overlap (none past their own end), so a rotation can be
// rehearsed both ways Pay-me's back office allows: with both secrets valid
// for a while, or with overlap 0, the old one refused at once.
func (s *Server) RotateClientSecret(clientID, newSecret string, overlap time.Duration) error {
	if err := checkSeed("client_secret", newSecret); err != nil {
		return err
	}
	if overlap < 0 {
		return errors.New("overlap: negative")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.secrets[clientID]
	if !ok {
		return fmt.Errorf("unknown client_id %q", clientID)
	}
	now := s.now()
	end := now.Add(overlap)
	next := []acceptedSecret{{secret: newSecret}}
	for _, a := range old {
		if overlap == 0 || a.secret == newSecret || (!a.until.IsZero() && !now.Before(a.until)) {
			continue
		}
		if a.until.IsZero() || end.Before(a.until) {
			a.until = end
		}
		next = append(next, a)
	}
	s.secrets[clientID] = next
	return nil
}

// fingerprint is the provider's id of a refresh token ("sha256:" and the
// first 16 hex digits of its SHA-256), computed here independently.
func fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// RevokeFingerprint revokes the live refresh token with the fingerprint,
// as a merchant would outside Terraform, and reports whether one was live.
func (s *Server) RevokeFingerprint(fp string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok := range s.refresh {
		if fingerprint(tok) == fp {
			delete(s.refresh, tok)
			return true
		}
	}
	return false
}

// LiveToken describes a live refresh token without revealing it.
type LiveToken struct {
	Fingerprint string `json:"fingerprint"`
	ClientID    string `json:"client_id"`
	Username    string `json:"username,omitempty"`
}

// LiveTokens lists the live refresh tokens by fingerprint, sorted.
func (s *Server) LiveTokens() []LiveToken {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]LiveToken, 0, len(s.refresh))
	for tok, st := range s.refresh {
		out = append(out, LiveToken{Fingerprint: fingerprint(tok), ClientID: st.clientID, Username: st.username})
	}
	slices.SortFunc(out, func(a, b LiveToken) int { return cmp.Compare(a.Fingerprint, b.Fingerprint) })
	return out
}
