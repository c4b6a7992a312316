package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

const (
	pathToken  = "/token"
	pathRevoke = "/revoke"

	actionAuthorize = "authorize"
	actionRevoke    = "revoke"

	codeOK    = "00"
	codeError = "01"
	localeES  = "es_PE"

	msgTokenCreated   = "Access Token creado"
	msgRefreshRevoked = "Refresh Token eliminado"
	msgRefreshInvalid = "Refresh Token inválido o revocado"
)

// envelope is Pay-me's answer shape. Field order follows the documented
// examples so that captured bodies read like the docs.
type envelope struct {
	Action        string     `json:"action"`
	Success       bool       `json:"success"`
	AccessToken   string     `json:"access_token,omitempty"`
	Scope         string     `json:"scope,omitempty"`
	RefreshToken  string     `json:"refresh_token,omitempty"`
	ExpiresIn     int64      `json:"expires_in,omitempty"`
	TokenType     string     `json:"token_type,omitempty"`
	Authorization *metaBlock `json:"authorization,omitempty"`
	Revoke        *metaBlock `json:"revoke,omitempty"`
}

type metaBlock struct {
	Meta struct {
		Status struct {
			Code        string       `json:"code"`
			MessageIlgn []localeText `json:"message_ilgn"`
		} `json:"status"`
	} `json:"meta"`
}

type localeText struct {
	Locale string `json:"locale"`
	Value  string `json:"value"`
}

func newMeta(code, msg string) *metaBlock {
	m := &metaBlock{}
	m.Meta.Status.Code = code
	m.Meta.Status.MessageIlgn = []localeText{{Locale: localeES, Value: msg}}
	return m
}

// actionFor is the action Pay-me echoes for an endpoint; errors echo it too,
// whatever the request said, because clients key on it.
func actionFor(endpoint string) string {
	if endpoint == pathRevoke {
		return actionRevoke
	}
	return actionAuthorize
}

// statusEnvelope builds the success or error envelope of an endpoint; the
// status block sits under "revoke" or "authorization" accordingly.
func statusEnvelope(endpoint string, success bool, msg string) envelope {
	code := codeError
	if success {
		code = codeOK
	}
	e := envelope{Action: actionFor(endpoint), Success: success}
	if endpoint == pathRevoke {
		e.Revoke = newMeta(code, msg)
	} else {
		e.Authorization = newMeta(code, msg)
	}
	return e
}

// reply is a fully decided answer. Handlers build one before anything is
// written so that the journal entry can be recorded first: a test that has
// its response in hand must always find the matching entry.
type reply struct {
	status      int
	contentType string
	header      http.Header
	body        []byte
}

func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own static types are marshalled here.
		panic(fmt.Sprintf("sandbox: marshal reply: %v", err))
	}
	return reply{status: status, contentType: "application/json; charset=utf-8", body: b}
}

// apiError is a rejected request: the HTTP status and the es_PE message.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return strconv.Itoa(e.status) + " " + e.msg }

func badRequest(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

func unauthorized(format string, args ...any) *apiError {
	return &apiError{status: http.StatusUnauthorized, msg: fmt.Sprintf(format, args...)}
}

func errorReply(endpoint string, e *apiError) reply {
	return jsonReply(e.status, statusEnvelope(endpoint, false, e.msg))
}

func (rp reply) write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range rp.header {
		h[k] = vs
	}
	if rp.contentType != "" {
		h.Set("Content-Type", rp.contentType)
	}
	// Token answers must not be cached (RFC 6749 section 5.1); harmless on
	// errors, so set it everywhere.
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Length", strconv.Itoa(len(rp.body)))
	w.WriteHeader(rp.status)
	_, _ = w.Write(rp.body)
}
