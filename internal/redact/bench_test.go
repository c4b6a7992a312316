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
