package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
	"unicode/utf8"
)

// defaultAccessTokenTTL matches the lifetime in Pay-me's password-grant
// example; the contract says clients must use expires_in, so tests can
// shorten it freely.
const defaultAccessTokenTTL = 86400 * time.Second

// maxFieldLen is the documented "Long. 100" of the credential fields.
const maxFieldLen = 100

// Config seeds the sandbox. The zero value of every optional field selects
// the documented default.
type Config struct {
	Clients   []Client `json:"clients"`
	Users     []User   `json:"users"`
	Audiences []string `json:"audiences"` // accepted audiences; empty => any non-empty audience
	// AccessTokenTTL is the access token lifetime; 0 means 24h. Its JSON
	// form is "access_token_ttl": "24h".
	AccessTokenTTL time.Duration `json:"-"`
	// RevokeUnknown is what /revoke answers for an unknown, already revoked
	// or foreign refresh token; "" means RevokeUnknownSucceed.
	RevokeUnknown RevokeUnknownPolicy `json:"revoke_unknown"`
	// RotateRefreshTokens makes a refresh grant that asks for
	// offline_access return a new refresh token and retire the old one.
	RotateRefreshTokens bool `json:"rotate_refresh_tokens"`
	// Now is the clock used for token claims and the journal; nil means
	// time.Now.
	Now func() time.Time `json:"-"`
}

// Client is a merchant application: Scopes lists what it may ask for; an
// empty list lets it ask for any well-formed scope.
type Client struct {
	ID     string   `json:"client_id"`
	Secret string   `json:"client_secret"`
	Scopes []string `json:"scopes"`
}

// User is a merchant user for the password grant, bound to one client.
type User struct {
	ClientID string `json:"client_id"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// RevokeUnknownPolicy selects the /revoke answer for a refresh token the
// sandbox does not hold as live for that client; see revokeUnknownReply.
type RevokeUnknownPolicy string

const (
	// RevokeUnknownSucceed answers as if the token had been revoked, as
	// RFC 7009 section 2.2 asks of OAuth servers. This is the default.
	RevokeUnknownSucceed RevokeUnknownPolicy = "succeed"
	// RevokeUnknownReject answers HTTP 400, success false, code "01" and
	// the message "Refresh Token inválido o revocado".
	RevokeUnknownReject RevokeUnknownPolicy = "reject"
)

// Demo values of DefaultConfig, the one place they are written: tests, the
// benchmark and make demo read them from here. They are public and only
// meaningful to the sandbox, so printing them is harmless.
const (
	DemoClientID     = "demo-client"
	DemoClientSecret = "demo-secret"
	DemoUsername     = "merchant@example.com"
	DemoPassword     = "demo-password"
)

// DefaultConfig returns the demo set described in the package
// documentation. Every call returns fresh slices.
func DefaultConfig() Config {
	return Config{
		Clients: []Client{{
			ID:     DemoClientID,
			Secret: DemoClientSecret,
			Scopes: []string{"create:token", "post:charges", "get:charges", "delete:charges", "offline_access"},
		}},
		Users: []User{{ClientID: DemoClientID, Username: DemoUsername, Password: DemoPassword}},
		// The documented audiences, spelled exactly as Pay-me spells them,
		// so that a provider sending its auth URL or a misspelt audience
		// fails here rather than against the real service.
		Audiences: []string{
			"https://api.alignet.io",
			"https://api.preprod.alignet.io/",
			"https://api.preprod.alignet.io",
			"https://api.dev.alignet.io",
		},
		AccessTokenTTL: defaultAccessTokenTTL,
		RevokeUnknown:  RevokeUnknownSucceed,
	}
}

// LoadConfig reads a JSON configuration file. Unknown keys are errors so
// that a misspelt option does not silently fall back to a default.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path) //nolint:gosec // the path is the operator's own -config flag
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		return Config{}, fmt.Errorf("sandbox config %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("sandbox config %s: %w", path, err)
	}
	return cfg, nil
}

// configJSON is the file form of Config: durations as Go duration strings.
type configJSON struct {
	Clients             []Client            `json:"clients"`
	Users               []User              `json:"users"`
	Audiences           []string            `json:"audiences"`
	AccessTokenTTL      string              `json:"access_token_ttl,omitempty"`
	RevokeUnknown       RevokeUnknownPolicy `json:"revoke_unknown,omitempty"`
	RotateRefreshTokens bool                `json:"rotate_refresh_tokens"`
}

// MarshalJSON writes the form LoadConfig reads.
func (c Config) MarshalJSON() ([]byte, error) {
	j := configJSON{
		Clients:             c.Clients,
		Users:               c.Users,
		Audiences:           c.Audiences,
		RevokeUnknown:       c.RevokeUnknown,
		RotateRefreshTokens: c.RotateRefreshTokens,
	}
	if c.AccessTokenTTL != 0 {
		j.AccessTokenTTL = c.AccessTokenTTL.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads "access_token_ttl" as a duration string and rejects
// unknown keys.
func (c *Config) UnmarshalJSON(data []byte) error {
	var j configJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	var ttl time.Duration
	if j.AccessTokenTTL != "" {
		d, err := time.ParseDuration(j.AccessTokenTTL)
		if err != nil {
			return fmt.Errorf("access_token_ttl: %w", err)
		}
		ttl = d
	}
	*c = Config{
		Clients:             j.Clients,
		Users:               j.Users,
		Audiences:           j.Audiences,
		AccessTokenTTL:      ttl,
		RevokeUnknown:       j.RevokeUnknown,
		RotateRefreshTokens: j.RotateRefreshTokens,
	}
	return nil
}

// Validate reports seeds the sandbox could not serve consistently. New
// panics on the same errors.
func (c Config) Validate() error {
	var errs []error
	if len(c.Clients) == 0 {
		errs = append(errs, errors.New("at least one client is required"))
	}
	ids := map[string]bool{}
	for i, cl := range c.Clients {
		if err := checkSeed("client_id", cl.ID); err != nil {
			errs = append(errs, fmt.Errorf("clients[%d]: %w", i, err))
		}
		if err := checkSeed("client_secret", cl.Secret); err != nil {
			errs = append(errs, fmt.Errorf("clients[%d]: %w", i, err))
		}
		if ids[cl.ID] {
			errs = append(errs, fmt.Errorf("clients[%d]: duplicate client_id %q", i, cl.ID))
		}
		ids[cl.ID] = true
		for _, sc := range cl.Scopes {
			if !validScopeToken(sc) {
				errs = append(errs, fmt.Errorf("clients[%d]: invalid scope %q", i, sc))
			}
		}
	}
	users := map[[2]string]bool{}
	for i, u := range c.Users {
		if !ids[u.ClientID] {
			errs = append(errs, fmt.Errorf("users[%d]: unknown client_id %q", i, u.ClientID))
		}
		if err := checkSeed("username", u.Username); err != nil {
			errs = append(errs, fmt.Errorf("users[%d]: %w", i, err))
		}
		if err := checkSeed("password", u.Password); err != nil {
			errs = append(errs, fmt.Errorf("users[%d]: %w", i, err))
		}
		k := [2]string{u.ClientID, u.Username}
		if users[k] {
			errs = append(errs, fmt.Errorf("users[%d]: duplicate username %q for client %q", i, u.Username, u.ClientID))
		}
		users[k] = true
	}
	for i, a := range c.Audiences {
		if a == "" {
			errs = append(errs, fmt.Errorf("audiences[%d]: empty", i))
		}
	}
	if c.AccessTokenTTL < 0 {
		errs = append(errs, errors.New("access_token_ttl: negative"))
	}
	switch c.RevokeUnknown {
	case "", RevokeUnknownSucceed, RevokeUnknownReject:
	default:
		errs = append(errs, fmt.Errorf("revoke_unknown: %q is neither %q nor %q", c.RevokeUnknown, RevokeUnknownSucceed, RevokeUnknownReject))
	}
	return errors.Join(errs...)
}

// checkSeed keeps seeds within what a conforming client can send, so no
// seeded credential is unreachable.
func checkSeed(name, v string) error {
	if v == "" {
		return fmt.Errorf("%s: empty", name)
	}
	if utf8.RuneCountInString(v) > maxFieldLen {
		return fmt.Errorf("%s: longer than %d characters", name, maxFieldLen)
	}
	return nil
}
