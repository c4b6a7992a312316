package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRotateClientSecret: after a rotation the new secret works at once;
// the old one works for the overlap and not after it, or not at all with
// no overlap; Reset brings the seeded secret back.
func TestRotateClientSecret(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	e := newEnv(t, cfg)
	works := func(secret string) bool {
		return e.post(t, pathToken, ccFields().with("client_secret", secret)).status == http.StatusOK
	}
	if err := e.s.RotateClientSecret(DemoClientID, "secret-2", time.Hour); err != nil {
		t.Fatal(err)
	}
	if !works("secret-2") || !works(DemoClientSecret) {
		t.Fatal("during the overlap, the new and the old secret must both work")
	}
	advance(time.Hour)
	if !works("secret-2") || works(DemoClientSecret) {
		t.Fatal("after the overlap, only the new secret may work")
	}
	if err := e.s.RotateClientSecret(DemoClientID, "secret-3", 0); err != nil {
		t.Fatal(err)
	}
	if !works("secret-3") || works("secret-2") {
		t.Fatal("with no overlap, the old secret must be refused at once")
	}
	// A second rotation inside an overlap never extends the oldest secret.
	_ = e.s.RotateClientSecret(DemoClientID, "secret-4", time.Hour)
	advance(30 * time.Minute)
	_ = e.s.RotateClientSecret(DemoClientID, "secret-5", time.Hour)
	advance(45 * time.Minute)
	if works("secret-3") || !works("secret-4") || !works("secret-5") {
		t.Fatal("a later rotation extended an older secret's overlap, or cut a newer one's")
	}
	e.s.Reset()
	if !works(DemoClientSecret) || works("secret-5") {
		t.Fatal("Reset did not bring back the seeded secret alone")
	}
	for name, err := range map[string]error{
		"unknown client": e.s.RotateClientSecret("nobody", "x", 0),
		"empty secret":   e.s.RotateClientSecret(DemoClientID, "", 0),
		"negative":       e.s.RotateClientSecret(DemoClientID, "x", -time.Second),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestRotatedSecretRevokes: a token issued under the old secret can be
// revoked with the new one: tokens belong to the client, not the secret.
func TestRotatedSecretRevokes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	rt := e.refreshToken(t, pwFields())
	if err := e.s.RotateClientSecret(DemoClientID, "secret-2", 0); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.post(t, pathRevoke, revokeFields(rt)), pathRevoke, http.StatusUnauthorized, "Credenciales de cliente inválidas")
	wantRevoked(t, e.post(t, pathRevoke, revokeFields(rt).with("client_secret", "secret-2")))
	if e.s.RefreshTokenLive(rt) {
		t.Fatal("the token is still live")
	}
}

// TestControlRotationAndRevocation drives the same through the control
// endpoints: rotate a secret, list live tokens by fingerprint, revoke one.
func TestControlRotationAndRevocation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	keep, gone := e.refreshToken(t, pwFields()), e.refreshToken(t, pwFields())

	code, _, body := e.control(t, http.MethodGet, "/_sandbox/tokens", "")
	var live []LiveToken
	if err := json.Unmarshal(body, &live); code != 200 || err != nil || len(live) != 2 {
		t.Fatalf("tokens: %d %v %s", code, err, body)
	}
	if strings.Contains(string(body), keep) || strings.Contains(string(body), gone) {
		t.Fatal("the token list shows a token")
	}
	if live[0].ClientID != DemoClientID || live[0].Username != DemoUsername {
		t.Errorf("tokens = %+v", live)
	}
	code, _, body = e.control(t, http.MethodPost, "/_sandbox/revoke", `{"fingerprint":"`+fingerprint(gone)+`"}`)
	if code != 200 || !strings.Contains(string(body), `"revoked": true`) || e.s.RefreshTokenLive(gone) || !e.s.RefreshTokenLive(keep) {
		t.Fatalf("revoke by fingerprint: %d %s", code, body)
	}
	if code, _, body = e.control(t, http.MethodPost, "/_sandbox/revoke", `{"fingerprint":"`+fingerprint(gone)+`"}`); code != 404 ||
		!strings.Contains(string(body), "/_sandbox/tokens") {
		t.Errorf("revoking a token that is not live: %d %s", code, body)
	}

	if code, _, body = e.control(t, http.MethodPost, "/_sandbox/client-secret",
		`{"client_id":"demo-client","client_secret":"secret-2","overlap":"0s"}`); code != http.StatusNoContent {
		t.Fatalf("client-secret: %d %s", code, body)
	}
	if e.post(t, pathToken, ccFields()).status != http.StatusUnauthorized ||
		e.post(t, pathToken, ccFields().with("client_secret", "secret-2")).status != http.StatusOK {
		t.Error("the rotation through the control endpoint did not take")
	}
	for _, bad := range []string{`{"client_id":"demo-client","client_secret":"x","overlap":"soon"}`,
		`{"client_id":"nobody","client_secret":"x"}`, `{"client_id":"demo-client","client_secret":""}`,
		`{"client_id":"demo-client","secret":"x"}`, `{`} {
		if code, _, body = e.control(t, http.MethodPost, "/_sandbox/client-secret", bad); code != 400 || !strings.Contains(string(body), `"error"`) {
			t.Errorf("client-secret %s: %d %s", bad, code, body)
		}
	}
	if code, hdr, _ := e.control(t, http.MethodGet, "/_sandbox/revoke", ""); code != http.StatusMethodNotAllowed || hdr.Get("Allow") != "POST" {
		t.Errorf("GET /_sandbox/revoke: %d, Allow %q", code, hdr.Get("Allow"))
	}
}
