package paymeauth

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestCacheHit(t *testing.T) {
	t.Parallel()
	clk := newClock()
	f := newFake(t, okHandler(3600))
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Now = clk.Now })
	first, err := c.Token(context.Background(), ccReq)
	if err != nil {
		t.Fatal(err)
	}
	if first.FromCache {
		t.Error("first token claims to come from the cache")
	}
	if !first.IssuedAt.Equal(clk.Now()) || !first.ExpiresAt.Equal(clk.Now().Add(time.Hour)) || first.ExpiresIn != 3600 {
		t.Errorf("times: issued %v expires %v in %d", first.IssuedAt, first.ExpiresAt, first.ExpiresIn)
	}
	// Same set of scopes in another order, with a duplicate: same key.
	again := ccReq
	again.Scopes = []string{"post:charges", "create:token", "post:charges"}
	second, err := c.Token(context.Background(), again)
	if err != nil {
		t.Fatal(err)
	}
	if !second.FromCache || second.AccessToken != first.AccessToken || !second.ExpiresAt.Equal(first.ExpiresAt) {
		t.Errorf("second = %+v, want the cached first", second)
	}
	if f.hits.Load() != 1 {
		t.Errorf("server hits = %d, want 1", f.hits.Load())
	}
}

// TestCacheMiss: anything that identifies the request changes the key.
func TestCacheMiss(t *testing.T) {
	t.Parallel()
	base := TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}, Username: "ab", Password: "c"}
	tests := []struct {
		name   string
		second TokenRequest
		cfg    func(*Config)
	}{
		{"other scopes", TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token", "post:charges"}, Username: "ab", Password: "c"}, nil},
		{"other grant", TokenRequest{Grant: GrantClientCredentials, Scopes: []string{"create:token"}}, nil},
		{"other username", TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}, Username: "ab2", Password: "c"}, nil},
		{"other password", TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}, Username: "ab", Password: "d"}, nil},
		{"shifted field boundary", TokenRequest{Grant: GrantPassword, Scopes: []string{"create:token"}, Username: "a", Password: "bc"}, nil},
		{"refresh grant", TokenRequest{Grant: GrantRefreshToken, Scopes: []string{"create:token"}, Username: "ab", RefreshToken: "c"}, nil},
		{"other client secret", base, func(cfg *Config) { cfg.ClientSecret = "other-secret" }},
		{"other client id", base, func(cfg *Config) { cfg.ClientID = "other-id" }},
		{"other audience", base, func(cfg *Config) { cfg.Audience = "https://api.alignet.io" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, okHandler(3600))
			c := newTestClient(t, f.srv.URL, nil)
			if _, err := c.Token(context.Background(), base); err != nil {
				t.Fatal(err)
			}
			second := c
			if tt.cfg != nil {
				// A client with another identity must not see the first
				// one's entry even with the same request: compare keys.
				second = newTestClient(t, f.srv.URL, tt.cfg)
				if c.cacheKey(&base) == second.cacheKey(&base) {
					t.Fatal("different client identities share a cache key")
				}
				return
			}
			tok, err := second.Token(context.Background(), tt.second)
			if err != nil {
				t.Fatal(err)
			}
			if tok.FromCache || f.hits.Load() != 2 {
				t.Errorf("FromCache=%v hits=%d, want a miss", tok.FromCache, f.hits.Load())
			}
		})
	}
}

// TestCacheValidityMargins uses an injected clock around the reuse limit
// now + max(MinValidity, SafetyMargin) < ExpiresAt.
func TestCacheValidityMargins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		minValidity time.Duration
		elapsed     time.Duration // since issue; token lives 1h, SafetyMargin 1m
		wantHit     bool
	}{
		{"fresh", 0, 0, true},
		{"just inside safety margin", 0, time.Hour - time.Minute - time.Second, true},
		{"at safety margin", 0, time.Hour - time.Minute, false},
		{"expired", 0, 2 * time.Hour, false},
		{"min validity below margin is ignored", 10 * time.Second, time.Hour - time.Minute - time.Second, true},
		{"inside min validity", 10 * time.Minute, time.Hour - 11*time.Minute, true},
		{"at min validity", 10 * time.Minute, time.Hour - 10*time.Minute, false},
		{"min validity longer than the token", 2 * time.Hour, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			t0 := clk.Now()
			f := newFake(t, okHandler("3600"))
			c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.Now = clk.Now })
			if _, err := c.Token(context.Background(), ccReq); err != nil {
				t.Fatal(err)
			}
			clk.Set(t0.Add(tt.elapsed))
			req := ccReq
			req.MinValidity = tt.minValidity
			tok, err := c.Token(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if tok.FromCache != tt.wantHit {
				t.Errorf("FromCache = %v, want %v", tok.FromCache, tt.wantHit)
			}
			if wantHits := map[bool]int64{true: 1, false: 2}[tt.wantHit]; f.hits.Load() != wantHits {
				t.Errorf("server hits = %d, want %d", f.hits.Load(), wantHits)
			}
		})
	}
}

func TestOfflineAccessNeverCached(t *testing.T) {
	t.Parallel()
	f := newFake(t, okHandler(3600))
	c := newTestClient(t, f.srv.URL, nil)
	a, err := c.Token(context.Background(), offlineReq)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Token(context.Background(), offlineReq)
	if err != nil {
		t.Fatal(err)
	}
	if a.FromCache || b.FromCache || a.RefreshToken == b.RefreshToken || a.RefreshToken == "" {
		t.Errorf("offline_access tokens shared: %+v / %+v", a, b)
	}
	if f.hits.Load() != 2 || c.cache.size() != 0 {
		t.Errorf("hits=%d cache size=%d, want 2/0", f.hits.Load(), c.cache.size())
	}
}

func TestOfflineAccessNotShared(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		time.Sleep(50 * time.Millisecond)
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, nil)
	const n = 8
	var wg sync.WaitGroup
	seen := sync.Map{}
	for range n {
		wg.Go(func() {
			tok, err := c.Token(context.Background(), offlineReq)
			if err != nil {
				t.Error(err)
				return
			}
			if _, dup := seen.LoadOrStore(tok.RefreshToken, true); dup {
				t.Errorf("refresh token %q handed out twice", tok.RefreshToken)
			}
		})
	}
	wg.Wait()
	if f.hits.Load() != n {
		t.Errorf("hits = %d, want %d", f.hits.Load(), n)
	}
}

func TestErrorsNotCached(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		if n == 1 {
			writeJSON(w, 401, tokenFail("Credenciales inválidas"))
			return
		}
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, nil)
	if _, err := c.Token(context.Background(), ccReq); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("first call: %v", err)
	}
	tok, err := c.Token(context.Background(), ccReq)
	if err != nil || tok.FromCache || f.hits.Load() != 2 {
		t.Errorf("second call: tok=%+v err=%v hits=%d", tok, err, f.hits.Load())
	}
}

// TestSingleFlight: 50 concurrent callers, one request.
func TestSingleFlight(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		time.Sleep(100 * time.Millisecond)
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, nil)
	const callers = 50
	start := make(chan struct{})
	tokens := make([]Token, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			tok, err := c.Token(context.Background(), ccReq)
			if err != nil {
				t.Error(err)
			}
			tokens[i] = tok
		})
	}
	close(start)
	wg.Wait()
	if got := f.hits.Load(); got != 1 {
		t.Errorf("server saw %d /token requests, want 1", got)
	}
	for i, tok := range tokens {
		if tok.AccessToken != testAccess+"-1" {
			t.Errorf("caller %d got %q", i, tok.AccessToken)
		}
	}
}

// TestSharedFlightSurvivesALeavingCaller: the first caller giving up must
// not fail the request the others wait for.
func TestSharedFlightSurvivesALeavingCaller(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		close(arrived)
		<-release
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := c.Token(ctx, ccReq)
		firstErr <- err
	}()
	<-arrived
	secondTok := make(chan Token, 1)
	go func() {
		tok, err := c.Token(context.Background(), ccReq)
		if err != nil {
			t.Error(err)
		}
		secondTok <- tok
	}()
	time.Sleep(20 * time.Millisecond) // let the second caller join the flight
	cancel()
	select {
	case err := <-firstErr:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("first caller: %v, want context.Canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("the cancelled caller did not return promptly")
	}
	close(release)
	if tok := <-secondTok; tok.AccessToken != testAccess+"-1" {
		t.Errorf("second caller got %q", tok.AccessToken)
	}
	if f.hits.Load() != 1 {
		t.Errorf("hits = %d, want 1", f.hits.Load())
	}
}

func TestRevokeDropsDerivedTokens(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		if r.URL.Path == "/revoke" {
			writeJSON(w, 200, map[string]any{"action": "revoke", "success": "true", "revoke": envelope("00", "Refresh Token eliminado")})
			return
		}
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, nil)
	ctx := context.Background()
	if _, err := c.Token(ctx, refreshReq); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(ctx, ccReq); err != nil {
		t.Fatal(err)
	}
	if tok, _ := c.Token(ctx, refreshReq); !tok.FromCache {
		t.Fatal("refresh-grant token not cached")
	}
	if err := c.Revoke(ctx, "", testRefresh); err != nil {
		t.Fatal(err)
	}
	if tok, _ := c.Token(ctx, refreshReq); tok.FromCache {
		t.Error("token minted from a revoked refresh token served from the cache")
	}
	if tok, _ := c.Token(ctx, ccReq); !tok.FromCache {
		t.Error("unrelated token dropped by revoke")
	}
}

func TestCacheBounded(t *testing.T) {
	t.Parallel()
	var tc tokenCache
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	put := func(i int, life time.Duration, at time.Time) {
		var k cacheKey
		k[0], k[1], k[2] = byte(i), byte(i>>8), byte(i>>16)
		tc.put(k, Token{AccessToken: "x", ExpiresAt: at.Add(life)}, [32]byte{}, 0, at, time.Minute)
	}
	for i := range 3 * maxCacheEntries {
		put(i, time.Hour+time.Duration(i)*time.Second, now)
	}
	if n := tc.size(); n > maxCacheEntries {
		t.Fatalf("cache holds %d entries, bound is %d", n, maxCacheEntries)
	}
	// Once everything expired, the next insert sweeps it all.
	later := now.Add(48 * time.Hour)
	put(1<<20, time.Hour, later)
	if n := tc.size(); n != 1 {
		t.Errorf("after expiry the cache holds %d entries, want 1", n)
	}
	// A token that cannot outlive the safety margin is not stored at all.
	put(1<<21, 30*time.Second, later)
	if n := tc.size(); n != 1 {
		t.Errorf("a useless token was stored (size %d)", n)
	}
}

func (tc *tokenCache) size() int { tc.mu.RLock(); defer tc.mu.RUnlock(); return len(tc.entries) }
