// Package sandbox is an in-memory stand-in for Pay-me's (Alignet's) auth
// service: POST /token and POST /revoke, answered the way the public
// documentation describes, plus fault injection and a request journal for
// tests. It backs unit and acceptance tests (mount it with httptest), the
// demo, and anyone who wants to try a configuration without credentials.
// It is not affiliated with Pay-me, and where Pay-me's behaviour is
// undocumented it is deliberately strict, so that a client that works here
// sends only what the documentation allows.
//
// # Default demo set
//
// DefaultConfig seeds one client and one user. These values are public:
//
//	client_id       demo-client
//	client_secret   demo-secret
//	scopes allowed  create:token post:charges get:charges delete:charges offline_access
//	user            merchant@example.com / demo-password (of demo-client)
//	audiences       https://api.alignet.io
//	                https://api.preprod.alignet.io/ (and without the trailing slash)
//	                https://api.dev.alignet.io
//	token lifetime  24h (expires_in 86400)
//	revoke unknown  succeed
//	rotation        off
//
// The audiences are listed rather than left open so that a client sending
// the auth URL or a misspelt audience fails against the sandbox too. A
// Config with no Audiences accepts any non-empty audience.
//
// # What is checked, and the answers
//
// Every answer, error or not, is Pay-me's envelope: action ("authorize" on
// /token, "revoke" on /revoke), success, and a status block under
// "authorization" or "revoke" with code "00" or "01" and an es_PE message.
// Requests are checked in this order; the first failure answers:
//
//	405  method other than POST (Allow: POST)
//	415  Content-Type not application/json (a utf-8 charset is fine)
//	400  ALG-API-VERSION header missing or blank
//	400  body over 64 KiB, not one JSON object, a non-string value, a duplicate key
//	400  grant_type missing or not client_credentials/password/refresh_token
//	400  a field the operation does not take (password on client_credentials,
//	     grant_type or scope on /revoke, anything undocumented)
//	400  a field present but empty
//	400  a required field missing
//	400  action not "authorize" (/token) or "revoke" (/revoke)
//	400  client_id, client_secret, username, password or refresh_token over 100 characters
//	400  audience not accepted
//	400  scope not space-separated scope-tokens, or without create:token
//	400  password grant with only one of username and password
//	401  client_id/client_secret do not match a seeded client
//	401  a scope the client may not have
//	401  password grant: username/password do not match a user of that client
//	400  refresh grant: refresh token not live, of another client, or of
//	     another user than the username sent ("Refresh Token inválido o revocado")
//	401  refresh grant: a scope beyond the grant that issued the token
//
// The real service's reaction to extra, empty or sloppily joined fields is
// unknown; refusing them keeps clients to the documented contract.
// create:token is refused when missing because the current docs call it
// mandatory for creating tokens.
//
// # Grants
//
// The password grant returns a refresh token only when offline_access is
// in the scope. client_credentials never does: offline_access is accepted
// but dropped from the granted scope, since there is no user to act for
// offline. The refresh grant returns a new refresh token only when
// Config.RotateRefreshTokens is set and offline_access is asked for; the
// old one is then retired. Pay-me does not document rotation, so clients
// must cope with both.
//
// # Revoking unknown tokens
//
// What Pay-me answers when /revoke gets a refresh token that is unknown,
// already revoked, or another client's is undocumented. By default the
// sandbox answers success, as RFC 7009 section 2.2 prescribes
// (RevokeUnknownSucceed); RevokeUnknownReject answers 400 with code "01"
// instead, so clients can be tested against both. Neither touches a token
// of another client.
//
// # Faults and the journal
//
// InjectFault queues failures (error statuses with Retry-After, dropped
// connections, HTML proxy pages, truncated or incomplete success bodies,
// latency). A faulted request issues and revokes nothing, so the sandbox's
// state always says which refresh tokens really exist. Journal records
// every request with secrets (client_secret, password, refresh_token,
// access_token and any field named like a secret) replaced by "***".
//
// # Control endpoints
//
// Outside Pay-me's API, for scripts and the payme-sandbox command:
//
//	GET    /_sandbox/requests  the journal, oldest first
//	GET    /_sandbox/stats     requests per endpoint and status, live refresh tokens
//	GET    /_sandbox/faults    pending faults
//	POST   /_sandbox/faults    queue a fault, e.g. {"endpoint":"/token","status":503,"retry_after":"1s"}
//	DELETE /_sandbox/faults    drop pending faults
//	POST   /_sandbox/reset     forget journal, counters, faults and tokens
package sandbox
