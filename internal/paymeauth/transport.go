package paymeauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/backoff"
	"github.com/payme-community/terraform-provider-payme/internal/redact"
)

const maxBodyBytes = 1 << 20 // a token answer is a few hundred bytes

// callSpec is the fixed description of one logical call: what is sent and
// how its answers are judged. Nothing changes it once the call starts;
// what the call learns goes into its callState.
type callSpec struct {
	op, logURL  string
	grant       Grant
	body        []byte
	username    string // sent again to revoke a refresh token an answer carried
	sentRefresh string
	needRefresh bool // password grant with offline_access: the answer must carry a refresh token
	mints       bool // offline_access: any attempt that reaches Pay-me may issue a refresh token
	keeps       bool // the caller keeps a refresh token the answer carries (offline_access, or a rotation)
	detached    bool // ctx is a shared flight's: its end is our time bound, not the caller leaving
}

// callState is what a call learns as its attempts go by.
type callState struct {
	secrets  *redact.Set // the request's secrets, then every token an answer carries
	attempts int
	answered *attempt // the last attempt that got an answer
	minted   Minted
}

// attempt is one HTTP attempt: its answer read once (bounded), parsed once
// and judged by decodeAnswer, or why no answer arrived.
type attempt struct {
	outcome
	status  int
	header  http.Header
	body    []byte            // for the TRACE log only
	carried []json.RawMessage // every refresh token the body carries (carriedTokens)
	cause   error             // transport, read or context error
	sent    bool              // the request was written: Pay-me may have acted on it
	cut     bool              // the answer stopped arriving before its end
	retry   bool
}

func (at *attempt) succeeded() bool { return at.kind == nil && at.cause == nil }

// mayHaveMinted: the attempt failed after the request went out, in a way
// that does not show whether Pay-me issued a token: no answer, a 5xx that
// carried none, or an answer cut before its end (its tail may have held one).
func (at *attempt) mayHaveMinted() bool {
	s := at.status
	return at.sent && !at.succeeded() && (at.cut || len(at.carried) == 0 && (s == 0 || s >= 500))
}

// retriable: an offline_access grant is never retried once a 2xx began to
// arrive, as that answer may have held a token.
func (sp *callSpec) retriable(at *attempt) bool { return !sp.mints || at.status/100 != 2 }

// newSpec is the fixed part of a call to op.
func (c *Client) newSpec(op string, grant Grant) *callSpec {
	return &callSpec{op: op, grant: grant, logURL: c.logURL(op)}
}

// call runs the attempt loop: attempt, log, apply the mint rule, then
// return, or wait and retry a temporary failure while retries and the
// context last. An offline_access call is never retried once a 2xx began
// to arrive: the answer may have held a token, and a retry would mint
// another.
func (c *Client) call(ctx context.Context, sp *callSpec, st *callState) (answer, time.Time, error) {
	lctx := logContext(ctx, sp.op, sp.grant, st.secrets)
	if tflog.SubsystemIsTrace(lctx, logSubsystem) { // cleaning the body is not free: only for a line that is written
		tflog.SubsystemTrace(lctx, logSubsystem, "Pay-me request body", map[string]any{
			"method": http.MethodPost, "url": sp.logURL, "body": st.secrets.Body(sp.body, maxLoggedBody),
		})
	}
	for {
		st.attempts++
		start := time.Now()
		at := c.attempt(ctx, lctx, sp, st)
		logAttempt(lctx, sp, st, &at, time.Since(start))
		keep := ""
		if at.succeeded() && sp.keeps {
			keep = at.ans.refreshToken
		}
		st.minted.add(c.revokeCarried(ctx, sp, &at, keep))
		if at.succeeded() {
			tflog.SubsystemDebug(lctx, logSubsystem, "Pay-me call succeeded", map[string]any{"url": sp.logURL, "status": at.status, "attempts": st.attempts})
			return at.ans, c.cfg.Now(), nil
		}
		if at.status != 0 {
			st.answered = &at
		}
		if at.retry && st.attempts <= c.cfg.MaxRetries && sp.retriable(&at) {
			wait := backoff.Wait(st.attempts-1, c.cfg.RetryWaitMin, c.cfg.RetryWaitMax, at.header)
			tflog.SubsystemDebug(lctx, logSubsystem, "Pay-me call will be retried", map[string]any{"url": sp.logURL, "attempt": st.attempts, "wait_ms": wait.Milliseconds()})
			t := time.NewTimer(wait)
			select {
			case <-t.C:
				continue
			case <-ctx.Done():
				t.Stop()
				at = gaveUp(sp.detached, ctx.Err())
			}
		}
		e := c.newError(sp, st, &at)
		tflog.SubsystemDebug(lctx, logSubsystem, "Pay-me call failed", map[string]any{"url": sp.logURL, "error": e.Error()})
		return answer{}, time.Time{}, e
	}
}

// interruptGrace is how long an attempt goes on reading after its caller
// left: long enough for what Pay-me already sent, short beside a Ctrl-C.
const interruptGrace = time.Second

func (c *Client) attempt(ctx, lctx context.Context, sp *callSpec, st *callState) attempt {
	var sent atomic.Bool // written by the transport's goroutine
	trace := &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) { sent.Store(i.Err == nil) }}
	// The request outlives the caller by interruptGrace: bytes already on
	// the wire when Ctrl-C comes are still read and judged (the mint rule),
	// rather than dropped with a connection closed at once.
	rctx, cancel := context.WithCancel(context.WithoutCancel(lctx))
	defer cancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(interruptGrace, cancel) })()
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(rctx, trace), http.MethodPost, c.cfg.BaseURL+"/"+sp.op, bytes.NewReader(sp.body))
	if err != nil {
		return refused("cannot build the HTTP request")
	}
	// No Accept-Encoding, and the transport adds none (New): the bytes that
	// arrive are the bytes judged, whatever Content-Encoding claims.
	req.Header = http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}, "User-Agent": {c.cfg.UserAgent}}
	if c.cfg.APIVersion != "" {
		req.Header["ALG-API-VERSION"] = []string{c.cfg.APIVersion} // spelled as Pay-me documents it
	}
	// A minting attempt's connection is not reused: the revocations the mint
	// rule may need must not queue behind an answer that hangs after its end.
	req.Close = sp.mints
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		at := noAnswer(ctx, sp, st, err)
		at.sent = sent.Load()
		return at
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	at := attempt{status: resp.StatusCode, header: resp.Header, body: body, sent: true, cut: err != nil}
	if sp.op == opToken {
		at.carried = carriedTokens(body)
	}
	st.secrets.AddFound(body)
	for _, raw := range at.carried {
		st.secrets.Add(unquoteLoose(raw))
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		// The answer stopped arriving: a timeout, a reset, or the caller
		// leaving. What arrived is still judged: the call revokes every
		// token it carried (the mint rule), so none is dropped unseen.
		at.ans = parseAnswer(body, sp.op)
		if ctx.Err() != nil {
			g := gaveUp(sp.detached, ctx.Err())
			at.kind, at.detail, at.cause = g.kind, g.detail+" while the answer was arriving", g.cause
			return at
		}
		at.kind, at.cause, at.retry = ErrTemporary, err, true
		at.detail = "reading the answer failed: " + st.secrets.Clip(err.Error(), maxMessageLen)
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
	st.secrets.Add(at.ans.AccessToken.S, at.ans.refreshToken)
	at.retry = errors.Is(at.kind, ErrTemporary)
	return at
}

// noAnswer classifies a failure to get an answer. What retrying cannot fix
// fails at once (ErrEndpoint); a refused connection is retried, as a
// restarting server or a draining load balancer refuses too.
func noAnswer(ctx context.Context, sp *callSpec, st *callState, err error) attempt {
	if ctx.Err() != nil {
		return gaveUp(sp.detached, ctx.Err())
	}
	at := attempt{cause: err}
	msg := st.secrets.Clip(err.Error(), maxMessageLen) // it may quote what the server sent
	switch {
	case isNotFound(err):
		at.kind, at.detail = ErrEndpoint, "the host name does not resolve: "+msg
	case isTLSFailure(err):
		at.kind, at.detail = ErrEndpoint, "TLS failed: "+msg
	default:
		at.kind, at.detail, at.retry = ErrTemporary, "no answer: "+msg, true
	}
	return at
}

func isNotFound(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// isTLSFailure recognises, by type, the TLS failures that retrying cannot
// fix: a certificate that does not verify, a server that does not speak TLS
// (a plain HTTP answer is http.ErrSchemeMismatch, other bytes a
// RecordHeaderError), and a TLS alert from the server.
func isTLSFailure(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		header    tls.RecordHeaderError
		alert     tls.AlertError
		authority x509.UnknownAuthorityError
		host      x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	return errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &verify) || errors.As(err, &header) ||
		errors.As(err, &alert) || errors.As(err, &authority) || errors.As(err, &host) || errors.As(err, &invalid)
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

// revokeCarried applies the mint rule to one attempt of a /token call:
// every refresh token its answer carried, but keep and the one the request
// sent, is revoked, with a context detached from the caller's (Ctrl-C must
// not lose a token that already arrived) and bounded by one attempt's
// timeout. It also counts an attempt that may have minted a token unseen.
func (c *Client) revokeCarried(ctx context.Context, sp *callSpec, at *attempt, keep string) Minted {
	var m Minted
	if sp.op != opToken {
		return m
	}
	if sp.mints && at.mayHaveMinted() {
		m.Unseen = 1
	}
	for _, raw := range at.carried {
		tok := unquoteLoose(raw)
		if tok == keep || tok == sp.sentRefresh {
			continue
		}
		if m.Revoked+m.Live >= maxRevokedPerAnswer {
			m.Live++
			continue
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Timeout)
		err := c.revoke(rctx, sp.username, tok, raw)
		cancel()
		if err != nil && !errors.Is(err, ErrInvalidToken) {
			m.Live++
		} else {
			m.Revoked++
		}
	}
	return m
}
