package sandbox

import (
	"maps"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// maxJournal bounds memory for long demo sessions; counters are kept
	// separately so Requests stays exact after old entries are dropped.
	maxJournal = 10000
	// Entries keep at most this many fields of at most maxJournalValue
	// characters, so a 64 KiB body cannot blow the journal up.
	maxJournalFields = 32
	maxJournalValue  = 200

	masked = "***"
)

// Entry is one request seen on a Pay-me endpoint (or an unknown path).
type Entry struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`   // the HTTP method as received, so a GET shows as GET
	Endpoint string    `json:"endpoint"` // "/token", "/revoke", or the unknown path asked for
	Grant    string    `json:"grant,omitempty"`
	// APIVersion is the ALG-API-VERSION header as received.
	APIVersion string `json:"api_version,omitempty"`
	// Fields are the body fields, with every secret replaced by "***".
	Fields map[string]string `json:"fields,omitempty"`
	// Status is the HTTP status answered; 0 when nothing was answered
	// (connection dropped, or the client gave up during injected latency).
	Status int `json:"status"`
	// Fault names the injected fault kind that hit this request, "" if none.
	Fault string `json:"fault,omitempty"`
}

// secretField reports whether a body field must never reach the journal.
// Beyond the four known names it matches by substring, so that a secret
// sent under an unexpected name is masked too.
func secretField(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "secret") || strings.Contains(n, "password") || strings.Contains(n, "token")
}

func maskFields(fields map[string]string) map[string]string {
	if len(fields) == 0 {
		return nil
	}
	out := make(map[string]string, min(len(fields), maxJournalFields))
	for k, v := range fields {
		if len(out) == maxJournalFields {
			break
		}
		if secretField(k) {
			v = masked
		} else {
			v = clip(v, maxJournalValue)
		}
		out[clip(k, maxJournalValue)] = v
	}
	return out
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// record stores e and updates the counters. Callers record before writing
// the answer (see reply).
func (s *Server) record(e Entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[e.Endpoint]++
	byStatus := s.statuses[e.Endpoint]
	if byStatus == nil {
		byStatus = map[int]int{}
		s.statuses[e.Endpoint] = byStatus
	}
	byStatus[e.Status]++
	s.journal = append(s.journal, e)
	// Trim in batches so appends stay amortised O(1).
	if len(s.journal) >= 2*maxJournal {
		s.journal = append([]Entry(nil), s.journal[len(s.journal)-maxJournal:]...)
	}
}

// Journal returns a copy of the most recent entries (at most 10000), oldest
// first.
func (s *Server) Journal() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.journal
	if len(j) > maxJournal {
		j = j[len(j)-maxJournal:]
	}
	out := make([]Entry, len(j))
	for i, e := range j {
		e.Fields = maps.Clone(e.Fields)
		out[i] = e
	}
	return out
}

// Requests counts every request to endpoint since New or Reset, including
// rejected and faulted ones.
func (s *Server) Requests(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[endpoint]
}

// stats is the body of GET /_sandbox/stats.
type stats struct {
	Requests          map[string]int            `json:"requests"`
	Statuses          map[string]map[string]int `json:"statuses"`
	LiveRefreshTokens int                       `json:"live_refresh_tokens"`
	PendingFaults     int                       `json:"pending_faults"`
}

func (s *Server) stats() stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := stats{
		Requests:          maps.Clone(s.requests),
		Statuses:          map[string]map[string]int{},
		LiveRefreshTokens: len(s.refresh),
		PendingFaults:     len(s.faults),
	}
	if st.Requests == nil {
		st.Requests = map[string]int{}
	}
	for ep, m := range s.statuses {
		sm := map[string]int{}
		for code, n := range m {
			sm[strconv.Itoa(code)] = n
		}
		st.Statuses[ep] = sm
	}
	return st
}
