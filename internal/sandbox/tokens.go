package sandbox

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"time"
)

// issuer marks sandbox tokens unmistakably, should one ever be pasted
// somewhere real.
const issuer = "payme-sandbox"

var b64 = base64.RawURLEncoding

// accessToken builds a JWT-shaped token. Clients must treat access tokens
// as opaque, but real ones are JWTs and a provider may well log their
// length or shape, so the sandbox mimics it. The HMAC key is random per
// server, so tokens mean nothing outside it.
func (s *Server) accessToken(iat time.Time, expiresIn int64, audience, subject, clientID, grant, scope string) string {
	header := map[string]string{"alg": "HS256", "typ": "JWT"}
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	claims := struct {
		Iss   string `json:"iss"`
		Sub   string `json:"sub"`
		Aud   string `json:"aud"`
		Azp   string `json:"azp"`
		Scope string `json:"scope"`
		Gty   string `json:"gty"`
		Iat   int64  `json:"iat"`
		Exp   int64  `json:"exp"`
		Jti   string `json:"jti"`
	}{issuer, subject, audience, clientID, scope, grant, iat.Unix(), iat.Unix() + expiresIn, hex.EncodeToString(jti)}
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	signing := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(signing))
	return signing + "." + b64.EncodeToString(mac.Sum(nil))
}

// randomToken is an opaque refresh token: 48 random bytes, 64 base64url
// characters, inside the documented 100-character limit.
func randomToken() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	return b64.EncodeToString(b)
}
