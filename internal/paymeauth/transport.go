package paymeauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/backoff"
	"github.com/payme-community/terraform-provider-payme/internal/redact"
)

const maxBodyBytes = 1 << 20 // a token answer is a few hundred bytes

// callSpec describes one logical call, which may take several attempts.
type callSpec struct {
	op, logURL, sentRefresh string
	username                string // sent again to revoke a refresh token a refused answer carried
	grant                   Grant
	body                    []byte
	secrets                 *redact.Set // grows with every token an answer carries
	needRefresh             bool
	detached                bool // ctx is a shared flight's: its end is our time bound, not the caller leaving
}

// attempt is one HTTP attempt: its answer read once (bounded), parsed once
// and judged by decodeAnswer, or why no answer arrived.
type attempt struct {
	outcome
	status int
	header http.Header
	body   []byte // for the TRACE log only
	cause  error  // transport, read or context error
	retry  bool
}

// call runs the attempt loop: attempt, log, then return, or wait and retry
// a temporary failure while retries and the context last.
func (c *Client) call(ctx context.Context, sp *callSpec) (answer, time.Time, error) {
	sp.logURL = c.logURL(sp.op)
	lctx := logContext(ctx, sp)
	if tflog.SubsystemIsTrace(lctx, logSubsystem) { // cleaning the body is not free: only for a line that is written
		tflog.SubsystemTrace(lctx, logSubsystem, "Pay-me request body", map[string]any{
			"method": http.MethodPost, "url": sp.logURL, "body": sp.secrets.Body(sp.body, maxLoggedBody),
		})
	}
	var answered attempt
	carried := CarriedNone
	for n := 1; ; n++ {
		start := time.Now()
		at := c.attempt(ctx, lctx, sp)
		c.logAttempt(lctx, sp, n, &at, time.Since(start))
		if at.kind == nil && at.cause == nil {
			tflog.SubsystemDebug(lctx, logSubsystem, "Pay-me call succeeded", map[string]any{"url": sp.logURL, "status": at.status, "attempts": n})
			return at.ans, c.cfg.Now(), nil
		}
		if at.status != 0 {
			answered = at
		}
		carried = max(carried, c.revokeCarried(ctx, sp, &at.ans))
		if at.retry && n <= c.cfg.MaxRetries {
			wait := backoff.Wait(n-1, c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, at.header)
			tflog.SubsystemDebug(lctx, logSubsystem, "Pay-me call will be retried", map[string]any{"url": sp.logURL, "attempt": n, "wait_ms": wait.Milliseconds()})
			t := time.NewTimer(wait)
			select {
			case <-t.C:
				continue
			case <-ctx.Done():
				t.Stop()
				at = gaveUp(sp.detached, ctx.Err())
			}
		}
		e := c.newError(sp, n, &at, &answered, carried)
		tflog.SubsystemDebug(lctx, logSubsystem, "Pay-me call failed", map[string]any{"url": sp.logURL, "error": e.Error()})
		return answer{}, time.Time{}, e
	}
}

func (c *Client) attempt(ctx, lctx context.Context, sp *callSpec) attempt {
	req, err := http.NewRequestWithContext(lctx, http.MethodPost, c.cfg.BaseURL+"/"+sp.op, bytes.NewReader(sp.body))
	if err != nil {
		return refused("cannot build the HTTP request")
	}
	req.Header = http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}, "User-Agent": {c.cfg.UserAgent}}
	if c.cfg.APIVersion != "" {
		req.Header["ALG-API-VERSION"] = []string{c.cfg.APIVersion} // spelled as Pay-me documents it
	}
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return noAnswer(ctx, sp, err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	at := attempt{status: resp.StatusCode, header: resp.Header, body: body}
	sp.secrets.AddFound(body)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		// A timeout or a reset mid-body: retried like a network error.
		if ctx.Err() != nil {
			return gaveUp(sp.detached, ctx.Err())
		}
		at.kind, at.cause, at.retry = ErrTemporary, err, true
		at.detail = "reading the answer failed: " + sp.secrets.Clip(err.Error(), maxMessageLen)
		at.ans = parseAnswer(body, sp.op)
		return at
	}
	at.outcome = decodeAnswer(decodeInput{
		op:          sp.op,
		status:      resp.StatusCode,
		body:        body,
		truncated:   err != nil, // shorter than announced: the server sent a cut answer
		bearer:      resp.Header.Get("WWW-Authenticate") != "",
		sentRefresh: sp.sentRefresh != "",
		needRefresh: sp.needRefresh,
	})
	sp.secrets.Add(at.ans.AccessToken.S, at.ans.refreshToken)
	at.retry = errors.Is(at.kind, ErrTemporary)
	return at
}

// noAnswer classifies a failure to get an answer. What retrying cannot fix
// fails at once (ErrEndpoint); a refused connection is retried, as a
// restarting server or a draining load balancer refuses too.
func noAnswer(ctx context.Context, sp *callSpec, err error) attempt {
	if ctx.Err() != nil {
		return gaveUp(sp.detached, ctx.Err())
	}
	at := attempt{cause: err}
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	msg := sp.secrets.Clip(err.Error(), maxMessageLen) // it may quote what the server sent
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		at.kind, at.detail = ErrEndpoint, "the host name does not resolve: "+msg
	case errors.As(err, &cert), strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		at.kind, at.detail = ErrEndpoint, "TLS failed: "+msg
	default:
		at.kind, at.detail, at.retry = ErrTemporary, "no answer: "+msg, true
	}
	return at
}

func refused(detail string) attempt {
	return attempt{outcome: outcome{kind: ErrBadRequest, detail: detail}}
}

// gaveUp reports the context ending: for a caller, no sentinel (it says
// nothing about Pay-me); for a shared flight, its time bound (temporary).
func gaveUp(detached bool, err error) attempt {
	if detached {
		return attempt{outcome: outcome{kind: ErrTemporary, detail: "gave up: the shared request exceeded its time bound"}, cause: err}
	}
	return attempt{outcome: outcome{detail: "gave up: " + err.Error()}, cause: err}
}

// newError is the one place a failed call's *Error is built: from the final
// attempt, or the last answered one when the final got none. Server text
// is cleaned before it is cut; details are ours (quoted errors cleaned where
// they are made).
func (c *Client) newError(sp *callSpec, n int, final, answered *attempt, carried Carried) *Error {
	e := &Error{Op: sp.op, Endpoint: "/" + sp.op, Grant: sp.grant, Attempts: n, URL: sp.logURL, Carried: carried}
	src, detail := final, final.detail
	if final.status == 0 && answered != nil && answered.status != 0 {
		src = answered
		if detail != "" {
			detail = "last attempt: " + detail
		}
	}
	if src.status != 0 {
		e.HTTPStatus = src.status
		e.Code = sp.secrets.Clip(src.ans.code, maxCodeLen)
		for _, m := range src.ans.messages {
			e.Messages = append(e.Messages, sp.secrets.Clip(m, maxMessageLen))
		}
	}
	detail += []string{"", "; the refresh token it carried was revoked", "; revoking the refresh token it carried failed"}[carried]
	detail = strings.TrimPrefix(detail, "; ")
	e.Err = &causeError{kind: final.kind, detail: detail, cause: final.cause}
	return e
}

// revokeCarried revokes a new refresh token carried by a refused answer, so
// no live token is dropped unseen, even when the caller has left.
func (c *Client) revokeCarried(ctx context.Context, sp *callSpec, a *answer) Carried {
	if sp.op != opToken || a.RefreshRaw == nil || a.refreshToken == sp.sentRefresh {
		return CarriedNone
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.flightBound())
	defer cancel()
	if err := c.revoke(rctx, sp.username, a.refreshToken, a.RefreshRaw); err != nil && !errors.Is(err, ErrInvalidToken) {
		return CarriedLive
	}
	return CarriedRevoked
}

const (
	logSubsystem  = "paymeauth" // "provider.paymeauth"; its level can be set with TF_LOG_PROVIDER_PAYME_AUTH
	maxLoggedBody = 8 << 10     // keeps TRACE logs readable when a proxy answers with a page
)

// logContext prepares the context all logs of one call go through. Every
// logged text is already cleaned (package redact); the tflog masks added
// here are defence in depth for anything that slips through.
func logContext(ctx context.Context, sp *callSpec) context.Context {
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_PAYME", "AUTH"))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem,
		"client_secret", "password", "access_token", "refresh_token", "id_token")
	ctx = withMasks(ctx, sp.secrets.Forms())
	ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_op", sp.op)
	if sp.grant != "" {
		ctx = tflog.SubsystemSetField(ctx, logSubsystem, "paymeauth_grant", string(sp.grant))
	}
	return ctx
}

func withMasks(ctx context.Context, secrets []string) context.Context {
	ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
	return tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
}

func logCacheHit(ctx context.Context, grant Grant, tok *Token) {
	ctx = logContext(ctx, &callSpec{op: opToken, grant: grant, secrets: redact.New(tok.AccessToken, tok.RefreshToken)})
	tflog.SubsystemDebug(ctx, logSubsystem, "Pay-me token served from cache", map[string]any{
		"expires_at": tok.ExpiresAt.UTC().Format(time.RFC3339),
		"scope":      strings.Join(tok.Scopes, " "),
	})
}

// logAttempt logs every HTTP attempt at DEBUG and, at TRACE, its answer
// body, cleaned with every secret known so far (the answer's own included).
func (c *Client) logAttempt(ctx context.Context, sp *callSpec, n int, at *attempt, took time.Duration) {
	ctx = withMasks(ctx, sp.secrets.Forms())
	fields := map[string]any{"method": http.MethodPost, "url": sp.logURL, "attempt": n, "status": at.status,
		"duration_ms": took.Milliseconds(), "retryable": at.retry}
	if at.cause != nil {
		fields["error"] = sp.secrets.Clip(at.cause.Error(), maxMessageLen)
	}
	tflog.SubsystemDebug(ctx, logSubsystem, "Pay-me HTTP attempt", fields)
	if at.status != 0 && tflog.SubsystemIsTrace(ctx, logSubsystem) {
		tflog.SubsystemTrace(ctx, logSubsystem, "Pay-me answer body", map[string]any{
			"url": sp.logURL, "attempt": n, "status": at.status, "body": sp.secrets.Body(at.body, maxLoggedBody),
		})
	}
}
