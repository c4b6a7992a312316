package paymeauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds on what a server message may put into an *Error.
const (
	maxMessages   = 8
	maxMessageLen = 512
	maxCodeLen    = 32
)

// text is a lenient field: a JSON string, or a number or boolean as its
// literal text; anything else reads as absent.
type text struct {
	s   string
	set bool
}

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case b[0] == '"':
		t.set = json.Unmarshal(b, &t.s) == nil
	case b[0] != '{' && b[0] != '[' && string(b) != "null":
		t.s, t.set = string(b), true
	}
	return nil
}

// flag is a lenient boolean: true/false, 1/0 or yes/no, bare or quoted;
// loose marks the forms Pay-me does not document (all but true, "true" and
// their false counterparts).
type flag struct{ set, bad, loose, v bool }

func (f *flag) UnmarshalJSON(b []byte) error {
	var t text
	_ = t.UnmarshalJSON(b)
	v := strings.ToLower(strings.TrimSpace(t.s))
	f.set, f.v, f.loose = t.set, v == "true" || v == "1" || v == "yes", v != "true" && v != "false"
	f.bad = t.set && !f.v && v != "false" && v != "0" && v != "no"
	return nil
}

// maxLifetimeSeconds bounds a usable expires_in (100 years is already absurd).
const maxLifetimeSeconds = 100 * 365 * 24 * 3600

// seconds is expires_in: a whole number in 1..maxLifetimeSeconds, bare or
// quoted; anything else (absent, <= 0, 1e30, "soon") leaves n at 0. It
// describes the access token only, so no answer is refused for it.
type seconds struct{ n int64 }

func (s *seconds) UnmarshalJSON(b []byte) error {
	var t text
	_ = t.UnmarshalJSON(b)
	if f, err := strconv.ParseFloat(strings.TrimSpace(t.s), 64); err == nil && f == math.Trunc(f) && f >= 1 && f <= maxLifetimeSeconds {
		s.n = int64(f)
	}
	return nil
}

// messageList is message_ilgn: {locale, value} objects or strings, listed or alone.
type messageList []struct{ locale, value string }

func (m *messageList) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		items = []json.RawMessage{b}
	}
	for _, it := range items {
		var o struct{ Locale, Value text }
		if _ = o.Value.UnmarshalJSON(it); !o.Value.set {
			_ = json.Unmarshal(it, &o)
		}
		if o.Value.s != "" {
			*m = append(*m, struct{ locale, value string }{o.Locale.s, o.Value.s})
		}
	}
	return nil
}

// statusBlock is Pay-me's envelope, under "authorization" or "revoke".
type statusBlock struct {
	Meta struct {
		Status struct {
			Code     text        `json:"code"`
			Messages messageList `json:"message_ilgn"`
		} `json:"status"`
	} `json:"meta"`
}

// answer is one answer parsed once; its strings are the server's, unmasked.
// RefreshRaw keeps the token's JSON string as received: Go's decoder
// silently replaces invalid UTF-8, and such a token is revoked byte for byte.
type answer struct {
	parsed        bool
	Success       flag            `json:"success"`
	AccessToken   text            `json:"access_token"`
	RefreshRaw    json.RawMessage `json:"refresh_token"`
	TokenType     text            `json:"token_type"`
	Scope         text            `json:"scope"`
	ExpiresIn     seconds         `json:"expires_in"`
	OAuthError    text            `json:"error"`
	Description   text            `json:"error_description"`
	Authorization *statusBlock    `json:"authorization"`
	Revoke        *statusBlock    `json:"revoke"`
	refreshToken  string          // decoded, "" when absent or not a JSON string
	code          string
	messages      []string // for humans: "locale: value" or the bare value
	texts         []string // message values and error_description, for the verdict
}

// parseAnswer reads the first JSON object of body, after any byte-order mark
// and before any trailing bytes; parsed is false when there is none.
func parseAnswer(body []byte, op string) answer {
	var a answer
	var te *json.UnmarshalTypeError
	body = bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("\xEF\xBB\xBF")), " \t\r\n")
	if len(body) == 0 || body[0] != '{' {
		return a
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&a); err != nil && !errors.As(err, &te) {
		return answer{}
	}
	a.parsed = true
	// An empty refresh token is no token.
	if len(a.RefreshRaw) == 0 || a.RefreshRaw[0] != '"' || json.Unmarshal(a.RefreshRaw, &a.refreshToken) != nil || a.refreshToken == "" {
		a.RefreshRaw = nil
	}
	// Nothing documents which envelope name an error answer uses.
	env := a.Authorization
	if op == opRevoke && a.Revoke != nil || env == nil {
		env = a.Revoke
	}
	if env != nil {
		a.code = env.Meta.Status.Code.s
		for _, m := range env.Meta.Status.Messages {
			a.texts = append(a.texts, m.value)
			a.addMessage(m.locale, m.value)
		}
	}
	if d := a.Description.s; d != "" || a.OAuthError.s != "" {
		a.texts = append(a.texts, d)
		a.addMessage(a.OAuthError.s, d)
	}
	return a
}

func (a *answer) addMessage(prefix, m string) {
	switch {
	case len(a.messages) >= maxMessages:
		return
	case m == "":
		m = prefix
	case prefix != "":
		m = prefix + ": " + m
	}
	a.messages = append(a.messages, m)
}

// refreshProblem says why the refresh token cannot be stored exactly.
func (a *answer) refreshProblem() string {
	switch {
	case a.RefreshRaw == nil:
		return ""
	case !utf8.Valid(a.RefreshRaw) || strings.ContainsRune(a.refreshToken, utf8.RuneError):
		return "the refresh token is not valid UTF-8, so it cannot be stored exactly"
	case utf8.RuneCountInString(a.refreshToken) > MaxTokenLength:
		return "the refresh token is longer than " + strconv.Itoa(MaxTokenLength) + " characters, Pay-me's limit for a token sent back to it"
	}
	return ""
}
