// Package paymeauth is the client of Pay-me's (Alignet) authentication API:
// POST {base}/token and POST {base}/revoke, written against thin public
// documentation; where it is silent the choices below apply.
//
// Wire: a JSON body with exactly the documented fields of the grant and
// nothing empty; requests that would send a field on the wrong grant are
// refused locally. Answers are read once (up to 1 MiB, never decompressed),
// parsed once (parseAnswer: lenient typed fields, a byte-order mark and
// trailing bytes tolerated) and judged by the pure decodeAnswer (verdict.go);
// whether an error answer means a dead refresh token is the policy of
// invalidtoken.go. Redirects are refused, never followed.
//
// The mint rule (mint.go): every refresh token an answer carries is found in
// its raw bytes; at most one is kept, every other is revoked before the call
// returns, and Minted (on Token and Error) counts them, with the attempts
// that may have minted a token that never arrived.
//
// Retries: one explicit loop (transport.go) retries 429, 5xx but 501 and
// network failures, except those retrying cannot fix (ErrEndpoint), with
// waits from package backoff: Retry-After honoured up to RetryWaitMax, else
// exponential with jitter. An offline_access grant is never retried once a
// 2xx began to arrive.
//
// Tokens are cached per Client under a SHA-256 digest of the request, and
// concurrent identical requests share one call; offline_access requests are
// neither cached nor shared.
//
// Secrets: every server-supplied text (error messages, TRACE bodies, granted
// scopes, token type) goes through the secret gate of package redact before it
// leaves the package. Errors say what happened; advice is the provider's.
package paymeauth
