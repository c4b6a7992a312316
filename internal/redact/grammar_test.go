package redact

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/payme-community/terraform-provider-payme/internal/hostile"
)

// FuzzGateGrammar holds the gate to its promise on answers built from a
// grammar of echoes (hostile.Echo): whatever texts CleanAll returns, no
// reading of any of them, or of all of them joined, holds a piece of a
// secret. The oracle is the leak scan, written apart from the gate.
func FuzzGateGrammar(f *testing.F) {
	nEnc := byte(len(hostile.Encoders))
	b64, hexLower, hexUpper, basic := nEnc-13, nEnc-8, nEnc-7, nEnc-2
	const secret, password = `cs-Kx7Qw9Zr&<x>"secret"`, "pw-Hn2Vb8Lp-ñandú"
	// Issue 18's cases 8 to 11: [texts-1, fillers..., secret, shape, ...].
	f.Add(secret, password, []byte{1, 0, 0, 0, 3, 0, 0, 1, 2, 0})           // 8: base64 of the request body
	f.Add(secret, password, []byte{0, 0, 0, 0, 1, basic, 0, 0, 0, 0})       // 9: Basic credentials
	f.Add(secret, password, []byte{0, 0, 0, 0, 1, basic + 1, 0, 2, 1, 0})   // 9: Basic, form-encoded
	f.Add(secret, password, []byte{0, 0, 1, 0, 1, b64, 0, 0, 0, 0})         // 10: base64 of the password
	f.Add(secret, password, []byte{2, 0, 0, 0, 0, 0, 1, hexLower, 1, 0})    // 11: hex
	f.Add(secret, password, []byte{2, 0, 0, 0, 0, 0, 1, hexUpper, 0, 1, 0}) // 11: hex, upper case
	f.Add(secret, password, []byte{3, 0, 0, 0, 0, 0, 1, 5, 0, 0})           // 11: 11-byte pieces over the texts
	f.Add(secret, password, []byte{3, 0, 0, 0, 0, 1, 2, 5, 1, 1, b64})      // 11: reversed, each in base64
	f.Add(secret, password, []byte{1, 0, 0, 0, 1, 2, 0, 1, 2, hexLower, 0}) // 11: cut at 6, each in hex
	f.Add("rt-Tq4Mz6Yc-OqLWq5BoSm3ZHbfaY", secret, []byte{0, 0, 0, 0, 2, b64 + 2, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, secret, other string, program []byte) {
		for _, s := range []string{secret, other} {
			if len(s) < pieceLen || len(s) > 64 || !utf8.ValidString(s) || strings.Contains(s, "*") || hostile.HoldsPiece(withheld, s) {
				t.Skip()
			}
		}
		secrets := []string{secret, other}
		texts := hostile.Echo(program, secrets)
		if len(hostile.LeaksInAnswer(texts, secrets)) == 0 {
			t.Skip("the answer echoes no secret a person could read")
		}
		out := New(secrets...).CleanAll(texts...)
		if leaks := hostile.LeaksInAnswer(out, secrets); len(leaks) > 0 {
			t.Fatalf("secret %v survives the gate in an answer of %d texts", leaks, len(texts))
		}
	})
}
