package sandbox

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentLifecycles runs many clients issuing, refreshing and
// revoking while faults, out-of-band revocations and readers interleave.
// At the end the sandbox must hold exactly the tokens the clients think
// are live: under -race this also checks the locking.
func TestConcurrentLifecycles(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.RotateRefreshTokens = true
	e := newEnv(t, cfg)
	e.s.InjectFault(Fault{Endpoint: pathToken, Probability: 0.1, Status: 503})
	e.s.InjectFault(Fault{Endpoint: pathRevoke, Probability: 0.1, Kind: FaultTruncated})

	const workers, rounds = 24, 15
	var mu sync.Mutex
	held := map[string]bool{} // tokens the workers still consider live
	var wg sync.WaitGroup
	var served atomic.Int64
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				r, err := e.try(t, pathToken, pwFields())
				if err != nil {
					t.Error(err)
					return
				}
				served.Add(1)
				if r.status != http.StatusOK {
					continue
				}
				env, _ := r.answer(t)
				rt := env.RefreshToken
				if r, err = e.try(t, pathToken, rtFields(rt)); err == nil && r.status == http.StatusOK {
					env, _ := r.answer(t)
					rt = env.RefreshToken // rotated
				}
				served.Add(1)
				switch (w + i) % 3 {
				case 0: // keep it
					mu.Lock()
					held[rt] = true
					mu.Unlock()
				case 1:
					r, err := e.try(t, pathRevoke, revokeFields(rt))
					served.Add(1)
					if err != nil || r.status != http.StatusOK || !validJSON(r.body) {
						// Faulted revoke: nothing was revoked.
						mu.Lock()
						held[rt] = true
						mu.Unlock()
					}
				case 2:
					e.s.RevokeOutOfBand(rt)
				}
				_ = e.s.Journal()
				_ = e.s.stats()
			}
		})
	}
	wg.Wait()
	live := 0
	for rt := range held {
		if !e.s.RefreshTokenLive(rt) {
			t.Errorf("token held by a client is not live")
		}
		live++
	}
	if got := e.s.LiveRefreshTokens(); got != live {
		t.Errorf("sandbox holds %d live refresh tokens, clients hold %d", got, live)
	}
	if total := e.s.Requests(pathToken) + e.s.Requests(pathRevoke); int64(total) != served.Load() {
		t.Errorf("counted %d requests, sent %d", total, served.Load())
	}
}

func validJSON(b []byte) bool {
	var v map[string]any
	return json.Unmarshal(b, &v) == nil
}

// TestConcurrentRotationHasOneWinner checks that one refresh token cannot
// be rotated twice: exactly one concurrent refresh succeeds.
func TestConcurrentRotationHasOneWinner(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.RotateRefreshTokens = true
	e := newEnv(t, cfg)
	rt := e.refreshToken(t, pwFields())
	const n = 16
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			r, err := e.try(t, pathToken, rtFields(rt))
			if err != nil {
				t.Error(err)
				return
			}
			switch r.status {
			case http.StatusOK:
				wins.Add(1)
			case http.StatusBadRequest:
			default:
				t.Errorf("status %d", r.status)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || e.s.LiveRefreshTokens() != 1 || e.s.RefreshTokenLive(rt) {
		t.Errorf("wins = %d, live = %d", wins.Load(), e.s.LiveRefreshTokens())
	}
}

// TestConcurrentRevokeHasOneEffect: many revokes of one token under the
// reject policy; exactly one finds it live.
func TestConcurrentRevokeHasOneEffect(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.RevokeUnknown = RevokeUnknownReject
	e := newEnv(t, cfg)
	rt := e.refreshToken(t, pwFields())
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			r, err := e.try(t, pathRevoke, revokeFields(rt))
			if err == nil && r.status == http.StatusOK {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || e.s.LiveRefreshTokens() != 0 {
		t.Errorf("successful revokes = %d, live = %d", ok.Load(), e.s.LiveRefreshTokens())
	}
}
