package paymeauth

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Sentinels for errors.Is. Every *Error wraps exactly one, except when the
// caller's own context ended (then it wraps the context's error).
var (
	// ErrBadRequest: HTTP 400, 404, 501 and other 4xx below, a 2xx with
	// success false, and requests rejected locally.
	ErrBadRequest = errors.New("paymeauth: bad request")
	// ErrUnauthorized: HTTP 401 (credentials, or a scope not allowed).
	ErrUnauthorized = errors.New("paymeauth: unauthorized")
	// ErrForbidden: HTTP 403.
	ErrForbidden = errors.New("paymeauth: forbidden")
	// ErrInvalidToken: the answer says beyond doubt that the refresh token
	// sent is dead (invalidtoken.go).
	ErrInvalidToken = errors.New("paymeauth: invalid, unknown, revoked or expired refresh token")
	// ErrTemporary: 429, 5xx but 501, network errors and timeouts, once the
	// retries are used up.
	ErrTemporary = errors.New("paymeauth: temporary failure")
	// ErrEndpoint, at the first attempt: what retrying cannot fix (a host
	// name that does not resolve, a TLS failure, a redirect).
	ErrEndpoint = errors.New("paymeauth: auth URL unusable")
	// ErrMalformed: a 2xx answer the client cannot use.
	ErrMalformed = errors.New("paymeauth: malformed answer")
)

// Error describes a failed call. Its fields never hold a secret (newError).
type Error struct {
	Op         string   // "token" or "revoke"
	Endpoint   string   // "/token" or "/revoke" (path only)
	Grant      Grant    // token calls only
	HTTPStatus int      // 0 when no answer arrived
	Code       string   // Pay-me status code, e.g. "01"
	Messages   []string // message_ilgn values, "locale: value" or the bare value
	Attempts   int      // HTTP attempts made; 0 for requests rejected locally
	URL        string   // the URL posted to, credentials redacted
	Minted     Minted   // refresh tokens the answers carried and did not keep, and attempts that may have minted one unseen
	Err        error    // one of the sentinels (or a context error) plus detail
}

func (e *Error) Error() string {
	s := "Pay-me POST " + e.Endpoint
	if e.Grant != "" {
		s += " (" + string(e.Grant) + " grant)"
	}
	var head, quoted []string
	if e.HTTPStatus != 0 {
		head = append(head, "HTTP "+strconv.Itoa(e.HTTPStatus))
	}
	if e.Code != "" {
		head = append(head, "Pay-me code "+strconv.Quote(e.Code))
	}
	for _, m := range e.Messages {
		quoted = append(quoted, strconv.Quote(m))
	}
	parts := []string{strings.Join(slices.DeleteFunc([]string{strings.Join(head, ", "), strings.Join(quoted, ", ")}, isEmpty), ": ")}
	var ce *causeError
	if errors.As(e.Err, &ce) {
		parts = append(parts, ce.detail) // already cleaned; a cause's own text is not under our control
	} else if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	s += " failed: " + strings.Join(slices.DeleteFunc(parts, isEmpty), "; ")
	switch {
	case e.Attempts == 1:
		s += " (after 1 attempt)"
	case e.Attempts > 1:
		s += " (after " + strconv.Itoa(e.Attempts) + " attempts)"
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// causeError joins a sentinel (kind), a detail and an underlying error, so
// that errors.Is finds both the sentinel and, say, context.Canceled.
type causeError struct {
	kind   error  // a sentinel, or nil for the caller's own cancellation
	detail string // already cleaned of secrets
	cause  error  // may be nil
}

func (e *causeError) Error() string {
	parts := []string{e.detail}
	if e.kind != nil {
		parts = []string{e.kind.Error(), e.detail}
	}
	return strings.Join(slices.DeleteFunc(parts, isEmpty), ": ")
}

func (e *causeError) Unwrap() []error {
	return slices.DeleteFunc([]error{e.kind, e.cause}, func(err error) bool { return err == nil })
}

func isEmpty(s string) bool { return s == "" }

// newError is the one place a failed call's *Error is built: from the
// call's fixed description, what it learned, and its final attempt, or the
// last answered one when the final got none. Server text is cleaned before
// it is cut; details are ours (quoted errors cleaned where they are made).
func (c *Client) newError(sp *callSpec, st *callState, final *attempt) *Error {
	e := &Error{Op: sp.op, Endpoint: "/" + sp.op, Grant: sp.grant, Attempts: st.attempts, URL: sp.logURL, Minted: st.minted}
	src, detail := final, final.detail
	if final.status == 0 && st.answered != nil {
		src = st.answered
		if detail != "" {
			detail = "last attempt: " + detail
		}
	}
	if src.status != 0 {
		e.HTTPStatus = src.status
		// The code and messages are judged together: a secret cut across them
		// is withheld from all.
		texts := st.secrets.CleanAll(append([]string{src.ans.code}, src.ans.messages...)...)
		e.Code = st.secrets.Clip(texts[0], maxCodeLen)
		for _, m := range texts[1:] {
			e.Messages = append(e.Messages, st.secrets.Clip(m, maxMessageLen))
		}
	}
	parts := append([]string{detail}, st.minted.facts()...)
	e.Err = &causeError{kind: final.kind, detail: strings.Join(slices.DeleteFunc(parts, isEmpty), "; "), cause: final.cause}
	return e
}

// facts says what Minted counts, in the words of the error text.
func (m Minted) facts() []string {
	var out []string
	if m.Revoked > 0 {
		out = append(out, count(m.Revoked, "refresh token the answer carried was", "refresh tokens the answers carried were")+" revoked")
	}
	if m.Live > 0 {
		out = append(out, "revoking "+count(m.Live, "refresh token the answer carried", "refresh tokens the answers carried")+" failed")
	}
	if m.Unseen > 0 {
		out = append(out, count(m.Unseen, "attempt", "attempts")+" failed after the request reached Pay-me, which may have issued a refresh token that never arrived")
	}
	return out
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
