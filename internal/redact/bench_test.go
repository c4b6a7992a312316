package redact

import (
	"strings"
	"testing"
)

// BenchmarkNew is the gate's set-up cost for one Pay-me call: a client
// secret, a password and an access token of a JWT's length. Every call pays
// it, so it shows in the provider's CPU profile (docs/benchmarks.md).
func BenchmarkNew(b *testing.B) {
	access := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 60)
	b.ReportAllocs()
	for b.Loop() {
		New(testClientSecret, testPassword, access)
	}
}

// TestEscapeUnits: the \uXXXX forms, in both cases, including a surrogate
// pair.
func TestEscapeUnits(t *testing.T) {
	t.Parallel()
	s := New("aé𝄞")
	for _, want := range []string{`\u0061\u00e9\ud834\udd1e`, `\u0061\u00E9\uD834\uDD1E`} {
		found := false
		for _, f := range s.Forms() {
			found = found || f == want
		}
		if !found {
			t.Errorf("no form %s among %q", want, s.Forms())
		}
	}
}
