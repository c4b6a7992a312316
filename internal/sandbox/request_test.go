package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequest sends arbitrary bodies to both endpoints. Whatever the body,
// the sandbox answers with Pay-me's envelope for that endpoint, success
// exactly when the status is 200, and only a 200 may issue or revoke a
// refresh token.
func FuzzRequest(f *testing.F) {
	var seeds []string
	for _, fs := range []fields{ccFields(), pwFields(), rtFields("x"), revokeFields("x"), pwFields().without("password")} {
		b, err := json.Marshal(fs)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, string(b))
	}
	seeds = append(seeds, `{"scope":"create:token  x"}`, `{"a":1}`, `[]`, ``, `{"a":"b"} x`)
	for _, seed := range seeds {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	s := New(DefaultConfig())
	f.Fuzz(func(t *testing.T, body string, revoke bool) {
		endpoint := pathToken
		if revoke {
			endpoint = pathRevoke
		}
		liveBefore := s.LiveRefreshTokens()
		r := httptest.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(headerAPIVersion, "1")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)

		var env envelope
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
			t.Fatalf("status %d with a body that is not JSON: %v", w.Code, err)
		}
		if env.Action != actionFor(endpoint) {
			t.Errorf("action %q on %s", env.Action, endpoint)
		}
		if env.Success != (w.Code == http.StatusOK) {
			t.Errorf("success %v with status %d", env.Success, w.Code)
		}
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized:
		default:
			t.Errorf("status %d", w.Code)
		}
		if w.Code != http.StatusOK && s.LiveRefreshTokens() != liveBefore {
			t.Errorf("a refused request (status %d) changed the live tokens", w.Code)
		}
	})
}
