package paymeauth

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestWireBodies pins the exact JSON body of every call: field set and
// values, nothing empty, nothing extra.
func TestWireBodies(t *testing.T) {
	t.Parallel()
	base := map[string]any{
		"action":        "authorize",
		"client_id":     testClientID,
		"client_secret": testClientSecret,
		"audience":      testAudience,
	}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name   string
		call   func(*Client) error
		path   string
		golden map[string]any
	}{
		{
			name: "client_credentials",
			call: func(c *Client) error {
				_, err := c.Token(context.Background(), TokenRequest{Grant: GrantClientCredentials, Scopes: []string{"post:charges", "create:token"}})
				return err
			},
			path:   "/token",
			golden: with(map[string]any{"grant_type": "client_credentials", "scope": "post:charges create:token"}),
		},
		{
			name: "password with username and password",
			call: func(c *Client) error {
				_, err := c.Token(context.Background(), TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token", "offline_access"}, Username: "commerce@email.com", Password: testPassword})
				return err
			},
			path: "/token",
			golden: with(map[string]any{
				"grant_type": "password", "scope": "create:token offline_access",
				"username": "commerce@email.com", "password": testPassword,
			}),
		},
		{
			name: "password without username nor password",
			call: func(c *Client) error {
				_, err := c.Token(context.Background(), TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}})
				return err
			},
			path:   "/token",
			golden: with(map[string]any{"grant_type": "password", "scope": "create:token"}),
		},
		{
			name: "refresh_token with username",
			call: func(c *Client) error {
				_, err := c.Token(context.Background(), TokenRequest{Grant: GrantRefreshToken, Scopes: []string{"create:token"}, Username: "commerce@email.com", RefreshToken: testRefresh})
				return err
			},
			path: "/token",
			golden: with(map[string]any{
				"grant_type": "refresh_token", "scope": "create:token",
				"username": "commerce@email.com", "refresh_token": testRefresh,
			}),
		},
		{
			name: "refresh_token without username",
			call: func(c *Client) error {
				_, err := c.Token(context.Background(), TokenRequest{Grant: GrantRefreshToken, Scopes: []string{"create:token"}, RefreshToken: testRefresh})
				return err
			},
			path:   "/token",
			golden: with(map[string]any{"grant_type": "refresh_token", "scope": "create:token", "refresh_token": testRefresh}),
		},
		{
			name: "revoke with username",
			call: func(c *Client) error {
				return c.Revoke(context.Background(), "commerce@email.com", testRefresh)
			},
			path: "/revoke",
			golden: map[string]any{
				"action": "revoke", "client_id": testClientID, "client_secret": testClientSecret,
				"audience": testAudience, "refresh_token": testRefresh, "username": "commerce@email.com",
			},
		},
		{
			name: "revoke without username",
			call: func(c *Client) error {
				return c.Revoke(context.Background(), "", testRefresh)
			},
			path: "/revoke",
			golden: map[string]any{
				"action": "revoke", "client_id": testClientID, "client_secret": testClientSecret,
				"audience": testAudience, "refresh_token": testRefresh,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64, body map[string]any) {
				if r.URL.Path == "/revoke" {
					writeJSON(w, http.StatusOK, map[string]any{"action": "revoke", "success": true, "revoke": envelope("00", "Refresh Token eliminado")})
					return
				}
				rt := "" // a refresh token only where one is asked for: any other is revoked
				if s, _ := body["scope"].(string); strings.Contains(s, "offline_access") || body["grant_type"] == "refresh_token" {
					rt = testRefreshNew
				}
				writeJSON(w, http.StatusOK, tokenOK(testAccess, rt, "create:token offline_access", 86400))
			})
			c := newTestClient(t, f.srv.URL, nil)
			if err := tt.call(c); err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.requests()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			got := reqs[0]
			if got.path != tt.path {
				t.Errorf("path = %q, want %q", got.path, tt.path)
			}
			if !reflect.DeepEqual(got.body, tt.golden) {
				t.Errorf("body mismatch\n got: %v\nwant: %v\n raw: %s", got.body, tt.golden, got.raw)
			}
			wantHeaders := map[string]string{
				"Content-Type":    "application/json",
				"Accept":          "application/json",
				"User-Agent":      testUserAgent,
				"ALG-API-VERSION": testAPIVersion,
			}
			for k, v := range wantHeaders {
				if g := got.header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
		})
	}
}

func TestWireHeaderOptional(t *testing.T) {
	t.Parallel()
	f := newFake(t, okHandler(3600))
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.APIVersion = ""; cfg.UserAgent = "" })
	if _, err := c.Token(context.Background(), ccReq); err != nil {
		t.Fatal(err)
	}
	h := f.requests()[0].header
	if v, ok := h["Alg-Api-Version"]; ok {
		t.Errorf("ALG-API-VERSION sent although not configured: %q", v)
	}
	if ua := h.Get("User-Agent"); ua != defaultUserAgent {
		t.Errorf("User-Agent = %q, want default %q", ua, defaultUserAgent)
	}
}

func TestBaseURLPathAndSlash(t *testing.T) {
	t.Parallel()
	f := newFake(t, okHandler(3600))
	c := newTestClient(t, f.srv.URL+"/auth/", nil)
	if _, err := c.Token(context.Background(), ccReq); err != nil {
		t.Fatal(err)
	}
	if p := f.requests()[0].path; p != "/auth/token" {
		t.Errorf("path = %q, want /auth/token", p)
	}
}

// TestValidation: requests the server must never see are refused locally.
func TestValidation(t *testing.T) {
	t.Parallel()
	sc := []string{"create:token"}
	tests := []struct {
		name string
		req  TokenRequest
		want string
	}{
		{"empty grant", TokenRequest{Scopes: sc}, "grant is empty"},
		{"unknown grant", TokenRequest{Grant: "implicit", Scopes: sc}, "unknown grant"},
		{"no scopes", TokenRequest{Grant: GrantClientCredentials}, "scope"},
		{"empty scope", TokenRequest{Grant: GrantClientCredentials, Scopes: []string{"a", ""}}, "empty"},
		{"scope with space", TokenRequest{Grant: GrantClientCredentials, Scopes: []string{"a b"}}, "white space"},
		{"scope with tab", TokenRequest{Grant: GrantClientCredentials, Scopes: []string{"a\tb"}}, "white space"},
		{"refresh grant without token", TokenRequest{Grant: GrantRefreshToken, Scopes: sc}, "requires a refresh token"},
		{"password on refresh grant", TokenRequest{Grant: GrantRefreshToken, Scopes: sc, RefreshToken: testRefresh, Password: testPassword}, "password"},
		{"refresh token on password grant", TokenRequest{Grant: GrantPassword, Scopes: sc, RefreshToken: testRefresh}, "refresh token"},
		{"password on client_credentials", TokenRequest{Grant: GrantClientCredentials, Scopes: sc, Password: testPassword}, "password"},
		{"username on client_credentials", TokenRequest{Grant: GrantClientCredentials, Scopes: sc, Username: "u"}, "username"},
		{"refresh token on client_credentials", TokenRequest{Grant: GrantClientCredentials, Scopes: sc, RefreshToken: testRefresh}, "refresh token"},
	}
	f := newFake(t, okHandler(3600))
	c := newTestClient(t, f.srv.URL, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Token(context.Background(), tt.req)
			assertKind(t, err, ErrBadRequest)
			e := asError(t, err)
			if e.Attempts != 0 || e.HTTPStatus != 0 {
				t.Errorf("Attempts=%d HTTPStatus=%d, want 0/0", e.Attempts, e.HTTPStatus)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			assertNoSecret(t, "error", err.Error())
		})
	}
	t.Run("revoke without refresh token", func(t *testing.T) {
		t.Parallel()
		assertKind(t, c.Revoke(context.Background(), "u", ""), ErrBadRequest)
	})
	t.Cleanup(func() {
		if n := f.hits.Load(); n != 0 {
			t.Errorf("server saw %d requests, want none", n)
		}
	})
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	ok := Config{BaseURL: "https://auth.alignet.io", ClientID: "id", ClientSecret: "s"}
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"empty base", func(c *Config) { c.BaseURL = "" }},
		{"relative base", func(c *Config) { c.BaseURL = "auth.alignet.io" }},
		{"bad scheme", func(c *Config) { c.BaseURL = "ftp://auth.alignet.io" }},
		{"unparsable", func(c *Config) { c.BaseURL = "http://[::1" }},
		{"query", func(c *Config) { c.BaseURL = "https://auth.alignet.io/?x=1" }},
		{"no client id", func(c *Config) { c.ClientID = "" }},
		{"no client secret", func(c *Config) { c.ClientSecret = "" }},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }},
		{"negative retries", func(c *Config) { c.MaxRetries = -1 }},
		{"max below min", func(c *Config) { c.RetryWaitMin = time.Minute; c.RetryWaitMax = time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := ok
			tt.mod(&cfg)
			if _, err := New(cfg); err == nil {
				t.Fatal("New accepted an invalid config")
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Fatalf("New rejected a valid config: %v", err)
	}
}
