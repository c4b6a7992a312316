package paymeauth

import "bytes"

const (
	opToken  = "token"
	opRevoke = "revoke"
)

// decodeInput is one HTTP answer and what decodeAnswer needs of its request.
type decodeInput struct {
	op          string
	status      int
	body        []byte // up to maxBodyBytes+1: any more is too large
	truncated   bool   // cut by the network
	bearer      bool   // the answer has a WWW-Authenticate header
	sentRefresh bool
	needRefresh bool // password grant with offline_access
}

// outcome is decodeAnswer's verdict: kind is nil on success, else a sentinel.
type outcome struct {
	ans    answer
	kind   error
	detail string
}

// decodeAnswer turns one HTTP answer into a verdict. It is pure, so that it
// can be fuzzed (FuzzDecodeAnswer). On 2xx the body decides, read leniently
// wherever the caller does not need a field, since refusing an answer that
// carries a refresh token could lose a live token; on error statuses the
// status decides and the body only adds the code and messages.
func decodeAnswer(in decodeInput) outcome {
	out := outcome{ans: parseAnswer(in.body[:min(len(in.body), maxBodyBytes)], in.op)}
	a := &out.ans
	switch s := in.status; {
	case s >= 200 && s < 300:
		return decodeSuccess(in, out)
	case s == 429 || (s >= 500 && s != 501):
		return out.fail(ErrTemporary, unlessSaid(a, "temporary failure (rate limited or server error)"))
	case s >= 300 && s < 400:
		return out.fail(ErrEndpoint, "redirect refused (a redirect would resend the credentials elsewhere)")
	case isInvalidTokenAnswer(in.sentRefresh, in.status, in.bearer, a):
		return out.fail(ErrInvalidToken, "")
	case s == 401:
		return out.fail(ErrUnauthorized, unlessSaid(a, "unauthorized"))
	case s == 403:
		return out.fail(ErrForbidden, unlessSaid(a, "forbidden"))
	case s == 404:
		return out.fail(ErrBadRequest, "endpoint not found")
	default:
		return out.fail(ErrBadRequest, unlessSaid(a, "request rejected"))
	}
}

func decodeSuccess(in decodeInput, out outcome) outcome {
	a := &out.ans
	switch {
	case len(in.body) > maxBodyBytes:
		return out.fail(ErrMalformed, "answer larger than 1 MiB")
	case in.truncated:
		return out.fail(ErrMalformed, "answer truncated")
	case !a.parsed && len(bytes.TrimSpace(in.body)) == 0:
		return out.fail(ErrMalformed, "empty answer")
	case !a.parsed:
		return out.fail(ErrMalformed, "answer is not a JSON object")
	case a.Success.Bad:
		return out.fail(ErrMalformed, `"success" is neither a boolean nor "true"/"false"`)
	case isInvalidTokenAnswer(in.sentRefresh, in.status, in.bearer, a):
		return out.fail(ErrInvalidToken, "")
	case a.Success.Set && !a.Success.V:
		return out.fail(ErrBadRequest, "Pay-me answered success false")
	// The revoke verdict is a whitelist: only a revoke-shaped success counts
	// (no access token, no action but "revoke", success true, code "00" or
	// none). In doubt, the token is not taken as revoked.
	case in.op == opRevoke && a.AccessToken.Set:
		return out.fail(ErrMalformed, "a revoke answer carried an access token (a /token answer, from a cache or a misrouted gateway?)")
	case in.op == opRevoke && a.Action.Set && a.Action.S != "revoke":
		return out.fail(ErrMalformed, `a revoke answer with an "action" other than "revoke"`)
	case in.op == opRevoke && !a.Success.Set:
		return out.fail(ErrMalformed, `answer lacks "success"`)
	case in.op == opRevoke && a.Success.Loose:
		return out.fail(ErrMalformed, `"success" is not true or "true"`)
	case in.op == opRevoke && a.code != "" && a.code != "00":
		return out.fail(ErrMalformed, "answer contradicts itself: success true with an error code")
	case in.op == opRevoke:
		return out
	case a.AccessToken.S == "" && !a.Success.Set:
		return out.fail(ErrMalformed, `answer has neither "success" nor "access_token"`)
	case a.AccessToken.S == "":
		return out.fail(ErrMalformed, "success without access_token")
	case in.needRefresh && a.RefreshRaw == nil:
		return out.fail(ErrMalformed, "no refresh_token although offline_access was requested on the password grant")
	case a.refreshProblem() != "":
		return out.fail(ErrMalformed, a.refreshProblem())
	}
	return out
}

func (out outcome) fail(kind error, detail string) outcome {
	out.kind, out.detail = kind, detail
	return out
}

// unlessSaid is the words for a status, needed only when the server gave no
// message of its own.
func unlessSaid(a *answer, words string) string {
	if len(a.messages) > 0 {
		return ""
	}
	return words
}
