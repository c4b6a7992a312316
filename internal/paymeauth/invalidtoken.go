package paymeauth

import (
	"slices"
	"strings"
)

// This file is the invalid-token policy: the one place that decides that an
// error answer means "the refresh token you sent is dead" (ErrInvalidToken).
// It is kept apart because it is the rule most likely to change as Pay-me's
// real answers become known.
//
// A false positive is the dangerous mistake: on revoke it makes the provider
// forget a live refresh token, while a false negative only fails a destroy
// that the user can finish on purpose. So the answer must say so about the
// refresh token beyond doubt:
//
//  1. the request carried a refresh token (refresh_token grant or revoke);
//  2. the status is 400, 401, 403 or 404, or a 2xx with success false; the
//     status alone never decides;
//  3. the envelope does not contradict it: success is not true, and the
//     Pay-me code, when present, is "01";
//  4. there is no WWW-Authenticate header (a gateway's bearer-token answer
//     is about an access token, not about the refresh token sent);
//  5. neither "error" nor any message talks about something else: an access
//     token (RFC 6750's invalid_token included), the client or its
//     credentials, an endpoint or URL, a hint, a rate limit, a scope or an
//     audience (otherTopics);
//  6. and either "error" is "invalid_grant", or a message names the refresh
//     token (refreshNames) together with a verdict (deadWords), compared
//     case- and accent-insensitively, in Spanish or English.

var (
	refreshNames = []string{"refresh token", "refresh_token", "refresh-token", "refreshtoken",
		"token de refresco", "token de actualizacion"}
	deadWords = []string{"invalid", "not valid", "no valid", "revoked", "revocad", "expired", "expirad",
		"vencid", "unknown", "desconocid", "not found", "no encontrad", "does not exist", "no existe"}
	otherTopics = []string{"access token", "access_token", "token de acceso", "bearer", "client",
		"credential", "credencial", "secret", "invalid_token", "endpoint", "hint", "limit", "too many", "slow down",
		"bucket", "demasiad", "scope", "alcance", "audience", "audiencia", "url", "path", "ruta"}
)

func isInvalidTokenAnswer(sentRefresh bool, status int, bearer bool, a *answer) bool {
	switch {
	case !sentRefresh, bearer:
		return false
	case status >= 200 && status < 300:
		if !a.Success.set || a.Success.v {
			return false
		}
	case status != 400 && status != 401 && status != 403 && status != 404:
		return false
	}
	if (a.Success.set && a.Success.v) || (a.code != "" && a.code != "01") {
		return false
	}
	named := foldText(a.OAuthError.s) == "invalid_grant"
	for _, t := range append([]string{a.OAuthError.s}, a.texts...) {
		f := foldText(t)
		if containsAny(f, otherTopics) {
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
