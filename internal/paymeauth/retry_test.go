package paymeauth

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRetryCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		retries    int
		call       callKind
		wantHits   int64
		want       error
		wantStatus int
	}{
		{"503 exhausts retries", 503, 3, callCC, 4, ErrTemporary, 503},
		{"500 exhausts retries on revoke", 500, 2, callRevoke, 3, ErrTemporary, 500},
		{"502 exhausts retries", 502, 1, callRefresh, 2, ErrTemporary, 502},
		{"504 exhausts retries", 504, 1, callOffline, 2, ErrTemporary, 504},
		{"429 exhausts retries", 429, 2, callPassword, 3, ErrTemporary, 429},
		{"retries disabled", 503, 0, callCC, 1, ErrTemporary, 503},
		{"no retry on 400", 400, 3, callCC, 1, ErrBadRequest, 400},
		{"no retry on 401", 401, 3, callRevoke, 1, ErrUnauthorized, 401},
		{"no retry on 403", 403, 3, callCC, 1, ErrForbidden, 403},
		{"no retry on 404", 404, 3, callCC, 1, ErrBadRequest, 404},
		{"no retry on 501", 501, 3, callCC, 1, ErrBadRequest, 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, n int64, _ map[string]any) {
				writeJSON(w, tt.status, tokenFail("intento "+itoa(n)))
			})
			c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = tt.retries })
			err := doCall(context.Background(), c, tt.call)
			assertKind(t, err, tt.want)
			e := asError(t, err)
			if got := f.hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d, want %d", got, tt.wantHits)
			}
			if int64(e.Attempts) != tt.wantHits || e.HTTPStatus != tt.wantStatus || e.Code != "01" {
				t.Errorf("Attempts=%d HTTPStatus=%d Code=%q", e.Attempts, e.HTTPStatus, e.Code)
			}
			// The messages are those of the last answer.
			if want := "es_PE: intento " + itoa(tt.wantHits); len(e.Messages) != 1 || e.Messages[0] != want {
				t.Errorf("Messages = %q, want [%q]", e.Messages, want)
			}
		})
	}
}

// TestRetryThenSuccess also checks that the body is replayed identically.
func TestRetryThenSuccess(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = 5 })
	tok, err := c.Token(context.Background(), passReq)
	if err != nil {
		t.Fatal(err)
	}
	if f.hits.Load() != 3 || tok.AccessToken != testAccess+"-3" {
		t.Errorf("hits=%d token=%q", f.hits.Load(), tok.AccessToken)
	}
	reqs := f.requests()
	for i := 1; i < len(reqs); i++ {
		if !reflect.DeepEqual(reqs[i].body, reqs[0].body) || reqs[i].body["password"] != testPassword {
			t.Errorf("attempt %d body %v differs from first %v", i+1, reqs[i].body, reqs[0].body)
		}
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, n int64, body map[string]any) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		okHandler(3600)(w, r, n, body)
	})
	c := newTestClient(t, f.srv.URL, func(cfg *Config) {
		cfg.MaxRetries = 1
		cfg.RetryWaitMin = time.Millisecond
		cfg.RetryWaitMax = 3 * time.Second
	})
	start := time.Now()
	if _, err := c.Token(context.Background(), ccReq); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 950*time.Millisecond {
		t.Errorf("retried after %v, want >= ~1s (Retry-After: 1)", d)
	}
}

func TestRetryAfterCapped(t *testing.T) {
	t.Parallel()
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int64, _ map[string]any) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newTestClient(t, f.srv.URL, func(cfg *Config) { cfg.MaxRetries = 2; cfg.RetryWaitMax = 20 * time.Millisecond })
	start := time.Now()
	err := doCall(context.Background(), c, callCC)
	assertKind(t, err, ErrTemporary)
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: Retry-After was not capped at RetryWaitMax", d)
	}
	if f.hits.Load() != 3 {
		t.Errorf("hits = %d, want 3", f.hits.Load())
	}
}

// TestCancelDuringBackoff: the caller's context ending mid-backoff returns
// at once with the context error, shared or not.
func TestCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	for _, k := range []callKind{callCC, callOffline, callRevoke} {
		t.Run(itoa(int64(k)), func(t *testing.T) {
			t.Parallel()
			hit := make(chan struct{}, 10)
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int64, _ map[string]any) {
				w.WriteHeader(http.StatusServiceUnavailable)
				hit <- struct{}{}
			})
			c := newTestClient(t, f.srv.URL, func(cfg *Config) {
				cfg.MaxRetries = 1
				cfg.RetryWaitMin = 3 * time.Second
				cfg.RetryWaitMax = 3 * time.Second
			})
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-hit; time.Sleep(20 * time.Millisecond); cancel() }()
			start := time.Now()
			err := doCall(ctx, c, k)
			if d := time.Since(start); d > time.Second {
				t.Errorf("returned after %v, want promptly", d)
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			for _, kind := range allKinds {
				if errors.Is(err, kind) {
					t.Errorf("cancellation matches %v", kind)
				}
			}
			if !strings.Contains(err.Error(), "context canceled") {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestCancelledBeforeCall(t *testing.T) {
	t.Parallel()
	f := newFake(t, okHandler(3600))
	c := newTestClient(t, f.srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, k := range []callKind{callCC, callOffline, callRevoke} {
		if err := doCall(ctx, c, k); !errors.Is(err, context.Canceled) {
			t.Errorf("call %d: err = %v, want context.Canceled", k, err)
		}
	}
	if f.hits.Load() != 0 {
		t.Errorf("server saw %d requests", f.hits.Load())
	}
}
