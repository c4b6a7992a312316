package sandbox

import (
	"maps"
	"net/http"
	"slices"
	"testing"
)

func wantRevoked(t *testing.T, r result) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("revoke status %d: %s", r.status, r.body)
	}
	env, keys := r.answer(t)
	if got := slices.Sorted(maps.Keys(keys)); !slices.Equal(got, []string{"action", "revoke", "success"}) {
		t.Errorf("keys = %v", got)
	}
	if env.Action != "revoke" || !env.Success {
		t.Errorf("answer = %+v", env)
	}
	wantStatusBlock(t, env.Revoke, "00", "Refresh Token eliminado")
}

func TestRefreshWithoutRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	rt := e.refreshToken(t, pwFields())
	for range 3 {
		r := e.post(t, pathToken, rtFields(rt))
		env, _ := r.answer(t)
		if r.status != http.StatusOK || env.AccessToken == "" || env.RefreshToken != "" {
			t.Fatalf("status %d, body %s", r.status, r.body)
		}
	}
	if !e.s.RefreshTokenLive(rt) || e.s.LiveRefreshTokens() != 1 {
		t.Error("refresh without rotation must keep the token live and issue no other")
	}
}

func TestRefreshWithRotation(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.RotateRefreshTokens = true
	e := newEnv(t, cfg)
	rt := e.refreshToken(t, pwFields())

	// Without offline_access nothing rotates.
	r := e.post(t, pathToken, rtFields(rt).with("scope", "create:token post:charges"))
	if env, _ := r.answer(t); r.status != 200 || env.RefreshToken != "" || !e.s.RefreshTokenLive(rt) {
		t.Fatalf("refresh without offline_access: status %d, body %s, old live %v", r.status, r.body, e.s.RefreshTokenLive(rt))
	}

	r = e.post(t, pathToken, rtFields(rt))
	env, _ := r.answer(t)
	if r.status != 200 || env.RefreshToken == "" || env.RefreshToken == rt {
		t.Fatalf("rotation: status %d, body %s", r.status, r.body)
	}
	if e.s.RefreshTokenLive(rt) || !e.s.RefreshTokenLive(env.RefreshToken) || e.s.LiveRefreshTokens() != 1 {
		t.Error("rotation must retire the old token and keep exactly the new one")
	}
	wantError(t, e.post(t, pathToken, rtFields(rt)), pathToken, 400, "Refresh Token inválido o revocado")

	// The new token carries the user and the original grant along.
	claims := decodeJWT(t, mustAnswer(t, e.post(t, pathToken, rtFields(env.RefreshToken).with("scope", "create:token"))).AccessToken)
	if claims["sub"] != "merchant@example.com" {
		t.Errorf("sub after rotation = %v", claims["sub"])
	}
}

func mustAnswer(t *testing.T, r result) envelope {
	t.Helper()
	env, _ := r.answer(t)
	if r.status != 200 || !env.Success {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	return env
}

func TestRefreshRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		issue  fields                 // grant that produces the refresh token
		use    func(rt string) fields // refresh request
		status int
		msg    string
	}{
		{name: "matching username", issue: pwFields(), use: func(rt string) fields { return rtFields(rt).with("username", "merchant@example.com") }, status: 200},
		{name: "other username", issue: pwFields(), use: func(rt string) fields { return rtFields(rt).with("username", "someone@example.com") }, status: 400, msg: "Refresh Token inválido o revocado"},
		{name: "username on client-level token", issue: pwFields().without("username", "password"), use: func(rt string) fields { return rtFields(rt).with("username", "merchant@example.com") }, status: 400, msg: "Refresh Token inválido o revocado"},
		{name: "another client's token", issue: pwFields(), use: func(rt string) fields {
			return rtFields(rt).with("client_id", "other-client", "client_secret", "other-secret", "scope", "create:token offline_access")
		}, status: 400, msg: "Refresh Token inválido o revocado"},
		{name: "wrong secret", issue: pwFields(), use: func(rt string) fields { return rtFields(rt).with("client_secret", "nope") }, status: 401, msg: "Credenciales"},
		{name: "scope beyond the original grant", issue: pwFields().with("scope", "create:token offline_access"), use: func(rt string) fields { return rtFields(rt).with("scope", "create:token post:charges") }, status: 401, msg: "Scope no concedido al Refresh Token: post:charges"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, testConfig())
			rt := e.refreshToken(t, tc.issue)
			r := e.post(t, pathToken, tc.use(rt))
			if tc.status == 200 {
				mustAnswer(t, r)
			} else {
				wantError(t, r, pathToken, tc.status, tc.msg)
			}
			if !e.s.RefreshTokenLive(rt) || e.s.LiveRefreshTokens() != 1 {
				t.Error("a refresh without rotation must leave exactly the original token live")
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	rt := e.refreshToken(t, pwFields())
	keep := e.refreshToken(t, pwFields())
	wantRevoked(t, e.post(t, pathRevoke, revokeFields(rt)))
	if e.s.RefreshTokenLive(rt) || !e.s.RefreshTokenLive(keep) || e.s.LiveRefreshTokens() != 1 {
		t.Error("revoke must retire exactly the token named")
	}
	wantError(t, e.post(t, pathToken, rtFields(rt)), pathToken, 400, "Refresh Token inválido o revocado")

	wantRevoked(t, e.post(t, pathRevoke, revokeFields(keep).with("username", "merchant@example.com")))
	if e.s.LiveRefreshTokens() != 0 {
		t.Error("revoke with the right username must retire the token")
	}
}

// TestRevokeUnknownPolicies covers every kind of "not yours or not live"
// under both policies; the token of another client or user must survive.
func TestRevokeUnknownPolicies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// setup returns the token to revoke, the request, and a token that
		// must still be live afterwards ("" if none).
		setup func(t *testing.T, e *testEnv) (fields, string)
	}{
		{name: "never issued", setup: func(t *testing.T, e *testEnv) (fields, string) {
			return revokeFields("never-issued"), ""
		}},
		{name: "already revoked", setup: func(t *testing.T, e *testEnv) (fields, string) {
			rt := e.refreshToken(t, pwFields())
			wantRevoked(t, e.post(t, pathRevoke, revokeFields(rt)))
			return revokeFields(rt), ""
		}},
		{name: "revoked out of band", setup: func(t *testing.T, e *testEnv) (fields, string) {
			rt := e.refreshToken(t, pwFields())
			if !e.s.RevokeOutOfBand(rt) || e.s.RevokeOutOfBand(rt) {
				t.Fatal("RevokeOutOfBand must report true once, then false")
			}
			return revokeFields(rt), ""
		}},
		{name: "another client's token", setup: func(t *testing.T, e *testEnv) (fields, string) {
			rt := e.refreshToken(t, pwFields())
			return revokeFields(rt).with("client_id", "other-client", "client_secret", "other-secret"), rt
		}},
		{name: "another user's token", setup: func(t *testing.T, e *testEnv) (fields, string) {
			rt := e.refreshToken(t, pwFields())
			return revokeFields(rt).with("username", "someone@example.com"), rt
		}},
	}
	for _, policy := range []RevokeUnknownPolicy{"", RevokeUnknownSucceed, RevokeUnknownReject} {
		for _, tc := range cases {
			t.Run(string(policy)+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				cfg := testConfig()
				cfg.RevokeUnknown = policy
				e := newEnv(t, cfg)
				body, survivor := tc.setup(t, e)
				r := e.post(t, pathRevoke, body)
				if policy == RevokeUnknownReject {
					wantError(t, r, pathRevoke, 400, "Refresh Token inválido o revocado")
				} else {
					wantRevoked(t, r)
				}
				if survivor != "" && !e.s.RefreshTokenLive(survivor) {
					t.Error("revoke touched a token that was not the caller's")
				}
			})
		}
	}
}

func TestResetForgetsEverything(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	rt := e.refreshToken(t, pwFields())
	e.s.InjectFault(Fault{Endpoint: pathRevoke, Count: 5})
	e.s.Reset()
	if e.s.LiveRefreshTokens() != 0 || e.s.RefreshTokenLive(rt) || len(e.s.Journal()) != 0 || e.s.Requests(pathToken) != 0 {
		t.Fatal("Reset left state behind")
	}
	// The fault is gone too: an unknown-token revoke succeeds by policy.
	wantRevoked(t, e.post(t, pathRevoke, revokeFields(rt)))
	// Seeds survive.
	mustAnswer(t, e.post(t, pathToken, ccFields()))
}
