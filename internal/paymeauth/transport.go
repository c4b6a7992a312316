package paymeauth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxBodyBytes bounds what is read from an answer; a token answer is a few
// hundred bytes, anything near this is not an auth server talking.
const maxBodyBytes = 1 << 20

// callSpec describes one logical call (which may take several attempts).
type callSpec struct {
	op          string
	url         string
	logURL      string
	grant       Grant
	body        []byte
	secrets     []string // every secret the request carries
	sentRefresh bool
	needRefresh bool
	// detached: ctx is the shared flight's own context, so its end is our
	// time bound firing (a temporary failure), not the caller leaving.
	detached bool
}

// callResult is a successful call's answer.
type callResult struct {
	ans answer
	at  time.Time // client clock when the answer arrived
}

// answered is what one attempt got back.
type answered struct {
	status    int
	body      []byte
	truncated bool
	tooLarge  bool
}

// exchange carries the state of one call across its attempts; the
// retryablehttp hooks are closures over it. All hooks run on the goroutine
// calling Do, so no locking is needed.
type exchange struct {
	c        *Client
	sp       *callSpec
	ctx      context.Context // the logging context (subsystem + masks)
	attempts int
	start    time.Time
	cur      answered // current attempt; status 0 until an answer arrives
	read     bool     // cur.body has been read for the current attempt
	readErr  error    // retryable failure while reading the current body
	last     answered // last attempt that got an answer, for diagnostics
}

// call performs one logical call with retries and classifies the outcome.
func (c *Client) call(ctx context.Context, sp *callSpec) (callResult, *Error) {
	lctx := c.logContext(ctx, sp)
	x := &exchange{c: c, sp: sp, ctx: lctx}

	rc := &retryablehttp.Client{
		HTTPClient:   c.http,
		Logger:       nil, // everything goes through tflog in the hooks below
		RetryWaitMin: c.cfg.RetryWaitMin,
		RetryWaitMax: c.cfg.RetryWaitMax,
		RetryMax:     c.cfg.MaxRetries,
		RequestLogHook: func(_ retryablehttp.Logger, _ *http.Request, i int) {
			x.attempts = i + 1
			x.start = time.Now()
			x.cur, x.read, x.readErr = answered{}, false, nil
		},
		CheckRetry: x.checkRetry,
		Backoff: func(_, _ time.Duration, n int, resp *http.Response) time.Duration {
			return x.backoff(n, resp)
		},
		// Hand back the last answer instead of retryablehttp's generic
		// "giving up" error: its status and body make the diagnostics.
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			return resp, err
		},
	}

	// A []byte body: retryablehttp makes a fresh reader from it for every
	// attempt, so each retry sends the very same bytes.
	req, err := retryablehttp.NewRequestWithContext(lctx, http.MethodPost, sp.url, sp.body)
	if err != nil {
		return callResult{}, c.failure(sp, 0, nil, &causeError{kind: ErrBadRequest, detail: "cannot build the HTTP request"})
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if c.cfg.APIVersion != "" {
		// Spelled as Pay-me documents it; header names are case-insensitive
		// but a literal-minded gateway should see the documented form.
		req.Header["ALG-API-VERSION"] = []string{c.cfg.APIVersion}
	}

	c.logTrace(lctx, "Pay-me request body", map[string]any{
		"method": http.MethodPost, "url": sp.logURL, "body": maskBody(sp.body, sp.secrets),
	})

	resp, doErr := rc.Do(req)
	if resp != nil {
		_ = resp.Body.Close() // already read into x.cur by checkRetry
	}
	res, e := c.finish(ctx, x, doErr)
	if e != nil {
		c.logDebug(lctx, "Pay-me call failed", map[string]any{"url": sp.logURL, "error": e.Error()})
	}
	return res, e
}

// finish turns what the retry loop left into a result or an *Error.
func (c *Client) finish(ctx context.Context, x *exchange, doErr error) (callResult, *Error) {
	sp := x.sp
	if doErr != nil || x.cur.status == 0 {
		if ctxErr := ctx.Err(); ctxErr != nil {
			if !sp.detached {
				return callResult{}, c.withLast(contextError(sp.op, sp.grant, ctxErr, x.attempts), x)
			}
			e := c.failure(sp, x.attempts, nil, &causeError{
				kind: ErrTemporary, cause: ctxErr,
				detail: "gave up: the shared request exceeded its time bound",
			})
			return callResult{}, c.withLast(e, x)
		}
		detail := "no answer"
		if doErr != nil {
			detail += ": " + scrub(doErr.Error(), sp.secrets)
		}
		e := c.failure(sp, x.attempts, nil, &causeError{kind: ErrTemporary, detail: detail, cause: doErr})
		return callResult{}, c.withLast(e, x)
	}
	if x.readErr != nil {
		e := c.failure(sp, x.attempts, &x.cur, &causeError{
			kind: ErrTemporary, cause: x.readErr,
			detail: "reading the answer failed: " + scrub(x.readErr.Error(), sp.secrets),
		})
		return callResult{}, e
	}
	arrived := c.now()
	out := decodeAnswer(decodeInput{
		op:          sp.op,
		status:      x.cur.status,
		body:        x.cur.body,
		truncated:   x.cur.truncated,
		tooLarge:    x.cur.tooLarge,
		sentRefresh: sp.sentRefresh,
		needRefresh: sp.needRefresh,
	})
	if out.kind != nil {
		secrets := append(slices.Clone(sp.secrets), secretList(out.ans.accessToken, out.ans.refreshToken)...)
		e := c.failureFrom(sp, x.attempts, x.cur.status, &out.ans, secrets, &causeError{
			kind: out.kind, detail: out.detail,
		})
		return callResult{}, e
	}
	fields := map[string]any{"url": sp.logURL, "status": x.cur.status, "attempts": x.attempts}
	if sp.op == opToken {
		fields["expires_in"] = out.ans.expiresIn
		fields["scope"] = out.ans.scope
	}
	c.logDebug(x.ctx, "Pay-me call succeeded", fields)
	return callResult{ans: out.ans, at: arrived}, nil
}

// withLast completes an error of an attempt that got no answer with the last
// answer an earlier attempt did get, when there was one.
func (c *Client) withLast(e *Error, x *exchange) *Error {
	if x.last.status == 0 || e.HTTPStatus != 0 {
		return e
	}
	a, _ := parseAnswer(x.last.body, x.sp.op)
	e.HTTPStatus = x.last.status
	e.Code = scrub(a.code, x.sp.secrets)
	e.Messages = scrubAll(a.messages, append(slices.Clone(x.sp.secrets), secretList(a.accessToken, a.refreshToken)...))
	var ce *causeError
	if errors.As(e.Err, &ce) && ce.detail != "" {
		ce.detail = "last attempt: " + ce.detail
	}
	return e
}

func (c *Client) failure(sp *callSpec, attempts int, ans *answered, ce *causeError) *Error {
	if ans == nil || ans.status == 0 {
		return c.failureFrom(sp, attempts, 0, nil, sp.secrets, ce)
	}
	a, _ := parseAnswer(ans.body, sp.op)
	secrets := append(slices.Clone(sp.secrets), secretList(a.accessToken, a.refreshToken)...)
	return c.failureFrom(sp, attempts, ans.status, &a, secrets, ce)
}

func (c *Client) failureFrom(sp *callSpec, attempts, status int, a *answer, secrets []string, ce *causeError) *Error {
	ce.detail = scrub(ce.detail, secrets)
	e := &Error{
		Op:         sp.op,
		Endpoint:   endpointOf(sp.op),
		Grant:      sp.grant,
		HTTPStatus: status,
		Attempts:   attempts,
		Err:        ce,
	}
	if a != nil {
		e.Code = scrub(a.code, secrets)
		e.Messages = scrubAll(a.messages, secrets)
	}
	return e
}

// checkRetry is called by retryablehttp after every attempt. It reads the
// answer body itself (bounded) so that the body can be logged, classified
// and, when reading it fails, the attempt retried like a network error.
func (x *exchange) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if resp != nil && !x.read {
		x.readBody(resp)
	}
	retry, cerr := x.policy(ctx, resp, err)
	x.logAttempt(resp, err, retry)
	return retry, cerr
}

// policy: retry 429, 5xx except 501, connection errors, per-attempt
// timeouts and bodies cut by the network; never anything else, and never
// once the context is done.
func (x *exchange) policy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if cerr := ctx.Err(); cerr != nil {
		return false, cerr
	}
	if err != nil {
		// Keeps retryablehttp's judgement of which transport errors are
		// permanent (bad scheme, TLS certificate, invalid header, ...).
		return retryablehttp.DefaultRetryPolicy(ctx, nil, err)
	}
	if x.bodyReadFailed() {
		return true, nil
	}
	s := resp.StatusCode
	return s == http.StatusTooManyRequests || (s >= 500 && s != http.StatusNotImplemented), nil
}

// bodyReadFailed: the answer started but its body could not be read (a
// timeout or a reset mid-body), which is retried like a network error.
func (x *exchange) bodyReadFailed() bool { return x.readErr != nil }

func (x *exchange) readBody(resp *http.Response) {
	x.read = true
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	// Later readers (retryablehttp's drain, our own Close) get a replay.
	resp.Body = io.NopCloser(bytes.NewReader(body))
	a := answered{status: resp.StatusCode, body: body}
	if len(body) > maxBodyBytes {
		a.body, a.tooLarge = body[:maxBodyBytes], true
	}
	switch {
	case err == nil:
	case errors.Is(err, io.ErrUnexpectedEOF):
		// A complete exchange whose body is shorter than announced: the
		// server sent a cut answer; decodeAnswer judges it by status.
		a.truncated = true
	default:
		x.readErr = err
	}
	x.cur = a
	x.last = a
}

// backoff: when the answer carries Retry-After (seconds or HTTP date) it is
// honoured, capped at RetryWaitMax so that a server cannot park a Terraform
// run for hours (the context bounds it anyway). Otherwise exponential from
// RetryWaitMin doubling per retry up to RetryWaitMax, with "equal jitter":
// half of the step is fixed, half random, so the waits still grow while
// concurrent clients spread out. The result is kept within [min, max].
func (x *exchange) backoff(n int, resp *http.Response) time.Duration {
	lo, hi := x.c.cfg.RetryWaitMin, x.c.cfg.RetryWaitMax
	var wait time.Duration
	source := "exponential"
	if d, ok := retryAfter(resp, time.Now()); ok {
		wait, source = min(d, hi), "retry-after"
	} else {
		step := lo
		for i := 0; i < n && step < hi; i++ {
			step *= 2
		}
		step = min(step, hi)
		half := step / 2
		wait = half
		if half > 0 {
			wait += rand.N(half + 1) //nolint:gosec // jitter, not security
		}
		wait = min(max(wait, lo), hi)
	}
	x.c.logDebug(x.ctx, "Pay-me call will be retried", map[string]any{
		"url": x.sp.logURL, "attempt": x.attempts, "wait_ms": wait.Milliseconds(), "wait_from": source,
	})
	return wait
}

// retryAfter parses a Retry-After header, delay-seconds or HTTP-date.
func retryAfter(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
