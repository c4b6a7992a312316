package paymeauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

func benchServer(b *testing.B, expiresIn any) (*httptest.Server, *atomic.Int64) {
	b.Helper()
	var hits atomic.Int64
	body := tokenOK(testAccess, "", "create:token post:charges", expiresIn)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		writeJSON(w, http.StatusOK, body)
	}))
	b.Cleanup(srv.Close)
	return srv, &hits
}

// BenchmarkTokenCacheHit is the path every resource operation takes once a
// token is cached: it must stay far below a microsecond, allocation-free.
func BenchmarkTokenCacheHit(b *testing.B) {
	srv, _ := benchServer(b, 86400)
	c := newTestClient(b, srv.URL, nil)
	ctx := context.Background()
	if _, err := c.Token(ctx, ccReq); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		tok, err := c.Token(ctx, ccReq)
		if err != nil || !tok.FromCache {
			b.Fatal("cache miss", err)
		}
	}
}

// BenchmarkTokenCacheMiss measures a full round trip to the in-process
// Pay-me sandbox: its tokens live less than the safety margin, so nothing is
// ever reused.
func BenchmarkTokenCacheMiss(b *testing.B) {
	sb := sandbox.New(sandbox.Config{
		Clients:        []sandbox.Client{{ID: testClientID, Secret: testClientSecret, Scopes: ccReq.Scopes}},
		AccessTokenTTL: time.Second,
	})
	srv := httptest.NewServer(sb)
	b.Cleanup(srv.Close)
	c := newTestClient(b, srv.URL, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		tok, err := c.Token(ctx, ccReq)
		if err != nil || tok.FromCache {
			b.Fatal("unexpected cache hit", err)
		}
	}
	b.ReportMetric(float64(sb.Requests("/token"))/float64(b.N), "requests/op")
}

// BenchmarkTokenConcurrent64: 64 goroutines asking a cold client for the same
// token at once; one HTTP request must serve them all (requests/op == 1).
func BenchmarkTokenConcurrent64(b *testing.B) {
	srv, hits := benchServer(b, 86400)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c := newTestClient(b, srv.URL, nil)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				<-start
				if _, err := c.Token(ctx, ccReq); err != nil {
					b.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
	}
	b.ReportMetric(float64(hits.Load())/float64(b.N), "requests/op")
}
