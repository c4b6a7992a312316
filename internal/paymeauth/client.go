package paymeauth

import (
	"context"
	"encoding/json"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"
)

const (
	defaultTimeout      = 30 * time.Second
	defaultRetryWaitMin = time.Second
	defaultRetryWaitMax = 30 * time.Second
	defaultSafetyMargin = time.Minute
	defaultUserAgent    = "terraform-provider-payme"

	tokenPath  = "/token"
	revokePath = "/revoke"
)

// Config configures a Client. Zero values select the documented defaults.
type Config struct {
	BaseURL      string        // auth base URL, e.g. https://auth.alignet.io; /token and /revoke are appended
	Audience     string        // sent as is on every call
	ClientID     string        // required
	ClientSecret string        // required
	APIVersion   string        // ALG-API-VERSION header; "" omits the header
	Timeout      time.Duration // per HTTP attempt; 0 => 30s
	MaxRetries   int           // retries of temporary failures; 0 disables
	UserAgent    string        // "" => "terraform-provider-payme"
	RetryWaitMin time.Duration // backoff lower bound; 0 => 1s
	RetryWaitMax time.Duration // backoff upper bound, also caps Retry-After; 0 => 30s
	SafetyMargin time.Duration // a cached token is never reused closer than this to expiry; 0 => 1m
	// HTTPClient is an optional base client (default: a go-cleanhttp pooled
	// one). It is copied: the copy's Timeout becomes Timeout, and it does
	// not follow redirects unless the given client sets CheckRedirect.
	HTTPClient *http.Client
	// Now is the clock for IssuedAt/ExpiresAt and cache expiry (tests inject
	// one); nil means time.Now. Retry waits always use real time.
	Now func() time.Time
}

// Client talks to Pay-me's auth endpoints and caches the tokens it gets.
// It is safe for concurrent use.
type Client struct {
	cfg          Config
	tokenURL     string
	revokeURL    string
	tokenLogURL  string // redacted, for logs and errors
	revokeLogURL string
	http         *http.Client
	now          func() time.Time
	identity     [sha256.Size]byte // digest of BaseURL, Audience, ClientID, ClientSecret
	cache        tokenCache
	flights      singleflight.Group
}

// Token is an access token as answered by Pay-me.
type Token struct {
	AccessToken  string
	RefreshToken string // "" when the answer carried none: keep the one you have
	TokenType    string // "" when absent or when it quoted a secret
	// Scopes are the granted scopes as answered (split on white space,
	// repeats and any scope quoting a secret dropped); when
	// the answer omits "scope" they are the requested ones (RFC 6749 §5.1:
	// scope may be omitted when identical to the request). The slice may be
	// shared with the cache and with other callers: do not modify it.
	Scopes    []string
	// ExpiresIn is the lifetime in seconds as received; 0 when the answer
	// gave none usable (the token then counts as expired when issued).
	ExpiresIn int64
	IssuedAt  time.Time // client clock when the answer arrived
	ExpiresAt time.Time // IssuedAt + ExpiresIn
	FromCache bool
}

// New validates cfg and builds a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if base == "" {
		return nil, errors.New("paymeauth: BaseURL is required")
	}
	u, err := url.Parse(base)
	if err != nil {
		// The parse error would echo the URL, which might carry credentials.
		return nil, errors.New("paymeauth: BaseURL is not a valid URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("paymeauth: BaseURL must be an absolute http(s) URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("paymeauth: BaseURL must not have a query or fragment")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("paymeauth: ClientID is required")
	}
	if cfg.ClientSecret == "" {
		return nil, errors.New("paymeauth: ClientSecret is required")
	}
	if cfg.Timeout < 0 || cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0 || cfg.SafetyMargin < 0 {
		return nil, errors.New("paymeauth: durations must not be negative")
	}
	if cfg.MaxRetries < 0 {
		return nil, errors.New("paymeauth: MaxRetries must not be negative")
	}
	cfg.BaseURL = base
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.RetryWaitMin == 0 {
		cfg.RetryWaitMin = defaultRetryWaitMin
	}
	if cfg.RetryWaitMax == 0 {
		cfg.RetryWaitMax = defaultRetryWaitMax
	}
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		return nil, errors.New("paymeauth: RetryWaitMax must not be below RetryWaitMin")
	}
	if cfg.SafetyMargin == 0 {
		cfg.SafetyMargin = defaultSafetyMargin
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		hc = *cleanhttp.DefaultPooledClient()
	}
	hc.Timeout = cfg.Timeout
	if hc.CheckRedirect == nil {
		// Following a redirect would re-send (307/308) the client secret to
		// wherever the Location points, or silently turn the POST into a
		// GET (301/302). A redirect means a wrong base URL: report it.
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	cfg.HTTPClient = nil // the copy above is what is used

	c := &Client{
		cfg:       cfg,
		tokenURL:  base + tokenPath,
		revokeURL: base + revokePath,
		http:      &hc,
		now:       cfg.Now,
	}
	c.tokenLogURL = u.JoinPath(tokenPath).Redacted()
	c.revokeLogURL = u.JoinPath(revokePath).Redacted()
	if c.now == nil {
		c.now = time.Now
	}

	var buf []byte
	for _, s := range []string{base, cfg.Audience, cfg.ClientID, cfg.ClientSecret} {
		buf = appendField(buf, s)
	}
	c.identity = sha256.Sum256(buf)
	clear(buf)
	return c, nil
}

// Token returns an access token for req, from the cache when a cached one
// still has max(req.MinValidity, SafetyMargin) to live, else from Pay-me.
//
// Concurrent callers asking for the same thing share one HTTP request. That
// request runs on a context detached from the first caller's cancellation
// (context.WithoutCancel, keeping its values such as the tflog logger) and
// bounded by the worst case of the retry policy, so one caller giving up does
// not fail the others; each caller still returns as soon as its own context
// ends. Requests whose scopes include offline_access are neither cached nor
// shared, since each must mint its own refresh token, and run on the caller's
// context directly.
func (c *Client) Token(ctx context.Context, req TokenRequest) (Token, error) {
	if err := req.validate(); err != nil {
		return Token{}, c.failEarly(opToken, req.Grant, attempt{outcome: outcome{kind: ErrBadRequest, detail: "invalid request: " + err.Error()}})
	}
	if err := ctx.Err(); err != nil {
		return Token{}, c.failEarly(opToken, req.Grant, gaveUp(&callSpec{}, err))
	}
	if hasScope(req.Scopes, scopeOfflineAccess) {
		return c.fetchToken(ctx, req, false)
	}
	key := c.cacheKey(&req)
	margin := max(req.MinValidity, c.cfg.SafetyMargin)
	if tok, ok := c.cache.get(&key, c.now(), margin); ok {
		if tflog.IsDebug(ctx) {
			c.logCacheHit(ctx, &tok)
		}
		return tok, nil
	}
	return c.tokenShared(ctx, req, key, margin)
}

// tokenShared is split from Token so that req, captured by the flight
// closure, only escapes to the heap on the miss path.
func (c *Client) tokenShared(ctx context.Context, req TokenRequest, key cacheKey, margin time.Duration) (Token, error) {
	ch := c.flights.DoChan(string(key[:]), func() (any, error) {
		// A flight that just finished may have filled the cache between our
		// lookup and this flight starting.
		if tok, ok := c.cache.get(&key, c.now(), margin); ok {
			return tok, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.flightBound())
		defer cancel()
		tok, err := c.fetchToken(fctx, req, true)
		if err != nil {
			return Token{}, err
		}
		c.cache.put(key, tok, digestRefresh(req.RefreshToken), c.now(), c.cfg.SafetyMargin)
		return tok, nil
	})
	select {
	case <-ctx.Done():
		return Token{}, c.failEarly(opToken, req.Grant, gaveUp(&callSpec{}, ctx.Err()))
	case r := <-ch:
		tok, ok := r.Val.(Token)
		if r.Err != nil || !ok {
			return Token{}, r.Err
		}
		return tok, nil
	}
}

// flightBound is the longest a shared request may run once detached from its
// callers: every attempt timing out plus every backoff at its maximum, plus
// slack. Without it a request nobody waits for any more could linger.
func (c *Client) flightBound() time.Duration {
	n := time.Duration(c.cfg.MaxRetries)
	return (n+1)*c.cfg.Timeout + n*c.cfg.RetryWaitMax + 5*time.Second
}

func (c *Client) fetchToken(ctx context.Context, req TokenRequest, detached bool) (Token, error) {
	body, err := c.tokenBody(&req)
	if err != nil {
		return Token{}, c.failEarly(opToken, req.Grant, attempt{outcome: outcome{kind: ErrBadRequest, detail: "cannot encode the request"}})
	}
	sp := &callSpec{
		op:          opToken,
		url:         c.tokenURL,
		logURL:      c.tokenLogURL,
		grant:       req.Grant,
		body:        body,
		secrets:     newSecretSet(c.cfg.ClientSecret, req.Password, req.RefreshToken),
		sentRefresh: req.RefreshToken,
		needRefresh: req.Grant == GrantPassword && hasScope(req.Scopes, scopeOfflineAccess),
		username:    req.Username,
		detached:    detached,
	}
	a, at, perr := c.call(ctx, sp)
	clear(body)
	if perr != nil {
		return Token{}, perr
	}
	scopes := slices.Clone(req.Scopes)
	if a.scope.set {
		scopes = strings.Fields(a.scope.s)
	}
	// What the server says goes into the state: a scope or token type that
	// quotes a secret is dropped, not stored.
	scopes = slices.DeleteFunc(scopes, func(s string) bool { return sp.secrets.clean(s) != s })
	if sp.secrets.clean(a.tokenType) != a.tokenType {
		a.tokenType = ""
	}
	// An unusable expires_in (absent, not a number, not positive, absurd)
	// reads as 0: the token counts as expiring when issued, so it is never
	// cached and payme_access_token refuses it unless min_validity is 0s. A
	// lifetime is never invented, and the answer is not refused: it may
	// carry a refresh token, which must not be lost.
	return Token{
		AccessToken:  a.accessToken,
		RefreshToken: a.refreshToken,
		TokenType:    a.tokenType,
		Scopes:       slices.Clip(dedupe(scopes)), // clipped: a caller appending cannot write into the cache
		ExpiresIn:    a.expiresIn.n,
		IssuedAt:     at,
		ExpiresAt:    at.Add(time.Duration(a.expiresIn.n) * time.Second),
	}, nil
}

// dedupe drops repeated scopes, keeping the first of each in order.
func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	return slices.DeleteFunc(s, func(v string) bool {
		dup := seen[v]
		seen[v] = true
		return dup
	})
}

// Revoke revokes a refresh token. A nil error means Pay-me confirmed it;
// errors.Is(err, ErrInvalidToken) means Pay-me says it is already invalid,
// revoked, expired or unknown. Tokens cached from that refresh token are
// dropped in both cases.
func (c *Client) Revoke(ctx context.Context, username, refreshToken string) error {
	if refreshToken == "" {
		return c.failEarly(opRevoke, "", attempt{outcome: outcome{kind: ErrBadRequest, detail: "invalid request: a refresh token is required"}})
	}
	if err := ctx.Err(); err != nil {
		return c.failEarly(opRevoke, "", gaveUp(&callSpec{}, err))
	}
	raw, err := json.Marshal(refreshToken)
	if err != nil {
		return c.failEarly(opRevoke, "", attempt{outcome: outcome{kind: ErrBadRequest, detail: "cannot encode the request"}})
	}
	err = c.revoke(ctx, username, refreshToken, raw)
	if err == nil || errors.Is(err, ErrInvalidToken) {
		c.cache.dropRefresh(digestRefresh(refreshToken))
	}
	return err
}

// revoke posts the token as the JSON string raw, exactly as Pay-me sent it.
func (c *Client) revoke(ctx context.Context, username, refreshToken string, raw json.RawMessage) error {
	body, err := c.revokeBody(username, raw)
	if err != nil {
		return c.failEarly(opRevoke, "", attempt{outcome: outcome{kind: ErrBadRequest, detail: "cannot encode the request"}})
	}
	_, _, perr := c.call(ctx, &callSpec{
		op:          opRevoke,
		url:         c.revokeURL,
		logURL:      c.revokeLogURL,
		body:        body,
		secrets:     newSecretSet(c.cfg.ClientSecret, refreshToken, string(raw[1:len(raw)-1])),
		sentRefresh: refreshToken,
	})
	clear(body)
	if perr != nil {
		return perr
	}
	return nil
}

// failEarly reports a call that ended before any attempt.
func (c *Client) failEarly(op string, grant Grant, at attempt) *Error {
	sp := &callSpec{op: op, grant: grant, logURL: c.tokenLogURL, secrets: newSecretSet(c.cfg.ClientSecret)}
	if op == opRevoke {
		sp.logURL = c.revokeLogURL
	}
	return c.newError(sp, 0, &at, nil, CarriedNone)
}

func digestRefresh(rt string) [sha256.Size]byte {
	if rt == "" {
		return [sha256.Size]byte{}
	}
	return sha256.Sum256([]byte(rt))
}

// appendField writes s length-prefixed, so that field boundaries cannot be
// shifted to make two different inputs hash alike.
func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s))) //nolint:gosec // lengths of in-memory strings fit
	return append(b, s...)
}

// endpointOf is the path an operation posts to.
func endpointOf(op string) string {
	if op == opRevoke {
		return revokePath
	}
	return tokenPath
}
