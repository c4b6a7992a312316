package paymetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/payme-community/terraform-provider-payme/internal/hostile"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

var (
	_ compare.ValueComparer = fingerprintOf{}
	_ statecheck.StateCheck = noSecretInState{}
	_ knownvalue.Check      = (*Capture)(nil)
)

// FingerprintOf is a compare.ValueComparer for
// statecheck.CompareValuePairs: the first value must be the fingerprint
// (a payme_refresh_token's id) of the second, a token.
var FingerprintOf compare.ValueComparer = fingerprintOf{}

type fingerprintOf struct{}

func (fingerprintOf) CompareValues(values ...any) error {
	if len(values) != 2 {
		return fmt.Errorf("FingerprintOf compares 2 values, got %d", len(values))
	}
	id, ok1 := values[0].(string)
	token, ok2 := values[1].(string)
	if !ok1 || !ok2 || token == "" {
		return fmt.Errorf("FingerprintOf needs two non-empty strings, got %T and %T", values[0], values[1])
	}
	if want := seal.Fingerprint(token); id != want {
		// The fingerprints are safe to show; the token is not.
		return fmt.Errorf("%q is not the fingerprint of the token, which is %q", id, want)
	}
	return nil
}

// NoSecretInState fails when any value in the state (every resource,
// every output, nested at any depth) holds one of the secrets, which are
// asked for when the check runs, in full or as any piece of
// hostile.PieceLen characters, raw or escaped: the one leak scan every test
// of secrets uses reads the state as JSON whose strings are not
// HTML-escaped. A leak is named by its index, never shown.
func NoSecretInState(secrets func() []string) statecheck.StateCheck {
	return noSecretInState{secrets}
}

type noSecretInState struct{ secrets func() []string }

func (c noSecretInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false) // json.Marshal would hide "<", ">" and "&" from a plain search
	if err := enc.Encode(req.State); err != nil {
		resp.Error = err
		return
	}
	var nonEmpty []string
	var index []int
	for i, s := range c.secrets() {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
			index = append(index, i)
		}
	}
	var leaks []string
	for _, j := range hostile.Leaks(raw.String(), nonEmpty) {
		leaks = append(leaks, fmt.Sprint(index[j]))
	}
	if len(leaks) > 0 {
		resp.Error = fmt.Errorf("the state holds secret(s) #%s, in full or in part, which must never reach it", strings.Join(leaks, ", #"))
	}
}

// Capture is a knownvalue.Check that accepts any non-empty string and
// keeps it, or what resolve makes of it: for example a token found by its
// fingerprint while it is still live. Tests read the values afterwards;
// String never shows them.
type Capture struct {
	resolve func(string) (string, error)

	mu     sync.Mutex
	values []string
}

// NewCapture returns a Capture; a nil resolve keeps values as they are.
func NewCapture(resolve func(string) (string, error)) *Capture {
	return &Capture{resolve: resolve}
}

// CheckValue implements knownvalue.Check.
func (c *Capture) CheckValue(v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return fmt.Errorf("expected a non-empty string to capture, got %T", v)
	}
	if c.resolve != nil {
		var err error
		if s, err = c.resolve(s); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.values = append(c.values, s)
	return nil
}

// String implements knownvalue.Check without revealing what was captured.
func (c *Capture) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprintf("capture (%d values so far)", len(c.values))
}

// Values returns every value captured, oldest first.
func (c *Capture) Values() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string{}, c.values...)
}

// Last returns the latest value captured, or "".
func (c *Capture) Last() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.values) == 0 {
		return ""
	}
	return c.values[len(c.values)-1]
}
