package redact

import (
	"strings"
	"testing"
)

// The gate runs on every text of every answer: these measure a typical
// clean message, a long clean body and an answer of several messages.
func BenchmarkClean(b *testing.B) {
	s := New(testClientSecret, testPassword, testRefresh)
	msg := "Refresh Token inválido o revocado para el comercio 4f1c: intente de nuevo más tarde"
	body := strings.Repeat(`{"action":"authorize","success":false,"code":"01","message":"`+msg+`"},`, 100)
	b.Run("message", func(b *testing.B) {
		for b.Loop() {
			s.Clean(msg)
		}
	})
	b.Run("body 8KiB", func(b *testing.B) {
		for b.Loop() {
			s.Body([]byte(body), 8<<10)
		}
	})
	texts := []string{"01", "es_PE: " + msg, "invalid_request: " + msg + " (2)", "es_PE"}
	b.Run("answer of 4 texts, one by one", func(b *testing.B) {
		for b.Loop() {
			for _, t := range texts {
				s.Clean(t)
			}
		}
	})
	if all, ok := any(s).(interface{ CleanAll(...string) []string }); ok {
		b.Run("answer of 4 texts, as one", func(b *testing.B) {
			for b.Loop() {
				all.CleanAll(texts...)
			}
		})
	}
}

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

// TestAddAgainIsFree: a value added again builds none of its forms twice.
func TestAddAgainIsFree(t *testing.T) {
	// Not parallel: AllocsPerRun counts the process's allocations.
	access := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 60)
	s := New(testClientSecret, access)
	forms := len(s.Forms())
	if n := testing.AllocsPerRun(10, func() { s.Add(access, testClientSecret) }); n != 0 {
		t.Errorf("adding values again allocated %.0f times, want 0", n)
	}
	if len(s.Forms()) != forms {
		t.Errorf("adding values again changed the forms from %d to %d", forms, len(s.Forms()))
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
