package paymeauth

import (
	"slices"
	"strings"
)

// The invalid-token policy: the one place that decides that an error answer
// means "the refresh token you sent is dead" (ErrInvalidToken), kept apart as
// the rule most likely to change. A false positive makes the provider forget
// a live token; a false negative only fails a destroy the user can finish on
// purpose. So the answer must say so beyond doubt:
//
//  1. the request carried a refresh token (refresh grant or revoke);
//  2. the status is 400, 401, 403 or 404, or a 2xx with success false (the
//     status alone never decides);
//  3. no contradiction: success is not true, a Pay-me code is "01";
//  4. no WWW-Authenticate header (a gateway's bearer-token answer);
//  5. "error" is absent or "invalid_grant": any other OAuth error
//     (invalid_request, invalid_client, unsupported_grant_type, ...) is
//     about the request, never the token;
//  6. neither "error" nor a message talks about something else (otherTopics:
//     an access token, the client, an endpoint, a hint, a rate limit, ...)
//     or about the request itself (requestWords: a parameter, something
//     missing, malformed or expected, a format, an encoding, a content type);
//  7. "error" is "invalid_grant", or a message names the refresh token
//     (refreshNames) with a verdict (deadWords), in Spanish or English,
//     compared case- and accent-insensitively.

var (
	refreshNames = []string{"refresh token", "refresh_token", "refresh-token", "refreshtoken",
		"token de refresco", "token de actualizacion"}
	deadWords = []string{"invalid", "not valid", "no valid", "revoked", "revocad", "expired", "expirad",
		"vencid", "unknown", "desconocid", "not found", "no encontrad", "does not exist", "no existe"}
	otherTopics = []string{"access token", "access_token", "token de acceso", "bearer", "client",
		"credential", "credencial", "secret", "invalid_token", "endpoint", "hint", "limit", "too many", "slow down",
		"bucket", "demasiad", "scope", "alcance", "audience", "audiencia", "url", "path", "ruta"}
	requestWords = []string{"paramet", "missing", "falta", "malformed", "mal formad", "expected", "esperad",
		"format", "encoding", "codificacion", "content type", "content-type", "tipo de contenido"}
)

func isInvalidTokenAnswer(sentRefresh bool, status int, bearer bool, a *answer) bool {
	switch {
	case !sentRefresh, bearer, a.Success.Set && a.Success.V, a.code != "" && a.code != "01":
		return false
	case status >= 200 && status < 300:
		if !a.Success.Set {
			return false
		}
	case status != 400 && status != 401 && status != 403 && status != 404:
		return false
	}
	oauth := foldText(a.OAuthError.S)
	if oauth != "" && oauth != "invalid_grant" {
		return false
	}
	named := oauth == "invalid_grant"
	for _, t := range append([]string{a.OAuthError.S}, a.texts...) {
		f := foldText(t)
		if containsAny(f, otherTopics) || containsAny(f, requestWords) {
			return false
		}
		named = named || containsAny(f, refreshNames) && containsAny(f, deadWords)
	}
	return named
}

func containsAny(s string, words []string) bool {
	return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(s, w) })
}

// accents maps the accented letters Spanish uses to plain ones; a full
// Unicode normalisation would pull in golang.org/x/text for no gain.
var accents = strings.NewReplacer("á", "a", "à", "a", "é", "e", "è", "e", "í", "i", "ì", "i", "ó", "o", "ò", "o",
	"ú", "u", "ù", "u", "ü", "u", "ñ", "n")

// foldText lower-cases, strips accents and turns runs of white space into
// one space, which is all the rule needs.
func foldText(s string) string {
	return strings.Join(strings.Fields(accents.Replace(strings.ToLower(s))), " ")
}
