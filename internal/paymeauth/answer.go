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

// text is a lenient JSON field: a string, or a number or boolean read as its
// literal text. Anything else (null, object, array) reads as absent: an odd
// field must not keep an error answer from being classified.
type text struct {
	s   string
	set bool
}

func (t *text) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0, b[0] == '{', b[0] == '[', string(b) == "null":
	case b[0] == '"':
		t.set = json.Unmarshal(b, &t.s) == nil
	default:
		t.s, t.set = string(b), true
	}
	return nil
}

// flag is a lenient boolean: true/false, 1/0, or those words (and yes/no)
// as a string, since one Pay-me API family sends "true"/"false".
type flag struct{ set, bad, v bool }

func (f *flag) UnmarshalJSON(b []byte) error {
	var t text
	_ = t.UnmarshalJSON(b)
	if !t.set {
		return nil
	}
	f.set = true
	switch strings.ToLower(strings.TrimSpace(t.s)) {
	case "true", "1", "yes":
		f.v = true
	case "false", "0", "no":
	default:
		f.bad = true
	}
	return nil
}

// maxLifetimeSeconds bounds a usable expires_in (100 years is already absurd).
const maxLifetimeSeconds = 100 * 365 * 24 * 3600

// seconds is a lenient lifetime: a JSON number or numeric string; ok only
// for a whole number of seconds in 1..maxLifetimeSeconds.
type seconds struct {
	n  int64
	ok bool
}

func (s *seconds) UnmarshalJSON(b []byte) error {
	var t text
	_ = t.UnmarshalJSON(b)
	f, err := strconv.ParseFloat(strings.TrimSpace(t.s), 64)
	if t.set && err == nil && f == math.Trunc(f) && f >= 1 && f <= maxLifetimeSeconds {
		s.n, s.ok = int64(f), true
	}
	return nil
}

// messageList is message_ilgn: a list of {locale, value} objects or of
// strings, or a single one of those.
type messageList []struct{ locale, value string }

func (m *messageList) UnmarshalJSON(b []byte) error {
	var items []json.RawMessage
	if json.Unmarshal(b, &items) != nil {
		items = []json.RawMessage{b}
	}
	for _, it := range items {
		var v text
		var o struct {
			Locale text `json:"locale"`
			Value  text `json:"value"`
		}
		if _ = v.UnmarshalJSON(it); !v.set && json.Unmarshal(it, &o) == nil {
			v, o.Value = o.Value, text{}
		}
		if v.s != "" {
			*m = append(*m, struct{ locale, value string }{o.Locale.s, v.s})
		}
	}
	return nil
}

// statusBlock is Pay-me's status block, under "authorization" or "revoke".
type statusBlock struct {
	Meta struct {
		Status struct {
			Code     text        `json:"code"`
			Messages messageList `json:"message_ilgn"`
		} `json:"status"`
	} `json:"meta"`
}

// wireAnswer is the JSON answer as sent. refresh_token stays raw so that
// its bytes can be checked (Go's decoder silently replaces invalid UTF-8)
// and sent back exactly to revoke it.
type wireAnswer struct {
	Success       flag            `json:"success"`
	AccessToken   text            `json:"access_token"`
	RefreshToken  json.RawMessage `json:"refresh_token"`
	TokenType     text            `json:"token_type"`
	Scope         text            `json:"scope"`
	ExpiresIn     seconds         `json:"expires_in"`
	Error         text            `json:"error"`
	Description   text            `json:"error_description"`
	Authorization *statusBlock    `json:"authorization"`
	Revoke        *statusBlock    `json:"revoke"`
}

// answer is one answer parsed once, as every later step needs it. Its
// strings are the server's, unmasked: only newError and the log gate them.
type answer struct {
	parsed       bool
	success      flag
	accessToken  string
	refreshToken string // decoded, "" when absent or not a JSON string
	refreshRaw   []byte // the JSON string as received, quotes included
	tokenType    string
	scope        text
	expiresIn    seconds
	code         string
	messages     []string // for humans: "locale: value" or the bare value
	texts        []string // message values and error_description, for the verdict
	oauthError   string
}

var bom = []byte("\xEF\xBB\xBF")

// parseAnswer reads the first JSON object of body, after an optional UTF-8
// byte-order mark and before any trailing bytes (a cache's HTML comment).
// parsed is false only when there is no JSON object to read.
func parseAnswer(body []byte, op string) answer {
	body = bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), bom), " \t\r\n")
	var w wireAnswer
	var te *json.UnmarshalTypeError
	if len(body) == 0 || body[0] != '{' {
		return answer{}
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&w); err != nil && !errors.As(err, &te) {
		return answer{}
	}
	a := answer{
		parsed: true, success: w.Success, accessToken: w.AccessToken.s, tokenType: w.TokenType.s,
		scope: w.Scope, expiresIn: w.ExpiresIn, oauthError: w.Error.s,
	}
	if len(w.RefreshToken) > 0 && w.RefreshToken[0] == '"' && json.Unmarshal(w.RefreshToken, &a.refreshToken) == nil {
		a.refreshRaw = w.RefreshToken
	}
	// The envelope is named after the action; nothing documents which name
	// an error answer uses, so the other one is read too.
	env := w.Authorization
	if op == opRevoke && w.Revoke != nil || env == nil {
		env = w.Revoke
	}
	if env != nil {
		a.code = env.Meta.Status.Code.s
		for _, m := range env.Meta.Status.Messages {
			a.texts = append(a.texts, m.value)
			a.addMessage(m.locale, m.value)
		}
	}
	if d := w.Description.s; d != "" || a.oauthError != "" {
		if d != "" {
			a.texts = append(a.texts, d)
		}
		a.addMessage(a.oauthError, d)
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

// refreshProblem says why the refresh token answered cannot be stored
// exactly, or "" when it can.
func (a *answer) refreshProblem() string {
	switch {
	case a.refreshRaw == nil:
		return ""
	case !utf8.Valid(a.refreshRaw) || strings.ContainsRune(a.refreshToken, utf8.RuneError):
		return "the refresh token is not valid UTF-8, so it cannot be stored exactly"
	case utf8.RuneCountInString(a.refreshToken) > MaxTokenLength:
		return "the refresh token is longer than " + strconv.Itoa(MaxTokenLength) + " characters, Pay-me's limit for a token sent back to it"
	}
	return ""
}
