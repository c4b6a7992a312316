// Package backoff says how long to wait before trying a call again: what
// the server asked for in Retry-After, or else an exponential step with
// "equal jitter" (half the step fixed, half random: waits grow, concurrent
// clients spread out), never beyond the upper bound.
package backoff

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Wait is the wait before retry number retry (from 0) of a call whose last
// answer had header h (nil when none arrived): Retry-After capped at hi,
// else exponential from lo, within [lo, hi].
func Wait(retry int, lo, hi time.Duration, h http.Header) time.Duration {
	if d, ok := retryAfter(h, time.Now()); ok {
		return min(d, hi)
	}
	step := lo
	for i := 0; i < retry && step < hi; i++ {
		step *= 2
	}
	half := min(step, hi) / 2
	return min(max(half+rand.N(half+1), lo), hi) //nolint:gosec // jitter, not security
}

// retryAfter reads Retry-After as seconds (up to a day) or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Duration(min(max(secs, 0), 86400)) * time.Second, secs >= 0
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
