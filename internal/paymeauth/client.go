package paymeauth

import (
	"context"
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
	TokenType    string
	// Scopes are the granted scopes as answered (split on white space); when
	// the answer omits "scope" they are the requested ones (RFC 6749 §5.1:
	// scope may be omitted when identical to the request). The slice may be
	// shared with the cache and with other callers: do not modify it.
	Scopes    []string
	ExpiresIn int64     // seconds, as received
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
	if msg := req.validate(); msg != "" {
		return Token{}, c.localError(opToken, req.Grant, msg)
	}
	if err := ctx.Err(); err != nil {
		return Token{}, contextError(opToken, req.Grant, err, 0)
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
		return Token{}, contextError(opToken, req.Grant, ctx.Err(), 0)
	case r := <-ch:
		if r.Err != nil {
			return Token{}, r.Err
		}
		return r.Val.(Token), nil
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
		return Token{}, c.localError(opToken, req.Grant, "cannot encode the request")
	}
	offline := hasScope(req.Scopes, scopeOfflineAccess)
	res, perr := c.call(ctx, &callSpec{
		op:          opToken,
		url:         c.tokenURL,
		logURL:      c.tokenLogURL,
		grant:       req.Grant,
		body:        body,
		secrets:     secretList(c.cfg.ClientSecret, req.Password, req.RefreshToken),
		sentRefresh: req.RefreshToken != "",
		needRefresh: req.Grant == GrantPassword && offline,
		detached:    detached,
	})
	clear(body)
	if perr != nil {
		return Token{}, perr
	}
	a := &res.ans
	scopes := strings.Fields(a.scope)
	if !a.hasScope {
		scopes = slices.Clone(req.Scopes)
	}
	// Clip so that a caller appending to Scopes cannot write into a
	// backing array shared through the cache.
	scopes = slices.Clip(scopes)
	life := min(a.expiresIn, maxLifetimeSeconds)
	return Token{
		AccessToken:  a.accessToken,
		RefreshToken: a.refreshToken,
		TokenType:    a.tokenType,
		Scopes:       scopes,
		ExpiresIn:    a.expiresIn,
		IssuedAt:     res.at,
		ExpiresAt:    res.at.Add(time.Duration(life) * time.Second),
	}, nil
}

// maxLifetimeSeconds keeps ExpiresAt arithmetic from overflowing on absurd
// expires_in values (100 years is already absurd).
const maxLifetimeSeconds = 100 * 365 * 24 * 3600

// Revoke revokes a refresh token. A nil error means Pay-me confirmed it;
// errors.Is(err, ErrInvalidToken) means Pay-me says it is already invalid,
// revoked, expired or unknown. Tokens cached from that refresh token are
// dropped in both cases.
func (c *Client) Revoke(ctx context.Context, username, refreshToken string) error {
	if refreshToken == "" {
		return c.localError(opRevoke, "", "a refresh token is required")
	}
	if err := ctx.Err(); err != nil {
		return contextError(opRevoke, "", err, 0)
	}
	body, err := c.revokeBody(username, refreshToken)
	if err != nil {
		return c.localError(opRevoke, "", "cannot encode the request")
	}
	_, perr := c.call(ctx, &callSpec{
		op:          opRevoke,
		url:         c.revokeURL,
		logURL:      c.revokeLogURL,
		body:        body,
		secrets:     secretList(c.cfg.ClientSecret, refreshToken),
		sentRefresh: true,
	})
	clear(body)
	if perr == nil || errors.Is(perr, ErrInvalidToken) {
		c.cache.dropRefresh(digestRefresh(refreshToken))
	}
	if perr != nil {
		return perr
	}
	return nil
}

func (c *Client) localError(op string, grant Grant, msg string) *Error {
	return &Error{
		Op:       op,
		Endpoint: endpointOf(op),
		Grant:    grant,
		Err:      &causeError{kind: ErrBadRequest, detail: "invalid request: " + msg},
	}
}

// contextError reports that the caller's own context ended. It wraps the
// context error and no sentinel: it says nothing about Pay-me.
func contextError(op string, grant Grant, err error, attempts int) *Error {
	return &Error{
		Op:       op,
		Endpoint: endpointOf(op),
		Grant:    grant,
		Attempts: attempts,
		Err:      &causeError{detail: "gave up: " + err.Error(), cause: err},
	}
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
