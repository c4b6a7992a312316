package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
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
	default:
		controlJSON(w, http.StatusNotFound, controlError{"unknown control endpoint: use /_sandbox/requests, /_sandbox/stats, /_sandbox/faults or /_sandbox/reset (see docs/guides/sandbox.md)"})
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
