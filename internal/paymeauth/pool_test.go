package paymeauth

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConnectionsReused: a wave of concurrent revocations as wide as
// Terraform runs them (its -parallelism, 10 by default, and more) opens its
// connections once; the next wave reuses every one of them. go-cleanhttp's
// pool keeps only GOMAXPROCS+1 idle connections per host, so on a small
// runner most requests of a wave opened (over TLS: handshook) a new one.
// (Minting calls close their connection on purpose: see attempt.)
func TestConnectionsReused(t *testing.T) {
	t.Parallel()
	const wave = 24
	var opened atomic.Int64
	var inFlight sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Every request of a wave waits for the others, so the wave truly
		// needs wave connections at once.
		inFlight.Done()
		inFlight.Wait()
		writeJSON(w, http.StatusOK, map[string]any{"action": "revoke", "success": true, "revoke": envelope("00", "Token revocado")})
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, nil)
	for round := range 2 {
		inFlight.Add(wave)
		var wg sync.WaitGroup
		for range wave {
			wg.Go(func() {
				if err := c.Revoke(context.Background(), "u", testRefresh); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := opened.Load(); got != wave {
			t.Fatalf("after wave %d, %d connections opened in all, want %d: idle connections were closed instead of kept", round+1, got, wave)
		}
	}
}
