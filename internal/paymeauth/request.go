package paymeauth

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Grant is the OAuth-like grant_type sent to POST /token.
type Grant string

const (
	GrantClientCredentials Grant = "client_credentials"
	GrantPassword          Grant = "password"
	GrantRefreshToken      Grant = "refresh_token"
)

// scopeOfflineAccess makes Pay-me return a refresh token (password grant).
const scopeOfflineAccess = "offline_access"

// MaxTokenLength is the longest refresh token, in characters, that the
// provider stores or sends. Pay-me documents every string field of POST
// /token, refresh_token included, as at most 100 characters, and a refresh
// token is only good for being sent back there: a longer one could never be
// used, so an answer carrying one is refused (and the token revoked), and
// payme_access_token's refresh_token argument accepts no more.
const MaxTokenLength = 100

// TokenRequest asks for one access token.
type TokenRequest struct {
	Grant        Grant
	Scopes       []string      // sent space-separated in this order; a set for the cache
	Username     string        // password and refresh_token grants; omitted when empty
	Password     string        // password grant; omitted when empty
	RefreshToken string        // refresh_token grant, required there
	MinValidity  time.Duration // a cached token is reused with max(MinValidity, SafetyMargin) left; a new one whatever it has
}

// wireRequest is the JSON body of both endpoints: omitempty keeps each call
// to the documented fields; the required ones are sent even if empty.
type wireRequest struct {
	Action       string          `json:"action"`
	GrantType    string          `json:"grant_type,omitempty"`
	ClientID     string          `json:"client_id"`
	ClientSecret string          `json:"client_secret"`
	Audience     string          `json:"audience"`
	Scope        string          `json:"scope,omitempty"`
	Username     string          `json:"username,omitempty"`
	Password     string          `json:"password,omitempty"`
	RefreshToken json.RawMessage `json:"refresh_token,omitempty"` // a JSON string
}

// validate refuses locally what the server would refuse, or what the body
// would drop silently.
func (r *TokenRequest) validate() error {
	g := string(r.Grant)
	switch {
	case g == "":
		return errors.New("grant is empty")
	case r.Grant != GrantClientCredentials && r.Grant != GrantPassword && r.Grant != GrantRefreshToken:
		return errors.New("unknown grant " + quoteShort(g))
	case len(r.Scopes) == 0:
		return errors.New("at least one scope is required")
	}
	for _, s := range r.Scopes {
		switch {
		case s == "":
			return errors.New("a scope is empty")
		case !utf8.ValidString(s):
			return errors.New("a scope is not valid UTF-8")
		case strings.IndexFunc(s, unicode.IsSpace) >= 0:
			return errors.New("scope " + quoteShort(s) + " contains white space")
		}
	}
	switch {
	case r.Grant == GrantClientCredentials && r.Username != "":
		return errors.New("username is not sent on the client_credentials grant")
	case r.Grant != GrantPassword && r.Password != "":
		return errors.New("password is not sent on the " + g + " grant")
	case r.Grant != GrantRefreshToken && r.RefreshToken != "":
		return errors.New("refresh token is not sent on the " + g + " grant")
	case r.Grant == GrantRefreshToken && r.RefreshToken == "":
		return errors.New("the refresh_token grant requires a refresh token")
	}
	return nil
}

func quoteShort(s string) string {
	const limit = 64
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// body is the JSON body of a call; the client's identity goes on every one.
func (c *Client) body(w wireRequest) []byte {
	w.ClientID, w.ClientSecret, w.Audience = c.cfg.ClientID, c.cfg.ClientSecret, c.cfg.Audience
	b, _ := json.Marshal(&w) //nolint:gosec // G117: sending the client secret is this body's purpose
	return b
}
