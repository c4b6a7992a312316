package paymeauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/payme-community/terraform-provider-payme/internal/lenient"
)

// Bounds on what a server message may put into an *Error.
const (
	maxMessages   = 8
	maxMessageLen = 512
	maxCodeLen    = 32
)

// maxLifetimeSeconds bounds a usable expires_in (100 years is already absurd).
const maxLifetimeSeconds = 100 * 365 * 24 * 3600

// seconds is expires_in: a whole number in 1..maxLifetimeSeconds, bare or
// quoted; anything else (absent, <= 0, 1e30, "soon") leaves n at 0. It
// describes the access token only, so no answer is refused for it.
type seconds struct{ n int64 }

func (s *seconds) UnmarshalJSON(b []byte) error {
	var t lenient.String
	_ = t.UnmarshalJSON(b)
	if f, err := strconv.ParseFloat(strings.TrimSpace(t.S), 64); err == nil && f == math.Trunc(f) && f >= 1 && f <= maxLifetimeSeconds {
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
		var o struct{ Locale, Value lenient.String }
		if _ = o.Value.UnmarshalJSON(it); !o.Value.Set {
			_ = json.Unmarshal(it, &o)
		}
		if o.Value.S != "" {
			*m = append(*m, struct{ locale, value string }{o.Locale.S, o.Value.S})
		}
	}
	return nil
}

// statusBlock is Pay-me's envelope, under "authorization" or "revoke".
type statusBlock struct {
	Meta struct {
		Status struct {
			Code     lenient.String `json:"code"`
			Messages messageList    `json:"message_ilgn"`
		} `json:"status"`
	} `json:"meta"`
}

// answer is one answer parsed once; its strings are the server's, unmasked.
// RefreshRaw keeps the token's JSON string as received: Go's decoder
// silently replaces invalid UTF-8, and such a token is revoked byte for byte.
type answer struct {
	parsed        bool
	Action        lenient.String  `json:"action"`
	Success       lenient.Bool    `json:"success"`
	AccessToken   lenient.String  `json:"access_token"`
	RefreshRaw    json.RawMessage `json:"refresh_token"`
	TokenType     lenient.String  `json:"token_type"`
	Scope         lenient.String  `json:"scope"`
	ExpiresIn     seconds         `json:"expires_in"`
	OAuthError    lenient.String  `json:"error"`
	Description   lenient.String  `json:"error_description"`
	Authorization *statusBlock    `json:"authorization"`
	Revoke        *statusBlock    `json:"revoke"`
	refreshToken  string          // decoded, "" when absent or not a JSON string
	code          string
	messages      []string // for humans: "locale: value" or the bare value
	texts         []string // message values and error_description, for the verdict
}

// keepRefresh decodes the refresh token; an empty one is no token.
func (a *answer) keepRefresh() {
	if len(a.RefreshRaw) == 0 || a.RefreshRaw[0] != '"' || json.Unmarshal(a.RefreshRaw, &a.refreshToken) != nil || a.refreshToken == "" {
		a.RefreshRaw, a.refreshToken = nil, ""
	}
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
		return answer{} // not an answer to trust; the tokens it carried are found by carriedTokens
	}
	a.parsed = true
	a.keepRefresh()
	// Nothing documents which envelope name an error answer uses.
	env := a.Authorization
	if op == opRevoke && a.Revoke != nil || env == nil {
		env = a.Revoke
	}
	if env != nil {
		a.code = env.Meta.Status.Code.S
		for _, m := range env.Meta.Status.Messages {
			a.texts = append(a.texts, m.value)
			a.addMessage(m.locale, m.value)
		}
	}
	if d := a.Description.S; d != "" || a.OAuthError.S != "" {
		a.texts = append(a.texts, d)
		a.addMessage(a.OAuthError.S, d)
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
