package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var base64URL = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func TestGrantSuccessShapes(t *testing.T) {
	t.Parallel()
	base := []string{"access_token", "action", "authorization", "expires_in", "scope", "success", "token_type"}
	withRefresh := slices.Sorted(slices.Values(append(slices.Clone(base), "refresh_token")))
	tests := []struct {
		name      string
		body      func(e *testEnv, t *testing.T) fields
		wantKeys  []string
		wantScope string
		wantSub   string
		wantLive  int // live refresh tokens after the call
	}{
		{
			name: "client_credentials drops offline_access",
			body: func(*testEnv, *testing.T) fields {
				return ccFields().with("scope", "create:token post:charges offline_access")
			},
			wantKeys:  base,
			wantScope: "create:token post:charges",
			wantSub:   DemoClientID,
		},
		{
			name: "client_credentials all documented scopes",
			body: func(*testEnv, *testing.T) fields {
				return ccFields().with("scope", "create:token post:charges get:charges delete:charges")
			},
			wantKeys:  base,
			wantScope: "create:token post:charges get:charges delete:charges",
			wantSub:   DemoClientID,
		},
		{
			name:      "password with offline_access",
			body:      func(*testEnv, *testing.T) fields { return pwFields() },
			wantKeys:  withRefresh,
			wantScope: "create:token post:charges offline_access",
			wantSub:   "merchant@example.com",
			wantLive:  1,
		},
		{
			name:      "password without offline_access",
			body:      func(*testEnv, *testing.T) fields { return pwFields().with("scope", "create:token post:charges") },
			wantKeys:  base,
			wantScope: "create:token post:charges",
			wantSub:   "merchant@example.com",
		},
		{
			name:      "client-level password grant",
			body:      func(*testEnv, *testing.T) fields { return pwFields().without("username", "password") },
			wantKeys:  withRefresh,
			wantScope: "create:token post:charges offline_access",
			wantSub:   DemoClientID,
			wantLive:  1,
		},
		{
			name: "repeated scopes are granted once",
			body: func(*testEnv, *testing.T) fields {
				return ccFields().with("scope", "create:token post:charges create:token")
			},
			wantKeys:  base,
			wantScope: "create:token post:charges",
			wantSub:   DemoClientID,
		},
		{
			name: "refresh_token without rotation",
			body: func(e *testEnv, t *testing.T) fields {
				return rtFields(e.refreshToken(t, pwFields()))
			},
			wantKeys:  base,
			wantScope: "create:token post:charges offline_access",
			wantSub:   "merchant@example.com",
			wantLive:  1,
		},
		{
			name: "refresh_token narrowing the scope",
			body: func(e *testEnv, t *testing.T) fields {
				return rtFields(e.refreshToken(t, pwFields())).with("scope", "create:token", "username", "merchant@example.com")
			},
			wantKeys:  base,
			wantScope: "create:token",
			wantSub:   "merchant@example.com",
			wantLive:  1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
			cfg := DefaultConfig()
			cfg.Now = func() time.Time { return now }
			e := newEnv(t, cfg)
			body := tc.body(e, t)
			r := e.post(t, pathToken, body)
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			env, keys := r.answer(t)
			if got := slices.Sorted(maps.Keys(keys)); !slices.Equal(got, tc.wantKeys) {
				t.Errorf("keys = %v, want %v", got, tc.wantKeys)
			}
			if env.Action != "authorize" || !env.Success || env.TokenType != "Bearer" || env.Scope != tc.wantScope || env.ExpiresIn != 86400 {
				t.Errorf("answer = %+v", env)
			}
			// expires_in and success are JSON number and boolean, not strings.
			if string(keys["expires_in"]) != "86400" || string(keys["success"]) != "true" {
				t.Errorf("expires_in/success encoded as %s/%s", keys["expires_in"], keys["success"])
			}
			wantStatusBlock(t, env.Authorization, "00", "Access Token creado")
			if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
			}
			if env.RefreshToken != "" {
				if len(env.RefreshToken) > maxFieldLen || !base64URL.MatchString(env.RefreshToken) {
					t.Errorf("refresh token %q is not short opaque base64url", env.RefreshToken)
				}
				if !e.s.RefreshTokenLive(env.RefreshToken) {
					t.Error("returned refresh token is not live")
				}
			}
			if n := e.s.LiveRefreshTokens(); n != tc.wantLive {
				t.Errorf("LiveRefreshTokens = %d, want %d", n, tc.wantLive)
			}
			claims := decodeJWT(t, env.AccessToken)
			want := map[string]any{
				"iss": issuer, "aud": testAudience, "sub": tc.wantSub, "azp": DemoClientID,
				"scope": tc.wantScope, "gty": body["grant_type"],
				"iat": float64(now.Unix()), "exp": float64(now.Unix() + 86400),
			}
			for k, v := range want {
				if claims[k] != v {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
			if jti, _ := claims["jti"].(string); len(jti) != 32 {
				t.Errorf("jti = %v", claims["jti"])
			}
		})
	}
}

func decodeJWT(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("access token %q has %d parts", tok, len(parts))
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
	}
	if header["alg"] != "HS256" || header["typ"] != "JWT" {
		t.Errorf("header = %v", header)
	}
	if sig, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil || len(sig) != 32 {
		t.Errorf("signature: %d bytes, %v", len(sig), err)
	}
	return claims
}

func TestAccessTokensAreUnique(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	seen := map[string]bool{}
	for range 20 {
		env, _ := e.post(t, pathToken, ccFields()).answer(t)
		if seen[env.AccessToken] {
			t.Fatal("access token repeated")
		}
		seen[env.AccessToken] = true
	}
}

func TestExpiresInFollowsTTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl  time.Duration
		want int64
	}{
		{0, 86400},
		{90 * time.Minute, 5400},
		{8600 * time.Second, 8600},
		{1500 * time.Millisecond, 2}, // rounded up, never 0
		{time.Millisecond, 1},
	}
	for _, tc := range tests {
		t.Run(tc.ttl.String(), func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			cfg.AccessTokenTTL = tc.ttl
			e := newEnv(t, cfg)
			env, _ := e.post(t, pathToken, ccFields()).answer(t)
			if env.ExpiresIn != tc.want {
				t.Errorf("expires_in = %d, want %d", env.ExpiresIn, tc.want)
			}
			claims := decodeJWT(t, env.AccessToken)
			exp, okExp := claims["exp"].(float64)
			iat, okIat := claims["iat"].(float64)
			if !okExp || !okIat || int64(exp-iat) != tc.want {
				t.Errorf("exp-iat = %v (numbers: %v, %v), want %d", exp-iat, okExp, okIat, tc.want)
			}
		})
	}
}
