package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func (e *testEnv) control(t *testing.T, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func TestControlEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	rt := e.refreshToken(t, pwFields())
	e.post(t, pathToken, ccFields().with("client_secret", "nope"))
	wantRevoked(t, e.post(t, pathRevoke, revokeFields("unknown")))

	code, _, body := e.control(t, http.MethodGet, "/_sandbox/stats", "")
	var st stats
	if err := json.Unmarshal(body, &st); code != 200 || err != nil {
		t.Fatalf("stats: %d %v %s", code, err, body)
	}
	if st.Requests[pathToken] != 2 || st.Requests[pathRevoke] != 1 || st.Statuses[pathToken]["200"] != 1 ||
		st.Statuses[pathToken]["401"] != 1 || st.Statuses[pathRevoke]["200"] != 1 || st.LiveRefreshTokens != 1 || st.PendingFaults != 0 {
		t.Errorf("stats = %+v", st)
	}

	code, _, body = e.control(t, http.MethodGet, "/_sandbox/requests", "")
	var entries []Entry
	if err := json.Unmarshal(body, &entries); code != 200 || err != nil || len(entries) != 3 {
		t.Fatalf("requests: %d %v %d entries", code, err, len(entries))
	}
	if entries[1].Status != 401 || entries[2].Endpoint != pathRevoke {
		t.Errorf("entries = %+v", entries)
	}

	code, _, body = e.control(t, http.MethodPost, "/_sandbox/faults", `{"endpoint":"/token","count":2,"status":503,"retry_after":"3s"}`)
	if code != http.StatusCreated || !strings.Contains(string(body), `"retry_after": "3s"`) {
		t.Fatalf("post fault: %d %s", code, body)
	}
	r := e.post(t, pathToken, ccFields())
	if r.status != 503 || r.header.Get("Retry-After") != "3" {
		t.Errorf("injected fault not applied: %d %q", r.status, r.header.Get("Retry-After"))
	}
	code, _, body = e.control(t, http.MethodGet, "/_sandbox/faults", "")
	var pending []Fault
	if err := json.Unmarshal(body, &pending); code != 200 || err != nil || len(pending) != 1 || pending[0].Count != 1 {
		t.Errorf("pending faults: %d %v %s", code, err, body)
	}
	if code, _, _ = e.control(t, http.MethodDelete, "/_sandbox/faults", ""); code != http.StatusNoContent {
		t.Errorf("delete faults: %d", code)
	}
	mustAnswer(t, e.post(t, pathToken, ccFields()))

	for _, bad := range []string{`{"status":`, `{"stauts":503}`, `{"probability":2}`, `{"kind":"drop","status":500}`, `{"latency":"soon"}`} {
		if code, _, body = e.control(t, http.MethodPost, "/_sandbox/faults", bad); code != 400 || !strings.Contains(string(body), `"error"`) {
			t.Errorf("fault %s: %d %s", bad, code, body)
		}
	}
	if n := len(e.s.pendingFaults()); n != 0 {
		t.Errorf("%d invalid faults queued", n)
	}

	if code, _, _ = e.control(t, http.MethodPost, "/_sandbox/reset", ""); code != http.StatusNoContent {
		t.Errorf("reset: %d", code)
	}
	if e.s.RefreshTokenLive(rt) || len(e.s.Journal()) != 0 || e.s.Requests(pathToken) != 0 {
		t.Error("reset endpoint left state behind")
	}
	// Control requests are not part of the journal.
	if e.s.Requests("/_sandbox/stats") != 0 {
		t.Error("control endpoint journaled")
	}
}

func TestControlRouting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodPost, "/_sandbox/requests", 405, "GET"},
		{http.MethodDelete, "/_sandbox/stats", 405, "GET"},
		{http.MethodPut, "/_sandbox/faults", 405, "GET, POST, DELETE"},
		{http.MethodGet, "/_sandbox/reset", 405, "POST"},
		{http.MethodGet, "/_sandbox/nothing", 404, ""},
		{http.MethodGet, "/_sandbox", 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, DefaultConfig())
			code, h, body := e.control(t, tc.method, tc.path, "")
			if code != tc.status || h.Get("Allow") != tc.allow || !json.Valid(body) {
				t.Errorf("%d Allow=%q %s", code, h.Get("Allow"), body)
			}
		})
	}
}

func TestUnknownPathIsJournaled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, DefaultConfig())
	r := e.post(t, "/token/token", ccFields())
	if r.status != 404 {
		t.Fatalf("status %d", r.status)
	}
	if e.s.Requests("/token/token") != 1 || e.s.Requests(pathToken) != 0 {
		t.Error("a request to a wrong path must be visible as such")
	}
}
