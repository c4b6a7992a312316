package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault describes trouble to inject on the next matching requests. Faults
// are consulted in order of injection; the first one that matches (and,
// when probabilistic, fires) hits the request. A faulted request issues and
// revokes nothing, except with FaultLatency, which answers normally after
// the delay, and FaultNoRefresh, which answers normally but issues no
// refresh token and retires none.
type Fault struct {
	Endpoint string `json:"endpoint"` // "/token", "/revoke" or "" for both
	// Count is how many requests it hits. 0 with Probability > 0 means
	// unlimited; 0 with Probability 0 means one.
	Count int `json:"count"`
	// Probability 0 hits every matching request (until Count runs out); in
	// (0,1] each matching request is hit at random.
	Probability float64 `json:"probability"`
	// Status is the HTTP status for FaultStatus (default 500), FaultNotJSON
	// (default 502) and FaultSuccessFalse (default 200); other kinds refuse
	// it.
	Status int `json:"status"`
	// RetryAfter adds a Retry-After header in whole seconds, rounded up.
	// JSON form: "retry_after": "1s".
	RetryAfter time.Duration `json:"-"`
	// Latency delays the answer, giving up if the client does. JSON form:
	// "latency": "50ms".
	Latency time.Duration `json:"-"`
	Kind    FaultKind     `json:"kind"` // "" means FaultStatus
}

// FaultKind selects how a faulted request is answered.
type FaultKind string

const (
	FaultStatus       FaultKind = "status"        // Pay-me error envelope with Status, success false, code "01"
	FaultDrop         FaultKind = "drop"          // connection closed without an answer
	FaultNotJSON      FaultKind = "html"          // an HTML proxy error page with Status (default 502)
	FaultTruncated    FaultKind = "truncated"     // a success body cut in half, status 200
	FaultNoToken      FaultKind = "no_token"      // /token only: 200, success true, no access_token
	FaultNoRefresh    FaultKind = "no_refresh"    // /token only: normal answer, but no refresh token issued
	FaultSuccessFalse FaultKind = "success_false" // 200 (or Status) with success false, code "01"
	FaultLatency      FaultKind = "latency"       // only the Latency, then a normal answer
)

type pendingFault struct {
	f    Fault
	left int // hits left; <0 means unlimited
}

// matches reports whether p applies to endpoint. The /token-only kinds do
// not match /revoke even when Endpoint is "", so they cannot eat a revoke.
func (p *pendingFault) matches(endpoint string) bool {
	if p.f.Endpoint != "" && p.f.Endpoint != endpoint {
		return false
	}
	if endpoint != pathToken && (p.f.Kind == FaultNoToken || p.f.Kind == FaultNoRefresh) {
		return false
	}
	return true
}

// Validate reports a fault that cannot be honoured as described.
func (f Fault) Validate() error {
	var errs []error
	switch f.Endpoint {
	case "", pathToken, pathRevoke:
	default:
		errs = append(errs, fmt.Errorf("endpoint %q is not %q, %q or empty", f.Endpoint, pathToken, pathRevoke))
	}
	if f.Count < 0 {
		errs = append(errs, errors.New("count is negative"))
	}
	if f.Probability < 0 || f.Probability > 1 {
		errs = append(errs, errors.New("probability is outside [0,1]"))
	}
	if f.RetryAfter < 0 || f.Latency < 0 {
		errs = append(errs, errors.New("retry_after and latency must not be negative"))
	}
	switch f.Kind {
	case "", FaultStatus, FaultNotJSON, FaultSuccessFalse:
		if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
			errs = append(errs, fmt.Errorf("status %d is outside 200-599", f.Status))
		}
	case FaultDrop, FaultTruncated, FaultNoToken, FaultNoRefresh, FaultLatency:
		if f.Status != 0 {
			errs = append(errs, fmt.Errorf("status does not apply to kind %q", f.Kind))
		}
		if f.Kind == FaultLatency && f.Latency == 0 {
			errs = append(errs, errors.New("kind \"latency\" needs a latency"))
		}
		if (f.Kind == FaultNoToken || f.Kind == FaultNoRefresh) && f.Endpoint == pathRevoke {
			errs = append(errs, fmt.Errorf("kind %q applies to %s only", f.Kind, pathToken))
		}
	default:
		errs = append(errs, fmt.Errorf("unknown kind %q", f.Kind))
	}
	return errors.Join(errs...)
}

// InjectFault queues f behind the faults already pending. It panics if
// f.Validate fails: faults are written by test code, and a silently
// ignored fault would make a test pass for the wrong reason.
func (s *Server) InjectFault(f Fault) {
	if err := f.Validate(); err != nil {
		panic("sandbox: invalid fault: " + err.Error())
	}
	s.addFault(f)
}

func (s *Server) addFault(f Fault) {
	if f.Kind == "" {
		f.Kind = FaultStatus
	}
	left := f.Count
	switch {
	case left == 0 && f.Probability > 0:
		left = -1
	case left == 0:
		left = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &pendingFault{f: f, left: left})
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) pendingFaults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, 0, len(s.faults))
	for _, p := range s.faults {
		f := p.f
		f.Count = max(p.left, 0)
		out = append(out, f)
	}
	return out
}

// takeFault consumes one hit of the first pending fault that applies.
func (s *Server) takeFault(endpoint string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.faults {
		if !p.matches(endpoint) {
			continue
		}
		if p.f.Probability > 0 && rand.Float64() >= p.f.Probability { //nolint:gosec // fault injection needs no unpredictability
			continue
		}
		if p.left > 0 {
			p.left--
			if p.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return p.f, true
	}
	return Fault{}, false
}

// faultReply answers a fault that replaces the real answer. fields only
// feed cosmetic parts (the echoed scope); nothing is validated or stored.
func faultReply(f Fault, endpoint string, fields map[string]string, ttl time.Duration) reply {
	var rp reply
	switch f.Kind {
	case FaultNotJSON:
		status := orDefault(f.Status, http.StatusBadGateway)
		text := strconv.Itoa(status) + " " + http.StatusText(status)
		rp = reply{
			status:      status,
			contentType: "text/html; charset=utf-8",
			body:        []byte("<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
		}
	case FaultTruncated:
		full := jsonReply(http.StatusOK, statusEnvelope(endpoint, true, msgRefreshRevoked))
		if endpoint == pathToken {
			full = jsonReply(http.StatusOK, fakeSuccess(fields, ttl, true))
		}
		rp = full
		rp.body = full.body[:len(full.body)/2]
	case FaultNoToken:
		rp = jsonReply(http.StatusOK, fakeSuccess(fields, ttl, false))
	case FaultSuccessFalse:
		rp = jsonReply(orDefault(f.Status, http.StatusOK), statusEnvelope(endpoint, false, "Error simulado por el sandbox"))
	default: // FaultStatus
		status := orDefault(f.Status, http.StatusInternalServerError)
		rp = jsonReply(status, statusEnvelope(endpoint, false, fmt.Sprintf("Error simulado por el sandbox (HTTP %d)", status)))
	}
	if f.RetryAfter > 0 {
		rp.header = retryAfter(f.RetryAfter)
	}
	return rp
}

// fakeSuccess is a success envelope for faults. Its tokens are random and
// never stored, which is the point: a client that accepts them holds
// nothing the sandbox knows.
func fakeSuccess(fields map[string]string, ttl time.Duration, withToken bool) envelope {
	e := envelope{
		Action:        actionAuthorize,
		Success:       true,
		Scope:         clip(fields["scope"], maxJournalValue),
		ExpiresIn:     int64((ttl + time.Second - 1) / time.Second),
		TokenType:     "Bearer",
		Authorization: newMeta(codeOK, msgTokenCreated),
	}
	if withToken {
		e.AccessToken = "eyJ" + randomToken()
		if strings.Contains(fields["scope"], scopeOfflineAccess) {
			e.RefreshToken = randomToken()
		}
	}
	return e
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func retryAfter(d time.Duration) http.Header {
	secs := int64((d + time.Second - 1) / time.Second)
	return http.Header{"Retry-After": {strconv.FormatInt(secs, 10)}}
}

// sleepCtx waits d or until ctx ends, reporting whether the full d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the connection without a byte of answer. Where the
// connection cannot be hijacked (HTTP/2, a ResponseRecorder), aborting the
// handler is net/http's way to reset the stream instead.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// faultJSON is the wire form of Fault: durations as Go duration strings.
type faultJSON struct {
	Endpoint    string    `json:"endpoint,omitempty"`
	Count       int       `json:"count,omitempty"`
	Probability float64   `json:"probability,omitempty"`
	Status      int       `json:"status,omitempty"`
	RetryAfter  string    `json:"retry_after,omitempty"`
	Latency     string    `json:"latency,omitempty"`
	Kind        FaultKind `json:"kind,omitempty"`
}

// MarshalJSON writes durations as Go duration strings.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Endpoint: f.Endpoint, Count: f.Count, Probability: f.Probability, Status: f.Status, Kind: f.Kind}
	if f.RetryAfter != 0 {
		j.RetryAfter = f.RetryAfter.String()
	}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads "retry_after" and "latency" as duration strings
// ("1s", "50ms"). Unknown keys are errors.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var j faultJSON
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	out := Fault{Endpoint: j.Endpoint, Count: j.Count, Probability: j.Probability, Status: j.Status, Kind: j.Kind}
	var err error
	if j.RetryAfter != "" {
		if out.RetryAfter, err = time.ParseDuration(j.RetryAfter); err != nil {
			return fmt.Errorf("retry_after: %w", err)
		}
	}
	if j.Latency != "" {
		if out.Latency, err = time.ParseDuration(j.Latency); err != nil {
			return fmt.Errorf("latency: %w", err)
		}
	}
	*f = out
	return nil
}
