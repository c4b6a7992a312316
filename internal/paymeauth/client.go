package paymeauth

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"golang.org/x/sync/singleflight"

	"github.com/payme-community/terraform-provider-payme/internal/redact"
)

const defaultUserAgent = "terraform-provider-payme"

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
	// HTTPClient is an optional base client (default: pooledClient). It is
	// copied: the copy's Timeout becomes Timeout, and it does not follow
	// redirects unless the given client sets CheckRedirect.
	HTTPClient *http.Client
	// Now is the clock for IssuedAt/ExpiresAt and cache expiry (tests inject
	// one); nil means time.Now. Retry waits always use real time.
	Now func() time.Time
}

// Client talks to Pay-me's auth endpoints and caches the tokens it gets;
// it is safe for concurrent use.
type Client struct {
	cfg      Config
	logBase  string            // BaseURL with credentials redacted, for logs and errors
	identity [sha256.Size]byte // digest of BaseURL, Audience, ClientID, ClientSecret
	cache    tokenCache
	flights  singleflight.Group
}

// Token is an access token as answered by Pay-me.
type Token struct {
	AccessToken string
	// RefreshToken is "" when the answer carried none, or when the request
	// keeps none (neither offline_access nor the refresh grant: such a token
	// is revoked, and Minted counts it). Keep the one you have then.
	RefreshToken string
	TokenType    string // "" when absent or when it quoted a secret
	// Scopes are as granted, repeats and any scope quoting a secret dropped,
	// or as requested when the answer omits "scope" (RFC 6749 §5.1). The
	// slice may be shared with the cache: do not modify it.
	Scopes    []string
	ExpiresIn int64     // seconds as received; 0 when unusable (the token counts as expired when issued)
	IssuedAt  time.Time // client clock when the answer arrived
	ExpiresAt time.Time // IssuedAt + ExpiresIn
	FromCache bool
	// Minted says what else the call did about refresh tokens: others an
	// answer carried (revoked, or live if revoking failed), and attempts
	// that may have had Pay-me issue one that never arrived.
	Minted Minted
}

// New validates cfg and builds a Client. It makes no network call.
func New(cfg Config) (*Client, error) {
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	u, err := url.Parse(base)
	switch {
	case base == "":
		return nil, errors.New("paymeauth: BaseURL is required")
	case err != nil: // its text would echo the URL, which might carry credentials
		return nil, errors.New("paymeauth: BaseURL is not a valid URL")
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, errors.New("paymeauth: BaseURL must be an absolute http(s) URL")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("paymeauth: BaseURL must not have a query or fragment")
	case cfg.ClientID == "" || cfg.ClientSecret == "":
		return nil, errors.New("paymeauth: ClientID and ClientSecret are required")
	case cfg.Timeout < 0 || cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0 || cfg.SafetyMargin < 0 || cfg.MaxRetries < 0:
		return nil, errors.New("paymeauth: durations and MaxRetries must not be negative")
	}
	cfg.BaseURL = base
	cfg.Timeout = cmp.Or(cfg.Timeout, 30*time.Second)
	cfg.RetryWaitMin = cmp.Or(cfg.RetryWaitMin, time.Second)
	cfg.RetryWaitMax = cmp.Or(cfg.RetryWaitMax, 30*time.Second)
	cfg.SafetyMargin = cmp.Or(cfg.SafetyMargin, time.Minute)
	cfg.UserAgent = cmp.Or(cfg.UserAgent, defaultUserAgent)
	if cfg.RetryWaitMax < cfg.RetryWaitMin {
		return nil, errors.New("paymeauth: RetryWaitMax must not be below RetryWaitMin")
	}
	hc := *cmp.Or(cfg.HTTPClient, pooledClient())
	hc.Timeout = cfg.Timeout
	if t, ok := cmp.Or(hc.Transport, http.DefaultTransport).(*http.Transport); ok {
		// Transparent decompression would judge bytes other than those that
		// arrived, and fail on a Content-Encoding that lies (the mint rule).
		t = t.Clone()
		t.DisableCompression = true
		hc.Transport = t
	}
	if hc.CheckRedirect == nil {
		// Following a redirect would re-send (307/308) the client secret to
		// wherever the Location points, or turn the POST into a GET
		// (301/302). The 3xx answer is returned and refused (ErrEndpoint).
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	cfg.HTTPClient = &hc // the copy is what is used
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, logBase: u.Redacted()}
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
// Concurrent callers asking for the same thing share one request, detached
// from the first caller's cancellation and bounded by flightBound, so one
// caller giving up does not fail the others. offline_access requests are
// neither cached nor shared: each must mint its own refresh token.
func (c *Client) Token(ctx context.Context, req TokenRequest) (Token, error) {
	if err := req.validate(); err != nil {
		return Token{}, c.failEarly(opToken, req.Grant, refused("invalid request: "+err.Error()))
	}
	if err := ctx.Err(); err != nil {
		return Token{}, c.failEarly(opToken, req.Grant, gaveUp(false, err))
	}
	if slices.Contains(req.Scopes, scopeOfflineAccess) {
		return c.fetchToken(ctx, req, false)
	}
	key := c.cacheKey(&req)
	margin := max(req.MinValidity, c.cfg.SafetyMargin)
	if tok, ok := c.cache.get(&key, c.cfg.Now(), margin); ok {
		if tflog.IsDebug(ctx) {
			logCacheHit(ctx, req.Grant, &tok)
		}
		return tok, nil
	}
	return c.tokenShared(ctx, req, key, margin)
}

// tokenShared is apart so that req escapes to the heap on misses only.
func (c *Client) tokenShared(ctx context.Context, req TokenRequest, key cacheKey, margin time.Duration) (Token, error) {
	ch := c.flights.DoChan(string(key[:]), func() (any, error) {
		if tok, ok := c.cache.get(&key, c.cfg.Now(), margin); ok {
			return tok, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.flightBound())
		defer cancel()
		refresh := sha256.Sum256([]byte(req.RefreshToken))
		gen := c.cache.generation(refresh)
		tok, err := c.fetchToken(fctx, req, true)
		if err == nil {
			c.cache.put(key, tok, refresh, gen, c.cfg.Now(), c.cfg.SafetyMargin)
		}
		return tok, err
	})
	select {
	case <-ctx.Done():
		return Token{}, c.failEarly(opToken, req.Grant, gaveUp(false, ctx.Err()))
	case r := <-ch:
		tok, _ := r.Val.(Token) // the zero Token with r.Err
		return tok, r.Err
	}
}

// flightBound is the worst case of the retry policy, plus slack.
func (c *Client) flightBound() time.Duration {
	n := time.Duration(c.cfg.MaxRetries)
	return (n+1)*c.cfg.Timeout + n*c.cfg.RetryWaitMax + 5*time.Second
}

func (c *Client) fetchToken(ctx context.Context, req TokenRequest, detached bool) (Token, error) {
	// validate keeps each field to its grant, so every non-empty one is sent.
	w := wireRequest{Action: "authorize", GrantType: string(req.Grant), Scope: strings.Join(req.Scopes, " "),
		Username: req.Username, Password: req.Password}
	if req.RefreshToken != "" {
		w.RefreshToken, _ = json.Marshal(req.RefreshToken)
	}
	offline := slices.Contains(req.Scopes, scopeOfflineAccess)
	sp := c.newSpec(opToken, req.Grant)
	sp.body, sp.username, sp.sentRefresh, sp.detached = c.body(w), req.Username, req.RefreshToken, detached
	sp.needRefresh, sp.mints, sp.keeps = req.Grant == GrantPassword && offline, offline, offline || req.Grant == GrantRefreshToken
	st := &callState{secrets: redact.New(c.cfg.ClientSecret, req.Password, req.RefreshToken)}
	a, at, err := c.call(ctx, sp, st)
	clear(sp.body)
	if err != nil {
		return Token{}, err
	}
	if !sp.keeps {
		a.refreshToken = "" // revoked by the mint rule: nobody asked for it
	}
	scopes := slices.Clone(req.Scopes)
	if a.Scope.Set {
		scopes = strings.Fields(a.Scope.S)
	}
	// These go into the state: any that quotes a secret is dropped, then
	// all if together they do (a secret cut over several scopes).
	kept, seen := scopes[:0], map[string]bool{}
	for _, s := range scopes {
		if !seen[s] && st.secrets.Clean(s) == s {
			kept = append(kept, s)
		}
		seen[s] = true
	}
	scopes = kept
	if st.secrets.Clean(a.TokenType.S) != a.TokenType.S {
		a.TokenType.S = ""
	}
	if texts := append(slices.Clone(scopes), a.TokenType.S); !slices.Equal(st.secrets.CleanAll(texts...), texts) {
		scopes, a.TokenType.S = nil, ""
	}
	return Token{
		AccessToken: a.AccessToken.S, RefreshToken: a.refreshToken, TokenType: a.TokenType.S,
		Scopes:    slices.Clip(scopes), // a caller appending cannot write into the cache
		ExpiresIn: a.ExpiresIn.n, IssuedAt: at, ExpiresAt: at.Add(time.Duration(a.ExpiresIn.n) * time.Second),
		Minted: st.minted,
	}, nil
}

// Revoke revokes a refresh token: nil when Pay-me confirmed it, ErrInvalidToken
// when Pay-me says beyond doubt that it is already dead. Tokens cached from
// it are dropped in both cases.
func (c *Client) Revoke(ctx context.Context, username, refreshToken string) error {
	if refreshToken == "" {
		return c.failEarly(opRevoke, "", refused("invalid request: a refresh token is required"))
	}
	if err := ctx.Err(); err != nil {
		return c.failEarly(opRevoke, "", gaveUp(false, err))
	}
	raw, _ := json.Marshal(refreshToken) // a string always encodes
	err := c.revoke(ctx, username, refreshToken, raw)
	if err == nil || errors.Is(err, ErrInvalidToken) {
		c.cache.dropRefresh(sha256.Sum256([]byte(refreshToken)))
	}
	return err
}

// revoke posts the token as the JSON string raw, exactly as Pay-me sent it,
// so that a token Go cannot hold exactly is still revoked byte for byte.
func (c *Client) revoke(ctx context.Context, username, refreshToken string, raw json.RawMessage) error {
	sp := c.newSpec(opRevoke, "")
	sp.body, sp.sentRefresh = c.body(wireRequest{Action: "revoke", Username: username, RefreshToken: raw}), refreshToken
	_, _, err := c.call(ctx, sp, &callState{secrets: redact.New(c.cfg.ClientSecret, refreshToken, string(raw[1:len(raw)-1]))})
	clear(sp.body)
	return err
}

// failEarly reports a call refused locally or whose context ended before
// any attempt.
func (c *Client) failEarly(op string, grant Grant, at attempt) error {
	return c.newError(c.newSpec(op, grant), &callState{secrets: redact.New(c.cfg.ClientSecret)}, &at)
}

// logURL is the URL of op with any credentials redacted.
func (c *Client) logURL(op string) string { return c.logBase + "/" + op }

// maxIdlePerHost is how many idle connections to Pay-me the client keeps:
// at least as many as Terraform runs requests at once (-parallelism, 10 by
// default), so each resource does not open, and over TLS handshake, its own.
const maxIdlePerHost = 32

// pooledClient is go-cleanhttp's pooled client keeping maxIdlePerHost idle
// connections; its own default, GOMAXPROCS+1, is 3 on a 2-core runner.
func pooledClient() *http.Client {
	hc := cleanhttp.DefaultPooledClient()
	if t, ok := hc.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = maxIdlePerHost
	}
	return hc
}

// appendField writes s length-prefixed, so field boundaries cannot shift.
func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s))) //nolint:gosec // lengths of in-memory strings fit
	return append(b, s...)
}
