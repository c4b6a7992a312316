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

// Carried says what became of a refresh token that a refused answer carried.
type Carried int

const (
	CarriedNone    Carried = iota // the refused answers carried no new refresh token
	CarriedRevoked                // it was revoked before the call failed
	CarriedLive                   // revoking it failed: it may still be live
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
	Carried    Carried  // what became of a refresh token a refused answer carried
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
