package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestFaultKinds checks each replacing fault on both endpoints: the answer
// looks as described and nothing is issued or revoked.
func TestFaultKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  Fault
		path   string
		status int
		check  func(t *testing.T, r result)
	}{
		{name: "status 503 with Retry-After", fault: Fault{Kind: FaultStatus, Status: 503, RetryAfter: 1500 * time.Millisecond}, path: pathToken, status: 503, check: func(t *testing.T, r result) {
			wantError(t, r, pathToken, 503, "simulado")
			if r.header.Get("Retry-After") != "2" {
				t.Errorf("Retry-After = %q, want 2 (rounded up)", r.header.Get("Retry-After"))
			}
		}},
		{name: "status 429 on revoke", fault: Fault{Endpoint: pathRevoke, Status: 429, RetryAfter: time.Second}, path: pathRevoke, status: 429, check: func(t *testing.T, r result) {
			wantError(t, r, pathRevoke, 429, "simulado")
			if r.header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
			}
		}},
		{name: "default kind and status", fault: Fault{}, path: pathToken, status: 500, check: func(t *testing.T, r result) {
			wantError(t, r, pathToken, 500, "simulado")
			if r.header.Get("Retry-After") != "" {
				t.Error("Retry-After without RetryAfter")
			}
		}},
		{name: "status 401", fault: Fault{Status: 401}, path: pathRevoke, status: 401, check: func(t *testing.T, r result) {
			wantError(t, r, pathRevoke, 401, "simulado")
		}},
		{name: "html default 502", fault: Fault{Kind: FaultNotJSON}, path: pathToken, status: 502, check: func(t *testing.T, r result) {
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || json.Valid(r.body) || !strings.Contains(string(r.body), "502 Bad Gateway") {
				t.Errorf("not an HTML proxy page: %q %s", r.header.Get("Content-Type"), r.body)
			}
		}},
		{name: "html 504 on revoke", fault: Fault{Kind: FaultNotJSON, Status: 504}, path: pathRevoke, status: 504, check: func(t *testing.T, r result) {
			if !strings.Contains(string(r.body), "504 Gateway Timeout") {
				t.Errorf("body %s", r.body)
			}
		}},
		{name: "truncated token", fault: Fault{Kind: FaultTruncated}, path: pathToken, status: 200, check: func(t *testing.T, r result) {
			if json.Valid(r.body) || !strings.HasPrefix(string(r.body), `{"action":"authorize","success":true,"access_token":"`) {
				t.Errorf("not a truncated success body: %s", r.body)
			}
		}},
		{name: "truncated revoke", fault: Fault{Kind: FaultTruncated}, path: pathRevoke, status: 200, check: func(t *testing.T, r result) {
			if json.Valid(r.body) || !strings.HasPrefix(string(r.body), `{"action":"revoke","success":true`) {
				t.Errorf("not a truncated success body: %s", r.body)
			}
		}},
		{name: "no_token", fault: Fault{Kind: FaultNoToken}, path: pathToken, status: 200, check: func(t *testing.T, r result) {
			env, keys := r.answer(t)
			if _, ok := keys["access_token"]; ok || !env.Success {
				t.Errorf("want success without access_token: %s", r.body)
			}
			if _, ok := keys["refresh_token"]; ok {
				t.Error("refresh_token present")
			}
		}},
		{name: "success_false", fault: Fault{Kind: FaultSuccessFalse}, path: pathToken, status: 200, check: func(t *testing.T, r result) {
			wantError(t, r, pathToken, 200, "simulado")
		}},
		{name: "success_false 400 on revoke", fault: Fault{Kind: FaultSuccessFalse, Status: 400}, path: pathRevoke, status: 400, check: func(t *testing.T, r result) {
			wantError(t, r, pathRevoke, 400, "simulado")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, DefaultConfig())
			rt := e.refreshToken(t, pwFields())
			e.s.InjectFault(tc.fault)
			body := pwFields()
			if tc.path == pathRevoke {
				body = revokeFields(rt)
			}
			r := e.post(t, tc.path, body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.body)
			}
			tc.check(t, r)
			if e.s.LiveRefreshTokens() != 1 || !e.s.RefreshTokenLive(rt) {
				t.Errorf("a faulted request changed the refresh tokens (live %d)", e.s.LiveRefreshTokens())
			}
			j := e.s.Journal()
			if last := j[len(j)-1]; last.Fault != string(orKind(tc.fault.Kind)) || last.Status != tc.status {
				t.Errorf("journal entry fault/status = %q/%d", last.Fault, last.Status)
			}
			// A fault with Count 0 and no probability hits once.
			if tc.path == pathRevoke {
				wantRevoked(t, e.post(t, pathRevoke, body))
			} else {
				mustAnswer(t, e.post(t, pathToken, body))
			}
		})
	}
}

func orKind(k FaultKind) FaultKind {
	if k == "" {
		return FaultStatus
	}
	return k
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	for _, path := range []string{pathToken, pathRevoke} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, DefaultConfig())
			rt := e.refreshToken(t, pwFields())
			e.s.InjectFault(Fault{Kind: FaultDrop})
			body := pwFields()
			if path == pathRevoke {
				body = revokeFields(rt)
			}
			if r, err := e.try(t, path, body); err == nil {
				t.Fatalf("dropped request got an answer: %d %s", r.status, r.body)
			}
			if e.s.LiveRefreshTokens() != 1 || !e.s.RefreshTokenLive(rt) {
				t.Error("a dropped request changed the refresh tokens")
			}
			j := e.s.Journal()
			if last := j[len(j)-1]; last.Fault != "drop" || last.Status != 0 || last.Endpoint != path {
				t.Errorf("journal entry = %+v", last)
			}
			if e.s.Requests(path) != map[string]int{pathToken: 2, pathRevoke: 1}[path] {
				t.Errorf("Requests(%s) = %d", path, e.s.Requests(path))
			}
		})
	}
}

func TestFaultNoRefresh(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.RotateRefreshTokens = true
	e := newEnv(t, cfg)
	rt := e.refreshToken(t, pwFields())

	// Endpoint "" must not let a /token-only kind eat a revoke.
	e.s.InjectFault(Fault{Kind: FaultNoRefresh, Count: 3})
	wantRevoked(t, e.post(t, pathRevoke, revokeFields("unrelated")))

	for _, body := range []fields{pwFields(), rtFields(rt)} {
		r := e.post(t, pathToken, body)
		env, keys := r.answer(t)
		if _, ok := keys["refresh_token"]; ok || r.status != 200 || env.AccessToken == "" || env.Scope != body["scope"] {
			t.Errorf("%s: want a normal answer without refresh_token: %s", body["grant_type"], r.body)
		}
	}
	if e.s.LiveRefreshTokens() != 1 || !e.s.RefreshTokenLive(rt) {
		t.Error("no_refresh must neither issue nor rotate")
	}
	// Bad requests still get their normal error while the fault lasts.
	wantError(t, e.post(t, pathToken, pwFields().with("password", "nope")), pathToken, 401, "Usuario")
	// Fault used up: rotation works again.
	if env := mustAnswer(t, e.post(t, pathToken, rtFields(rt))); env.RefreshToken == "" || e.s.RefreshTokenLive(rt) {
		t.Error("rotation did not resume after the fault")
	}
}

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	const delay = 150 * time.Millisecond
	e.s.InjectFault(Fault{Kind: FaultLatency, Latency: delay, RetryAfter: time.Second})
	start := time.Now()
	r := e.post(t, pathToken, pwFields())
	if took := time.Since(start); took < delay {
		t.Errorf("answered after %v, want at least %v", took, delay)
	}
	env := mustAnswer(t, r)
	if !e.s.RefreshTokenLive(env.RefreshToken) {
		t.Error("latency fault must answer normally, token included")
	}
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	if j := e.s.Journal(); j[0].Fault != "latency" || j[0].Status != 200 {
		t.Errorf("journal entry = %+v", j[0])
	}

	// Latency before a replacing fault.
	e.s.InjectFault(Fault{Status: 503, Latency: delay})
	start = time.Now()
	wantError(t, e.post(t, pathToken, pwFields()), pathToken, 503, "simulado")
	if took := time.Since(start); took < delay {
		t.Errorf("answered after %v, want at least %v", took, delay)
	}
}

func TestFaultLatencyHonoursCancellation(t *testing.T) {
	t.Parallel()
	for _, kind := range []FaultKind{FaultLatency, FaultStatus} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, DefaultConfig())
			e.s.InjectFault(Fault{Kind: kind, Latency: time.Minute})
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.url+pathToken, strings.NewReader(string(rawBody(t, pwFields()))))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(headerAPIVersion, testVersion)
			start := time.Now()
			if _, err := e.send(req); err == nil {
				t.Fatal("request outlived its context")
			}
			// The handler notices the client is gone and records the entry
			// long before the minute of latency.
			deadline := time.Now().Add(10 * time.Second)
			for len(e.s.Journal()) == 0 {
				if time.Now().After(deadline) {
					t.Fatal("handler still sleeping after the client left")
				}
				time.Sleep(5 * time.Millisecond)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %v", took)
			}
			if j := e.s.Journal(); j[0].Status != 0 || j[0].Fault != string(kind) {
				t.Errorf("journal entry = %+v", j[0])
			}
			if e.s.LiveRefreshTokens() != 0 {
				t.Error("an abandoned request issued a token")
			}
		})
	}
}

func TestFaultSelection(t *testing.T) {
	t.Parallel()
	status := func(t *testing.T, e *testEnv, path string) int {
		body := ccFields()
		if path == pathRevoke {
			body = revokeFields("x")
		}
		return e.post(t, path, body).status
	}
	t.Run("count then normal", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Endpoint: pathToken, Count: 2, Status: 503})
		got := []int{status(t, e, pathToken), status(t, e, pathToken), status(t, e, pathToken)}
		if got[0] != 503 || got[1] != 503 || got[2] != 200 {
			t.Errorf("statuses = %v", got)
		}
	})
	t.Run("injection order", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Status: 503})
		e.s.InjectFault(Fault{Status: 429})
		if a, b, c := status(t, e, pathToken), status(t, e, pathRevoke), status(t, e, pathToken); a != 503 || b != 429 || c != 200 {
			t.Errorf("statuses = %d %d %d", a, b, c)
		}
	})
	t.Run("endpoint filter", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Endpoint: pathRevoke, Status: 503})
		if a, b := status(t, e, pathToken), status(t, e, pathRevoke); a != 200 || b != 503 {
			t.Errorf("statuses = %d %d", a, b)
		}
	})
	t.Run("probability 1 without count is unlimited", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Probability: 1, Status: 500})
		for i := range 10 {
			if s := status(t, e, pathToken); s != 500 {
				t.Fatalf("request %d: %d", i, s)
			}
		}
		if len(e.s.pendingFaults()) != 1 {
			t.Error("unlimited fault was removed")
		}
	})
	t.Run("probability with count", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Probability: 1, Count: 3, Status: 500})
		hits := 0
		for range 6 {
			if status(t, e, pathToken) == 500 {
				hits++
			}
		}
		if hits != 3 {
			t.Errorf("hits = %d, want 3", hits)
		}
	})
	t.Run("probability one half", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Probability: 0.5, Status: 500})
		hits := 0
		const n = 200
		for range n {
			if status(t, e, pathToken) == 500 {
				hits++
			}
		}
		// Fails by chance with probability far below 1e-9.
		if hits < 40 || hits > 160 {
			t.Errorf("hits = %d of %d", hits, n)
		}
		if e.s.Requests(pathToken) != n {
			t.Errorf("Requests = %d, want %d (faulted requests count)", e.s.Requests(pathToken), n)
		}
	})
	t.Run("applies before validation", func(t *testing.T) {
		t.Parallel()
		// Faults stand for the network in front of Pay-me, which does not
		// read bodies.
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Status: 503})
		if r := e.post(t, pathToken, `not json`, withMethod(http.MethodGet)); r.status != 503 {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("clear", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, DefaultConfig())
		e.s.InjectFault(Fault{Count: 5, Status: 500})
		e.s.ClearFaults()
		if s := status(t, e, pathToken); s != 200 {
			t.Errorf("status %d after ClearFaults", s)
		}
	})
}

func TestInvalidFaultsPanic(t *testing.T) {
	t.Parallel()
	bad := map[string]Fault{
		"unknown endpoint":       {Endpoint: "/nonce"},
		"negative count":         {Count: -1},
		"probability above 1":    {Probability: 1.5},
		"negative probability":   {Probability: -0.1},
		"negative latency":       {Latency: -time.Second},
		"status out of range":    {Status: 700},
		"status 1xx":             {Status: 101},
		"status on drop":         {Kind: FaultDrop, Status: 500},
		"status on truncated":    {Kind: FaultTruncated, Status: 500},
		"latency kind, no delay": {Kind: FaultLatency},
		"no_token on revoke":     {Kind: FaultNoToken, Endpoint: pathRevoke},
		"no_refresh on revoke":   {Kind: FaultNoRefresh, Endpoint: pathRevoke},
		"unknown kind":           {Kind: "explode"},
	}
	for name, f := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := New(DefaultConfig())
			defer func() {
				if recover() == nil {
					t.Error("InjectFault accepted an invalid fault")
				}
				if len(s.pendingFaults()) != 0 {
					t.Error("invalid fault queued")
				}
			}()
			s.InjectFault(f)
		})
	}
}

func TestFaultJSON(t *testing.T) {
	t.Parallel()
	var f Fault
	in := `{"endpoint":"/token","count":2,"probability":0.5,"status":503,"retry_after":"1s","latency":"50ms","kind":"status"}`
	if err := json.Unmarshal([]byte(in), &f); err != nil {
		t.Fatal(err)
	}
	want := Fault{Endpoint: pathToken, Count: 2, Probability: 0.5, Status: 503, RetryAfter: time.Second, Latency: 50 * time.Millisecond, Kind: FaultStatus}
	if f != want {
		t.Errorf("decoded %+v, want %+v", f, want)
	}
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back Fault
	if err := json.Unmarshal(out, &back); err != nil || back != want {
		t.Errorf("round trip: %s -> %+v, %v", out, back, err)
	}
	for _, bad := range []string{`{"latency":"soon"}`, `{"retry_after":5}`, `{"kinds":"drop"}`} {
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}
