package seal

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
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
	// flip alters one byte of the ciphertext, not of its encoding: a
	// flipped character can leave base64url's alphabet ('-' or '_'), which
	// made the case fail one run in about 30.
	flip := func(i int) string {
		b := slices.Clone(body)
		b[i] ^= 1
		return Prefix + "." + kid + "." + b64.EncodeToString(b)
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
		"altered ciphertext":     {NewRing(a), flip(len(body) - 10), ctx, false, ErrTampered},
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
	c1 := FromClientCredentials("client", "secret-1")
	c2 := FromClientCredentials("client", "secret-2")
	c3 := FromClientCredentials("other", "secret-1")
	c1again := FromClientCredentials("client", "secret-1")
	legacy := LegacyFromClientCredentials("client", "secret-1")
	p, _ := NewKey("secret-1")
	if c1 != c1again {
		t.Error("the same credentials gave two keys: each would be derived again")
	}
	ids := map[string]bool{c1.ID(): true, c2.ID(): true, c3.ID(): true, p.ID(): true, legacy.ID(): true}
	if len(ids) != 5 {
		t.Error("different inputs derive the same key id")
	}
	if c1.Digest("pw") == c2.Digest("pw") || c1.Digest("pw") == c1.Digest("pw2") {
		t.Error("the digest ignores the key or the data")
	}
	for _, k := range []*Key{c1, p, legacy} {
		if strings.Contains(k.ID(), "secret") || strings.Contains(k.Digest("pw"), "pw") {
			t.Error("a key id or digest shows its input")
		}
	}
	for _, k := range []*Key{c1, c2} {
		if tag, ok := CredentialKeyClientTag(k.ID()); !ok || tag != ClientTag("client") {
			t.Errorf("key id %s does not name the client id by its tag %s", k.ID(), ClientTag("client"))
		}
	}
	for _, k := range []*Key{p, legacy} {
		if _, ok := CredentialKeyClientTag(k.ID()); ok || len(k.ID()) != 8 {
			t.Errorf("key id %s of a dedicated or legacy key reads as a credential key", k.ID())
		}
	}
	if ring := NewRing(c2, c1, legacy); ring.Key(c1.ID()) != c1 || ring.Key(c2.ID()) != c2 ||
		ring.Key(legacy.ID()) != legacy || ring.Key("00000000") != nil {
		t.Error("Ring.Key does not find keys by id")
	}
}

// TestCredentialKeyLazy: a credential key costs nothing until it seals,
// opens or names itself, and then is derived once per process, however
// many rings hold it.
func TestCredentialKeyLazy(t *testing.T) {
	// Not parallel: it counts the process's derivations.
	before := derivations.Load()
	k := FromClientCredentials("lazy-client", "lazy-secret")
	ring := NewRing(mustKey(t, "a-sealing-key-of-at-least-32-chars-A"), k)
	sealed := ring.Seal(token, ctx)
	if _, _, err := ring.Open(sealed, ctx); err != nil {
		t.Fatal(err)
	}
	if n := derivations.Load() - before; n != 0 {
		t.Fatalf("%d derivations for a ring whose credential key was never used", n)
	}
	again := NewRing(FromClientCredentials("lazy-client", "lazy-secret"))
	s := again.Seal(token, ctx)
	if _, _, err := ring.Open(s, ctx); err != nil {
		t.Fatal(err)
	}
	if n := derivations.Load() - before; n != 1 {
		t.Fatalf("%d derivations, want exactly 1", n)
	}
}

// TestDerivationMemoryCollected: the memory Argon2id worked in is
// collected as soon as the key is derived, not when the heap has doubled
// past it.
func TestDerivationMemoryCollected(t *testing.T) {
	// Not parallel: it reads the process's heap statistics.
	FromClientCredentials("collected-client", "collected-secret").ID()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.HeapAlloc >= argonMemory*1024 {
		t.Fatalf("the heap holds %d MiB after a derivation: the %d MiB Argon2id worked in were not collected",
			m.HeapAlloc>>20, argonMemory>>10)
	}
}

// TestLegacyKeyOpensAndIsStale: a token sealed by the HKDF-only derivation
// of earlier versions opens with the ring the provider builds today, and
// is reported stale so it gets sealed again under the current key.
func TestLegacyKeyOpensAndIsStale(t *testing.T) {
	t.Parallel()
	legacy := LegacyFromClientCredentials("client", "secret-1")
	sealed := legacy.Seal(token, ctx)
	ring := NewRing(FromClientCredentials("client", "secret-1"), legacy)
	got, stale, err := ring.Open(sealed, ctx)
	if err != nil || got != token || !stale {
		t.Fatalf("Open = stale %v, %v; want the token, stale", stale, err)
	}
}

func TestIsFingerprint(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		Fingerprint("abc"):         true,
		"sha256:0011223344556677":  true,
		"sha256:00112233445566":    false,
		"sha256:00112233445566778": false,
		"sha256:001122334455667G":  false,
		"SHA256:0011223344556677":  false,
		"0011223344556677":         false,
		"not-a-fingerprint":        false,
		"":                         false,
		"sha256:00112233445566AA":  false,
	}
	for s, want := range cases {
		if IsFingerprint(s) != want {
			t.Errorf("IsFingerprint(%q) = %v, want %v", s, !want, want)
		}
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
	f.Add("pmseal1.c0123456789ab.", "")
	f.Add("pmseal1.c0123456789abc.AAAA", ctx)
	f.Add("pmseal1.C0123456789ab.AAAA", ctx)
	f.Add("", "")
	f.Fuzz(func(t *testing.T, s, context string) {
		got, _, err := ring.Open(s, context)
		if err == nil && (context != ctx || got != token) {
			t.Fatal("Open accepted a value that was never sealed with this context")
		}
	})
}

// FuzzKeyID: a key identifier is read only in one of its two shapes, and
// the client tag only from a credential key's.
func FuzzKeyID(f *testing.F) {
	for _, s := range []string{"pmseal1.0123abcd.AAAA", "pmseal1.c0123456789ab.AAAA", "pmseal1.c0123456789a.AAAA",
		"pmseal1.0123ABCD.AAAA", "pmseal1.c012345678 ab.AAAA", "pmseal1..", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kid, err := KeyID(s)
		if err != nil {
			return
		}
		tag, fromCredentials := CredentialKeyClientTag(kid)
		switch {
		case len(kid) == 8 && isHex(kid) && !fromCredentials:
		case fromCredentials && len(kid) == credentialKeyIDLen && kid[0] == 'c' && kid[1:5] == tag && isHex(kid[1:]):
		default:
			t.Fatalf("KeyID accepted %q (credential key %v)", kid, fromCredentials)
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
}

// BenchmarkDeriveFromClientCredentials is the cost a provider process pays
// once, on its first seal or open, for a key derived from client
// credentials (and what each guess at a client secret costs an attacker):
// go test ./internal/seal -run XXX -bench Derive.
func BenchmarkDeriveFromClientCredentials(b *testing.B) {
	b.Run("argon2id", func(b *testing.B) {
		for b.Loop() {
			k := newKey("", func() []byte {
				return argon2.IDKey([]byte("demo-secret"), []byte(saltCredentials+"demo-client"), argonTime, argonMemory, argonThreads, 32)
			})
			_ = k.ID()
		}
	})
	b.Run("legacy hkdf", func(b *testing.B) {
		for b.Loop() {
			_ = LegacyFromClientCredentials("demo-client", "demo-secret").ID()
		}
	})
}
