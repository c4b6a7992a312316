package backoff

import (
	"net/http"
	"testing"
	"time"
)

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"2", 2 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"999999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		resp := &http.Response{Header: http.Header{}}
		if tt.header != "" {
			resp.Header.Set("Retry-After", tt.header)
		}
		got, ok := retryAfter(resp.Header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.header, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	lo, hi := 100*time.Millisecond, time.Second
	for n := range 8 {
		step := min(100*time.Millisecond<<n, time.Second)
		least := max(step/2, 100*time.Millisecond)
		for range 200 {
			d := Wait(n, lo, hi, nil)
			if d < least || d > step {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, least, step)
			}
		}
	}
	resp := &http.Response{Header: http.Header{"Retry-After": {"5"}}}
	if d := Wait(0, lo, hi, resp.Header); d != time.Second {
		t.Errorf("Retry-After 5s with max 1s gave %v, want 1s", d)
	}
	resp.Header.Set("Retry-After", "0")
	if d := Wait(3, lo, hi, resp.Header); d != 0 {
		t.Errorf("Retry-After 0 gave %v", d)
	}
}
