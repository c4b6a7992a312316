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

const (
	opToken  = "token"
	opRevoke = "revoke"

	// Bounds on what a server message may put into an *Error, so that a
	// hostile or broken server cannot inflate diagnostics without limit.
	maxMessages   = 8
	maxMessageLen = 512
)

// answer is the lenient reading of one JSON answer. Fields the client does
// not need are ignored; fields of an unexpected JSON type read as absent
// rather than failing the whole answer, because an error answer's status must
// still be classified even if its body is odd.
type answer struct {
	success      *bool // nil when absent
	successBad   bool  // present but neither a boolean nor "true"/"false"
	accessToken  string
	refreshToken string
	tokenType    string
	scope        string
	hasScope     bool
	expiresIn    int64
	expiresState int // expiresAbsent, expiresOK, expiresBad
	code         string
	messages     []string // for humans: "locale: value" or the bare value
	texts        []string // raw message values and error_description, for classification
	oauthError   string   // Auth0-like "error" field
}

const (
	expiresAbsent = iota
	expiresOK
	expiresBad
)

// decodeInput is everything decodeAnswer needs about one HTTP answer and the
// request it answers.
type decodeInput struct {
	op          string
	status      int
	body        []byte
	truncated   bool // the body ended before its announced length
	tooLarge    bool // the body exceeded maxBodyBytes and was cut
	sentRefresh bool // the request carried a refresh token
	needRefresh bool // password grant with offline_access: a refresh token is mandatory
}

// outcome is decodeAnswer's verdict. kind is nil on success, else a sentinel.
type outcome struct {
	ans    answer
	kind   error
	detail string
}

// decodeAnswer turns one HTTP answer into a verdict. It is pure (no I/O, no
// clock) so that it can be fuzzed; see FuzzDecodeAnswer for its invariants.
//
// For 2xx answers the body decides and must be trustworthy; for error
// statuses the status decides and the body only contributes code/messages
// (an HTML page from a proxy on a 502 is still a temporary failure).
func decodeAnswer(in decodeInput) outcome {
	var out outcome
	parsed := false
	var parseProblem string
	switch {
	case in.tooLarge:
		parseProblem = "answer larger than 1 MiB"
	case in.truncated:
		parseProblem = "answer truncated"
	}
	if a, ok := parseAnswer(in.body, in.op); ok {
		out.ans = a
		parsed = true
	} else if parseProblem == "" {
		if len(bytes.TrimSpace(in.body)) == 0 {
			parseProblem = "empty answer"
		} else {
			parseProblem = "answer is not a JSON object"
		}
	}
	a := &out.ans

	switch {
	case in.status >= 200 && in.status < 300:
		if parseProblem != "" || !parsed {
			return fail(out, ErrMalformed, parseProblem)
		}
		if a.successBad {
			return fail(out, ErrMalformed, `"success" is neither a boolean nor "true"/"false"`)
		}
		if a.success != nil && !*a.success {
			if isInvalidTokenAnswer(in.sentRefresh, in.status, true, a) {
				return fail(out, ErrInvalidToken, "")
			}
			return fail(out, ErrBadRequest, "Pay-me answered success false")
		}
		if in.op == opRevoke {
			if a.success == nil {
				return fail(out, ErrMalformed, `answer lacks "success"`)
			}
			return out
		}
		if a.accessToken == "" {
			if a.success == nil {
				return fail(out, ErrMalformed, `answer has neither "success" nor "access_token"`)
			}
			return fail(out, ErrMalformed, "success without access_token")
		}
		switch {
		case a.expiresState == expiresAbsent:
			return fail(out, ErrMalformed, "expires_in missing")
		case a.expiresState == expiresBad:
			return fail(out, ErrMalformed, "expires_in is not an integer")
		case a.expiresIn <= 0:
			return fail(out, ErrMalformed, "expires_in is not positive")
		}
		if in.needRefresh && a.refreshToken == "" {
			return fail(out, ErrMalformed, "no refresh_token although offline_access was requested on the password grant")
		}
		return out
	case in.status == 429 || (in.status >= 500 && in.status != 501):
		return fail(out, ErrTemporary, "")
	case in.status >= 300 && in.status < 400:
		return fail(out, ErrBadRequest, "unexpected redirect (check the auth base URL)")
	case isInvalidTokenAnswer(in.sentRefresh, in.status, false, a):
		return fail(out, ErrInvalidToken, "")
	case in.status == 401:
		return fail(out, ErrUnauthorized, "")
	case in.status == 403:
		return fail(out, ErrForbidden, "")
	case in.status == 404:
		return fail(out, ErrBadRequest, "endpoint not found (check the auth base URL)")
	default:
		return fail(out, ErrBadRequest, "")
	}
}

func fail(out outcome, kind error, detail string) outcome {
	out.kind = kind
	out.detail = detail
	// Without a server message, say in words what the status means.
	if detail == "" && len(out.ans.messages) == 0 {
		switch {
		case errors.Is(kind, ErrUnauthorized):
			out.detail = "unauthorized: check client_id/client_secret, username/password and the scopes the client may have"
		case errors.Is(kind, ErrForbidden):
			out.detail = "forbidden"
		case errors.Is(kind, ErrTemporary):
			out.detail = "temporary failure (rate limited or server error)"
		case errors.Is(kind, ErrBadRequest):
			out.detail = "request rejected"
		}
	}
	return out
}

// isInvalidTokenAnswer is the one place that decides that an error answer
// means "the refresh token you sent is dead" (ErrInvalidToken). Pay-me does
// not document this answer; it sits in front of an Auth0-like service, and
// the sandbox answers HTTP 400, success false, code "01",
// es_PE "Refresh Token inválido o revocado". The rule:
//
//  1. the request carried a refresh token (refresh_token grant or revoke);
//  2. the status is 400, 401, 403 or 404, or a 2xx with success false;
//  3. and either the Auth0-like "error" field is "invalid_grant", or one
//     message (message_ilgn value or error_description), compared
//     case- and accent-insensitively, mentions "token" together with one of
//     invalid/unknown/revoked/expired/not found/does not exist or the Spanish
//     inválido/revocado/expirado/no existe/desconocido/no encontrado.
//
// It errs on the side of NOT matching, because a false positive is the
// dangerous mistake: on revoke it makes the provider forget a live refresh
// token. Hence an "error" of invalid_client/unauthorized_client never
// matches, and a message that also talks about the client, credentials or
// the secret is skipped — a plain 401 for bad client credentials stays
// ErrUnauthorized.
func isInvalidTokenAnswer(sentRefresh bool, status int, successFalse bool, a *answer) bool {
	if !sentRefresh {
		return false
	}
	switch {
	case status == 400, status == 401, status == 403, status == 404:
	case status >= 200 && status < 300 && successFalse:
	default:
		return false
	}
	switch foldText(strings.TrimSpace(a.oauthError)) {
	case "invalid_grant":
		return true
	case "invalid_client", "unauthorized_client":
		return false
	}
	for _, t := range a.texts {
		f := foldText(t)
		if !strings.Contains(f, "token") {
			continue
		}
		if containsAny(f, clientWords) {
			continue
		}
		if containsAny(f, deadTokenWords) {
			return true
		}
	}
	return false
}

// Folded (lower case, no accents) stems. "invalid" also covers inválido/a,
// "revocad" revocado/a, and so on.
var (
	deadTokenWords = []string{
		"invalid", "not valid", "no valid", "unknown", "revoked", "revocad",
		"expired", "expirad", "not found", "does not exist", "no existe",
		"desconocid", "no encontrad",
	}
	clientWords = []string{"client", "credential", "credencial", "secret"}
)

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// foldText lower-cases and strips the accents Spanish uses, which is all the
// invalid-token rule needs; a full Unicode normalisation would pull in
// golang.org/x/text for no gain.
func foldText(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'á', 'à', 'â', 'ä', 'ã':
			return 'a'
		case 'é', 'è', 'ê', 'ë':
			return 'e'
		case 'í', 'ì', 'î', 'ï':
			return 'i'
		case 'ó', 'ò', 'ô', 'ö', 'õ':
			return 'o'
		case 'ú', 'ù', 'û', 'ü':
			return 'u'
		case 'ñ':
			return 'n'
		}
		return r
	}, strings.ToLower(s))
}

// parseAnswer reads a JSON object leniently. ok is false only when the body
// is not a JSON object at all.
func parseAnswer(body []byte, op string) (answer, bool) {
	var a answer
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return a, false
	}
	if raw, ok := top["success"]; ok && !isNull(raw) {
		if b, ok := parseFlexBool(raw); ok {
			a.success = &b
		} else {
			a.successBad = true
		}
	}
	a.accessToken = rawString(top["access_token"])
	a.refreshToken = rawString(top["refresh_token"])
	a.tokenType = rawString(top["token_type"])
	if raw, ok := top["scope"]; ok && !isNull(raw) {
		a.scope, a.hasScope = rawStringOK(raw)
	}
	if raw, ok := top["expires_in"]; ok && !isNull(raw) {
		if n, ok := parseFlexInt(raw); ok {
			a.expiresIn, a.expiresState = n, expiresOK
		} else {
			a.expiresState = expiresBad
		}
	}

	// The envelope is named after the action; look at the other name too,
	// since nothing documents which one an error answer uses.
	first, second := "authorization", "revoke"
	if op == opRevoke {
		first, second = second, first
	}
	env, ok := top[first]
	if !ok || isNull(env) {
		env = top[second]
	}
	a.readEnvelope(env)

	a.oauthError = rawString(top["error"])
	if d := rawString(top["error_description"]); d != "" || a.oauthError != "" {
		if d != "" {
			a.texts = append(a.texts, d)
		}
		switch {
		case a.oauthError != "" && d != "":
			a.addMessage(a.oauthError + ": " + d)
		case d != "":
			a.addMessage(d)
		default:
			a.addMessage(a.oauthError)
		}
	}
	return a, true
}

func (a *answer) readEnvelope(env json.RawMessage) {
	var e struct {
		Meta json.RawMessage `json:"meta"`
	}
	if json.Unmarshal(env, &e) != nil {
		return
	}
	var m struct {
		Status json.RawMessage `json:"status"`
	}
	if json.Unmarshal(e.Meta, &m) != nil {
		return
	}
	var s struct {
		Code        json.RawMessage `json:"code"`
		MessageIlgn json.RawMessage `json:"message_ilgn"`
	}
	if json.Unmarshal(m.Status, &s) != nil {
		return
	}
	if c, ok := rawStringOK(s.Code); ok {
		a.code = c
	} else if n, ok := rawNumber(s.Code); ok {
		a.code = n
	}
	a.code = clip(a.code, 32)

	type msg struct {
		Locale json.RawMessage `json:"locale"`
		Value  json.RawMessage `json:"value"`
	}
	var items []json.RawMessage
	if json.Unmarshal(s.MessageIlgn, &items) != nil {
		items = []json.RawMessage{s.MessageIlgn}
	}
	for _, it := range items {
		if v, ok := rawStringOK(it); ok {
			a.texts = append(a.texts, v)
			a.addMessage(v)
			continue
		}
		var m msg
		if json.Unmarshal(it, &m) != nil {
			continue
		}
		v, ok := rawStringOK(m.Value)
		if !ok || v == "" {
			continue
		}
		a.texts = append(a.texts, v)
		if l := rawString(m.Locale); l != "" {
			a.addMessage(l + ": " + v)
		} else {
			a.addMessage(v)
		}
	}
}

func (a *answer) addMessage(m string) {
	if len(a.messages) >= maxMessages || m == "" {
		return
	}
	a.messages = append(a.messages, clip(m, maxMessageLen))
}

// clip cuts s to at most n bytes without splitting a rune and replaces
// invalid UTF-8, so messages stay printable.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

func rawStringOK(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func rawString(raw json.RawMessage) string {
	s, _ := rawStringOK(raw)
	return s
}

func rawNumber(raw json.RawMessage) (string, bool) {
	var n json.Number
	if len(raw) == 0 || json.Unmarshal(raw, &n) != nil {
		return "", false
	}
	return n.String(), true
}

// parseFlexBool accepts true/false and, because one Pay-me API family
// documents it so, the strings "true"/"false".
func parseFlexBool(raw json.RawMessage) (bool, bool) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, true
	}
	if s, ok := rawStringOK(raw); ok {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// parseFlexInt accepts an integer as a JSON number or a numeric string; an
// integral float (86400.0) is accepted too, anything else is not.
func parseFlexInt(raw json.RawMessage) (int64, bool) {
	text, ok := rawNumber(raw)
	if !ok {
		s, ok := rawStringOK(raw)
		if !ok {
			return 0, false
		}
		text = strings.TrimSpace(s)
	}
	if text == "" || strings.Trim(text, "0123456789.+-eE") != "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) ||
		f > math.MaxInt64/2 || f < math.MinInt64/2 {
		return 0, false
	}
	return int64(f), true
}
