package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestJournalMasksSecrets(t *testing.T) {
	t.Parallel()
	const (
		secret   = "client-secret-4f1d"
		password = "user-password-9c2e"
		stray    = "stray-secret-7a3b"
	)
	cfg := DefaultConfig()
	cfg.Clients[0].Secret = secret
	cfg.Users[0].Password = password
	e := newEnv(t, cfg)

	pw := pwFields().with("client_secret", secret, "password", password)
	first := mustAnswer(t, e.post(t, pathToken, pw))
	second := mustAnswer(t, e.post(t, pathToken, rtFields(first.RefreshToken).with("client_secret", secret)))
	wantRevoked(t, e.post(t, pathRevoke, revokeFields(first.RefreshToken).with("client_secret", secret)))
	// Secrets in rejected requests, under unexpected names, and in bodies
	// that do not parse must not leak either.
	e.post(t, pathToken, pw.with("api_secret", stray))
	e.post(t, pathToken, pw.with("access_token", stray))
	e.post(t, pathToken, `{"client_secret":"`+stray+`","password":"`+password+`",`)
	e.post(t, pathRevoke, revokeFields(stray).with("client_secret", secret, "scope", "x"))
	e.s.InjectFault(Fault{Kind: FaultDrop})
	_, _ = e.try(t, pathToken, pw)

	resp, err := e.hc.Get(e.url + "/_sandbox/requests")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, s := range []string{secret, password, stray, first.RefreshToken, first.AccessToken, second.AccessToken} {
		if strings.Contains(string(raw), s) {
			t.Errorf("journal JSON contains a secret (%.12s…)", s)
		}
	}
	var entries []Entry
	if err := json.Unmarshal(raw, &entries); err != nil || len(entries) != 8 {
		t.Fatalf("journal: %d entries, %v", len(entries), err)
	}
	for i, en := range entries {
		for _, k := range []string{"client_secret", "password", "refresh_token", "access_token", "api_secret"} {
			if v, ok := en.Fields[k]; ok && v != masked {
				t.Errorf("entry %d: %s = %q", i, k, v)
			}
		}
	}
	if got := entries[0].Fields; got["username"] != "merchant@example.com" || got["client_id"] != DemoClientID || got["scope"] != pw["scope"] || got["password"] != masked {
		t.Errorf("non-secret fields should be kept as sent: %v", got)
	}
	if entries[0].Grant != "password" || entries[1].Grant != "refresh_token" || entries[2].Grant != "" || entries[0].APIVersion != testVersion {
		t.Errorf("grant/version not recorded: %+v", entries[:3])
	}
	if entries[6].Fields["client_secret"] != masked {
		t.Errorf("partial body of a malformed request not journaled masked: %v", entries[6].Fields)
	}
}

func TestJournalIsBounded(t *testing.T) {
	t.Parallel()
	s := New(DefaultConfig())
	const n = maxJournal*2 + 50
	for i := range n {
		s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, fmt.Sprintf("/nowhere/%d", i), nil))
	}
	j := s.Journal()
	if len(j) != maxJournal {
		t.Fatalf("journal holds %d entries, want %d", len(j), maxJournal)
	}
	if last := j[len(j)-1].Endpoint; last != fmt.Sprintf("/nowhere/%d", n-1) {
		t.Errorf("last entry = %s", last)
	}
	if first := j[0].Endpoint; first != fmt.Sprintf("/nowhere/%d", n-maxJournal) {
		t.Errorf("first entry = %s", first)
	}
	if s.Requests("/nowhere/0") != 1 {
		t.Error("counters must outlive trimmed entries")
	}
}

func TestJournalCopiesAndClock(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg := DefaultConfig()
	cfg.Now = func() time.Time { return now }
	e := newEnv(t, cfg)
	e.post(t, pathToken, ccFields())
	j := e.s.Journal()
	if !j[0].Time.Equal(now) || j[0].Status != 200 || j[0].Endpoint != pathToken {
		t.Errorf("entry = %+v", j[0])
	}
	j[0].Fields["client_id"] = "tampered"
	if e.s.Journal()[0].Fields["client_id"] != DemoClientID {
		t.Error("Journal returned the internal map")
	}
}

// journalProbe fails the test if the answer starts before the sandbox has
// journaled the request: a client holding an answer must find its entry
// without polling.
type journalProbe struct {
	*httptest.ResponseRecorder
	t    *testing.T
	s    *Server
	want int
}

func (p *journalProbe) WriteHeader(code int) {
	if got := len(p.s.Journal()); got != p.want {
		p.t.Errorf("answer %d written with %d journal entries", code, got)
	}
	p.ResponseRecorder.WriteHeader(code)
}

func TestJournalRecordedBeforeAnswer(t *testing.T) {
	t.Parallel()
	s := New(DefaultConfig())
	s.InjectFault(Fault{Status: 503})
	s.InjectFault(Fault{Kind: FaultLatency, Latency: time.Millisecond})
	bodies := []string{
		string(rawBody(t, ccFields())), // status fault
		string(rawBody(t, ccFields())), // latency fault
		string(rawBody(t, ccFields())), // normal
		`{`,                            // rejected
	}
	for i, b := range bodies {
		req := httptest.NewRequest(http.MethodPost, pathToken, strings.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(headerAPIVersion, testVersion)
		p := &journalProbe{ResponseRecorder: httptest.NewRecorder(), t: t, s: s, want: i + 1}
		s.ServeHTTP(p, req)
		if p.Code == 0 {
			t.Errorf("request %d: nothing answered", i)
		}
	}
}
