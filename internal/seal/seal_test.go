package seal

import (
	"errors"
	"strings"
	"testing"
)

func mustKey(t testing.TB, passphrase string) *Key {
	t.Helper()
	k, err := NewKey(passphrase)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const (
	token = "rt-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	ctx   = "sha256:0011223344556677"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	a := mustKey(t, "a-sealing-key-of-at-least-32-chars-A")
	b := mustKey(t, "a-sealing-key-of-at-least-32-chars-B")
	sealedA := a.Seal(token, ctx)
	kid, body, _ := split(sealedA)
	flip := func(s string, i int) string {
		r := []byte(s)
		r[i] ^= 1
		return string(r)
	}
	cases := map[string]struct {
		ring    *Ring
		sealed  string
		context string
		stale   bool
		want    error // nil: opens to token
	}{
		"round trip":             {NewRing(a), sealedA, ctx, false, nil},
		"older key opens, stale": {NewRing(b, a), sealedA, ctx, true, nil},
		"wrong key":              {NewRing(b), sealedA, ctx, false, &UnknownKeyError{}},
		"wrong associated data":  {NewRing(a), sealedA, "sha256:ffffffffffffffff", false, ErrTampered},
		"relabelled key id":      {NewRing(a, b), Prefix + "." + b.ID() + "." + b64.EncodeToString(body), ctx, false, ErrTampered},
		"truncated ciphertext":   {NewRing(a), sealedA[:len(sealedA)-4], ctx, false, ErrTampered},
		"truncated to the nonce": {NewRing(a), Prefix + "." + kid + "." + b64.EncodeToString(body[:12]), ctx, false, ErrTampered},
		"altered ciphertext":     {NewRing(a), flip(sealedA, len(sealedA)-10), ctx, false, ErrTampered},
		"unknown prefix":         {NewRing(a), "pmseal9" + strings.TrimPrefix(sealedA, Prefix), ctx, false, ErrMalformed},
		"no prefix":              {NewRing(a), token, ctx, false, ErrMalformed},
		"bad key id":             {NewRing(a), Prefix + ".XYZ." + b64.EncodeToString(body), ctx, false, ErrMalformed},
		"not base64url":          {NewRing(a), Prefix + "." + kid + ".a+b/c=", ctx, false, ErrMalformed},
		"empty":                  {NewRing(a), "", ctx, false, ErrMalformed},
		"prefix and key id only": {NewRing(a), Prefix + "." + kid, ctx, false, ErrMalformed},
		"empty body":             {NewRing(a), Prefix + "." + kid + ".", ctx, false, ErrTampered},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, stale, err := tc.ring.Open(tc.sealed, tc.context)
			var unknown *UnknownKeyError
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("Open: %v", err)
			case tc.want == nil:
				if got != token || stale != tc.stale {
					t.Fatalf("Open gave a different plaintext or stale=%v, want stale=%v", stale, tc.stale)
				}
			case errors.As(tc.want, &unknown):
				if !errors.As(err, &unknown) || unknown.KeyID != a.ID() {
					t.Fatalf("Open: %v, want an unknown-key error naming %s", err, a.ID())
				}
			case !errors.Is(err, tc.want):
				t.Fatalf("Open: %v, want %v", err, tc.want)
			}
			if err != nil && got != "" {
				t.Fatal("Open returned plaintext with an error")
			}
		})
	}
}

func TestSealedValueShape(t *testing.T) {
	t.Parallel()
	k := mustKey(t, "a-sealing-key-of-at-least-32-chars-A")
	s1, s2 := k.Seal(token, ctx), k.Seal(token, ctx)
	if s1 == s2 {
		t.Error("two seals of one token are equal: the nonce is not random")
	}
	if !strings.HasPrefix(s1, Prefix+"."+k.ID()+".") || strings.Contains(s1, token) {
		t.Error("a sealed value lacks its prefix and key id, or shows the token")
	}
	if kid, err := KeyID(s1); err != nil || kid != k.ID() {
		t.Errorf("KeyID = %q, %v; want %q", kid, err, k.ID())
	}
}

func TestKeyDerivation(t *testing.T) {
	t.Parallel()
	c1, _ := FromClientCredentials("client", "secret-1")
	c2, _ := FromClientCredentials("client", "secret-2")
	c3, _ := FromClientCredentials("other", "secret-1")
	c1again, _ := FromClientCredentials("client", "secret-1")
	p, _ := NewKey("secret-1")
	if c1.ID() != c1again.ID() || c1.Digest("x") != c1again.Digest("x") {
		t.Error("the same credentials derive different keys")
	}
	ids := map[string]bool{c1.ID(): true, c2.ID(): true, c3.ID(): true, p.ID(): true}
	if len(ids) != 4 {
		t.Error("different inputs derive the same key id")
	}
	if c1.Digest("pw") == c2.Digest("pw") || c1.Digest("pw") == c1.Digest("pw2") {
		t.Error("the digest ignores the key or the data")
	}
	for _, k := range []*Key{c1, p} {
		if strings.Contains(k.ID(), "secret") || strings.Contains(k.Digest("pw"), "pw") {
			t.Error("a key id or digest shows its input")
		}
	}
	if ring := NewRing(c2, c1); ring.Key(c1.ID()) != c1 || ring.Key(c2.ID()) != c2 || ring.Key("00000000") != nil {
		t.Error("Ring.Key does not find keys by id")
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	// sha256("abc") starts ba7816bf8f01cfea.
	if got := Fingerprint("abc"); got != "sha256:ba7816bf8f01cfea" {
		t.Errorf("Fingerprint(abc) = %s", got)
	}
}

// FuzzOpen feeds arbitrary input to Open: it must never panic, and
// anything it opens must be the one token sealed with this key, under its
// context. (Each fuzz worker seals afresh, so the sealed bytes differ.)
func FuzzOpen(f *testing.F) {
	k := mustKey(f, "a-sealing-key-of-at-least-32-chars-A")
	ring := NewRing(k)
	sealed := k.Seal(token, ctx)
	f.Add(sealed, ctx)
	f.Add(sealed[:len(sealed)-1], ctx)
	f.Add(Prefix+"."+k.ID()+".", "")
	f.Add("pmseal1..", "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, s, context string) {
		got, _, err := ring.Open(s, context)
		if err == nil && (context != ctx || got != token) {
			t.Fatal("Open accepted a value that was never sealed with this context")
		}
	})
}

// FuzzRoundTrip seals arbitrary plaintext under arbitrary context and
// expects it back, and nothing under any other context.
func FuzzRoundTrip(f *testing.F) {
	k := mustKey(f, "a-sealing-key-of-at-least-32-chars-A")
	ring := NewRing(k)
	f.Add(token, ctx)
	f.Add("", "")
	f.Fuzz(func(t *testing.T, plain, context string) {
		s := ring.Seal(plain, context)
		got, stale, err := ring.Open(s, context)
		if err != nil || got != plain || stale {
			t.Fatalf("round trip failed: %v", err)
		}
		if _, _, err := ring.Open(s, context+"x"); !errors.Is(err, ErrTampered) {
			t.Fatalf("opened under another context: %v", err)
		}
	})
}

// BenchmarkSealOpen measures sealing and opening side by side, in one run:
// go test ./internal/seal -run XXX -bench . -benchmem.
func BenchmarkSealOpen(b *testing.B) {
	k := mustKey(b, "a-sealing-key-of-at-least-32-chars-A")
	ring := NewRing(k)
	sealed := ring.Seal(token, ctx)
	b.Run("seal", func(b *testing.B) {
		for b.Loop() {
			_ = ring.Seal(token, ctx)
		}
	})
	b.Run("open", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := ring.Open(sealed, ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("derive key", func(b *testing.B) {
		for b.Loop() {
			_, _ = FromClientCredentials("demo-client", "demo-secret")
		}
	})
}
