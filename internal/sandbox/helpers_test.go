package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const (
	testAudience = "https://api.dev.alignet.io"
	testVersion  = "1709847567"
)

// testEnv is a sandbox mounted on a real loopback server, so that drops,
// latency and headers behave as they would for the provider.
type testEnv struct {
	s   *Server
	url string
	hc  *http.Client
}

func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	s := New(cfg)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &testEnv{s: s, url: ts.URL, hc: ts.Client()}
}

// testConfig is the demo set plus a second client with its own user, for
// cross-client checks.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Clients = append(cfg.Clients, Client{ID: "other-client", Secret: "other-secret", Scopes: []string{"create:token", "offline_access"}})
	cfg.Users = append(cfg.Users, User{ClientID: "other-client", Username: "other@example.com", Password: "other-password"})
	return cfg
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// answer decodes the envelope; keys lets tests check exactly which fields
// came back, not just their values.
func (r result) answer(t *testing.T) (envelope, map[string]json.RawMessage) {
	t.Helper()
	var env envelope
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("body is not the envelope: %v\n%s", err, r.body)
	}
	if err := json.Unmarshal(r.body, &keys); err != nil {
		t.Fatalf("body is not an object: %v", err)
	}
	return env, keys
}

type reqOpt func(*http.Request)

func withMethod(m string) reqOpt { return func(r *http.Request) { r.Method = m } }
func withHeader(k, v string) reqOpt {
	return func(r *http.Request) {
		if v == "" {
			r.Header.Del(k)
			return
		}
		r.Header.Set(k, v)
	}
}

// post sends body (a map of fields, a string or []byte as raw body) with the
// documented headers unless opts change them.
func (e *testEnv) post(t *testing.T, path string, body any, opts ...reqOpt) result {
	t.Helper()
	r, err := e.try(t, path, body, opts...)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

func (e *testEnv) try(t *testing.T, path string, body any, opts ...reqOpt) (result, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+path, bytes.NewReader(rawBody(t, body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerAPIVersion, testVersion)
	for _, o := range opts {
		o(req)
	}
	return e.send(req)
}

func (e *testEnv) send(req *http.Request) (result, error) {
	resp, err := e.hc.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, err
	}
	return result{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

func rawBody(t *testing.T, body any) []byte {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	default:
		out, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

type fields map[string]string

func (f fields) with(kv ...string) fields {
	out := maps.Clone(f)
	for i := 0; i < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func (f fields) without(keys ...string) fields {
	out := maps.Clone(f)
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

func ccFields() fields {
	return fields{
		"action": "authorize", "grant_type": "client_credentials",
		"client_id": DemoClientID, "client_secret": DemoClientSecret,
		"audience": testAudience, "scope": "create:token post:charges",
	}
}

func pwFields() fields {
	return fields{
		"action": "authorize", "grant_type": "password",
		"client_id": DemoClientID, "client_secret": DemoClientSecret,
		"audience": testAudience, "scope": "create:token post:charges offline_access",
		"username": "merchant@example.com", "password": DemoPassword,
	}
}

func rtFields(rt string) fields {
	return fields{
		"action": "authorize", "grant_type": "refresh_token",
		"client_id": DemoClientID, "client_secret": DemoClientSecret,
		"audience": testAudience, "scope": "create:token post:charges offline_access",
		"refresh_token": rt,
	}
}

func revokeFields(rt string) fields {
	return fields{
		"action": "revoke", "client_id": DemoClientID, "client_secret": DemoClientSecret,
		"audience": testAudience, "refresh_token": rt,
	}
}

// refreshToken obtains a live refresh token through the password grant.
func (e *testEnv) refreshToken(t *testing.T, f fields) string {
	t.Helper()
	r := e.post(t, pathToken, f)
	env, _ := r.answer(t)
	if r.status != http.StatusOK || env.RefreshToken == "" {
		t.Fatalf("password grant: status %d, body %s", r.status, r.body)
	}
	return env.RefreshToken
}

// wantError checks the documented error envelope: right action, success
// false, code "01", an es_PE message containing msg, under the right key.
func wantError(t *testing.T, r result, endpoint string, status int, msg string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	env, keys := r.answer(t)
	if env.Action != actionFor(endpoint) || env.Success {
		t.Errorf("action/success = %q/%v, want %q/false", env.Action, env.Success, actionFor(endpoint))
	}
	meta := env.Authorization
	wantKeys := []string{"action", "authorization", "success"}
	if endpoint == pathRevoke {
		meta = env.Revoke
		wantKeys = []string{"action", "revoke", "success"}
	}
	if got := slices.Sorted(maps.Keys(keys)); !slices.Equal(got, wantKeys) {
		t.Errorf("keys = %v, want %v", got, wantKeys)
	}
	if meta == nil {
		t.Fatalf("no status block: %s", r.body)
	}
	st := meta.Meta.Status
	if st.Code != codeError || len(st.MessageIlgn) != 1 || st.MessageIlgn[0].Locale != localeES {
		t.Errorf("status block = %+v", st)
	}
	if len(st.MessageIlgn) == 1 && !strings.Contains(st.MessageIlgn[0].Value, msg) {
		t.Errorf("message = %q, want it to contain %q", st.MessageIlgn[0].Value, msg)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
}

func wantStatusBlock(t *testing.T, m *metaBlock, code, msg string) {
	t.Helper()
	if m == nil {
		t.Fatal("status block missing")
	}
	st := m.Meta.Status
	if st.Code != code || len(st.MessageIlgn) != 1 || st.MessageIlgn[0] != (localeText{localeES, msg}) {
		t.Errorf("status block = %+v, want code %q message %q", st, code, msg)
	}
}
