package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// controlPrefix keeps the sandbox's own endpoints visibly apart from
// Pay-me's API, so nobody mistakes them for part of the wire contract.
const controlPrefix = "/_sandbox/"

// serveControl answers the /_sandbox/ endpoints. They speak plain JSON,
// not Pay-me's envelope, and are not journaled: the journal is about what
// a client did to the auth service.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	route := strings.TrimPrefix(r.URL.Path, controlPrefix)
	var allowed []string
	switch route {
	case "requests":
		allowed = []string{http.MethodGet}
		if r.Method == http.MethodGet {
			controlJSON(w, http.StatusOK, s.Journal())
			return
		}
	case "stats":
		allowed = []string{http.MethodGet}
		if r.Method == http.MethodGet {
			controlJSON(w, http.StatusOK, s.stats())
			return
		}
	case "faults":
		allowed = []string{http.MethodGet, http.MethodPost, http.MethodDelete}
		switch r.Method {
		case http.MethodGet:
			controlJSON(w, http.StatusOK, s.pendingFaults())
			return
		case http.MethodPost:
			s.postFault(w, r)
			return
		case http.MethodDelete:
			s.ClearFaults()
			w.WriteHeader(http.StatusNoContent)
			return
		}
	case "reset":
		allowed = []string{http.MethodPost}
		if r.Method == http.MethodPost {
			s.Reset()
			w.WriteHeader(http.StatusNoContent)
			return
		}
	case "client-secret":
		allowed = []string{http.MethodPost}
		if r.Method == http.MethodPost {
			s.postClientSecret(w, r)
			return
		}
	case "tokens":
		allowed = []string{http.MethodGet}
		if r.Method == http.MethodGet {
			controlJSON(w, http.StatusOK, s.LiveTokens())
			return
		}
	case "revoke":
		allowed = []string{http.MethodPost}
		if r.Method == http.MethodPost {
			s.postRevoke(w, r)
			return
		}
	default:
		controlJSON(w, http.StatusNotFound, controlError{"unknown control endpoint: use /_sandbox/requests, /_sandbox/stats, " +
			"/_sandbox/faults, /_sandbox/reset, /_sandbox/client-secret, /_sandbox/tokens or /_sandbox/revoke (see docs/guides/sandbox.md)"})
		return
	}
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	controlJSON(w, http.StatusMethodNotAllowed, controlError{"method not allowed"})
}

type controlError struct {
	Error string `json:"error"`
}

func (s *Server) postFault(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		controlJSON(w, http.StatusBadRequest, controlError{"unreadable body: " + err.Error()})
		return
	}
	var f Fault
	if err := json.Unmarshal(body, &f); err != nil {
		controlJSON(w, http.StatusBadRequest, controlError{"invalid fault JSON: " + err.Error()})
		return
	}
	if err := f.Validate(); err != nil {
		controlJSON(w, http.StatusBadRequest, controlError{"invalid fault: " + err.Error()})
		return
	}
	s.addFault(f)
	controlJSON(w, http.StatusCreated, s.pendingFaults())
}

// readControl decodes a control request's JSON body into v, refusing
// unknown fields, and answers 400 itself when it cannot.
func readControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		controlJSON(w, http.StatusBadRequest, controlError{"invalid JSON body: " + err.Error()})
		return false
	}
	return true
}

// postClientSecret rotates a client's secret:
// {"client_id": "...", "client_secret": "new", "overlap": "10m"}; overlap
// is how long the old secret stays accepted, "" or "0s" for not at all.
func (s *Server) postClientSecret(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Overlap      string `json:"overlap"`
	}
	if !readControl(w, r, &body) {
		return
	}
	var overlap time.Duration
	if body.Overlap != "" {
		var err error
		if overlap, err = time.ParseDuration(body.Overlap); err != nil {
			controlJSON(w, http.StatusBadRequest, controlError{"overlap: " + err.Error() + " (use a Go duration such as 10m, or 0s)"})
			return
		}
	}
	if err := s.RotateClientSecret(body.ClientID, body.ClientSecret, overlap); err != nil {
		controlJSON(w, http.StatusBadRequest, controlError{err.Error()})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// postRevoke revokes one live refresh token by its fingerprint, the id
// payme_refresh_token shows: {"fingerprint": "sha256:..."}.
func (s *Server) postRevoke(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Fingerprint string `json:"fingerprint"`
	}
	if !readControl(w, r, &body) {
		return
	}
	if !s.RevokeFingerprint(body.Fingerprint) {
		controlJSON(w, http.StatusNotFound, controlError{"no live refresh token has that fingerprint: list them with GET /_sandbox/tokens"})
		return
	}
	controlJSON(w, http.StatusOK, map[string]bool{"revoked": true})
}

func controlJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
