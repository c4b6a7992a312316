// Package paymeauth is the client of Pay-me's (Alignet) authentication API:
// POST {base}/token and POST {base}/revoke. It is written against the public
// documentation, which is thin; where it is silent the choices below apply.
//
// Wire. Both calls send a JSON body with Content-Type and Accept
// application/json, a User-Agent and, when configured, ALG-API-VERSION
// (public clients omit it, so it is optional here). Each call sends exactly
// the documented fields of its grant and nothing empty: client_credentials
// sends action, grant_type, client_id, client_secret, audience, scope;
// password adds username and password when set; refresh_token adds
// refresh_token and username when set (never a password); revoke sends
// action "revoke", client_id, client_secret, audience, refresh_token and
// username when set (no grant_type, no scope). Requests that would send a
// field on the wrong grant are rejected locally, without a call.
//
// Answers. Decoding is lenient where the sources disagree — success as a
// boolean or "true"/"false", expires_in as a number or numeric string, the
// status envelope under "authorization" or "revoke" — and strict where a
// wrong guess would hurt: a 2xx answer must be a JSON object with an
// access_token and a positive expires_in (a lifetime is never invented), and
// a password grant asking offline_access must return a refresh_token;
// otherwise ErrMalformed. On error statuses the status decides the kind and
// the body only adds the Pay-me code and messages (an HTML 502 page is still
// ErrTemporary). Bodies are read up to 1 MiB. Redirects are not followed.
//
// Undocumented: no error body is documented (the envelope with success
// false and code "01" is assumed but not required); rate limiting is not
// documented (429 and 5xx but 501 are retried); the answer for an invalid,
// revoked or unknown refresh token is not documented (see
// isInvalidTokenAnswer, which errs towards NOT reporting ErrInvalidToken);
// whether the refresh_token grant rotates the refresh token is not
// documented (Token.RefreshToken is whatever came back, possibly empty).
//
// Retries use go-retryablehttp over a go-cleanhttp pooled transport: up to
// MaxRetries retries of temporary failures, exponential backoff with jitter
// between RetryWaitMin and RetryWaitMax, Retry-After honoured up to
// RetryWaitMax, a per-attempt timeout, and an immediate return when the
// caller's context ends.
//
// Tokens are cached per Client, as Pay-me advises, under a SHA-256 digest of
// everything that identifies the request, and concurrent identical requests
// share one call; offline_access requests are never cached nor shared.
//
// Logs go through terraform-plugin-log (subsystem "paymeauth"): one DEBUG
// line per attempt, bodies only at TRACE with secrets masked. Errors never
// contain a secret.
package paymeauth
