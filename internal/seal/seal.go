// Package seal encrypts a refresh token for the Terraform state and opens it
// again, with no network call. A sealed value reads
//
//	pmseal1.<kid>.<base64url(nonce || AES-256-GCM ciphertext and tag)>
//
// where pmseal1 names the format and kid names the key that sealed it:
// eight hex digits for a key from a dedicated passphrase (and for the keys
// earlier versions derived from client credentials), or "c", four hex
// digits naming the client ID and eight more naming the key, for a key
// derived from client credentials with Argon2id. The associated data binds
// the prefix, the kid and the caller's context (the token's fingerprint),
// so a sealed value moved to another resource, or relabelled with another
// kid, does not open. The same key also gives an HMAC for keyed digests,
// such as a password's, that must not be a bare hash.
package seal

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// Prefix names the format of a sealed value; a new format gets a new one.
const Prefix = "pmseal1"

var b64 = base64.RawURLEncoding

var (
	// ErrMalformed means the value is not a sealed value of a known format.
	ErrMalformed = errors.New("not a sealed value in a known format")
	// ErrTampered means the key matched but the value or its associated
	// data did not authenticate: it was altered, truncated or moved, or
	// opened with another context than it was sealed with.
	ErrTampered = errors.New("the sealed value does not authenticate")
)

// UnknownKeyError means no key in the ring has the value's key identifier.
type UnknownKeyError struct{ KeyID string }

func (e *UnknownKeyError) Error() string {
	return "no configured key has the identifier " + e.KeyID
}

func associated(kid, context string) []byte {
	return []byte(Prefix + "." + kid + "." + context)
}

// Seal encrypts plaintext, bound to context.
func (k *Key) Seal(plaintext, context string) string {
	k.init()
	nonce := make([]byte, k.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	out := k.aead.Seal(nonce, nonce, []byte(plaintext), associated(k.id, context))
	return Prefix + "." + k.id + "." + b64.EncodeToString(out)
}

// KeyID returns the key identifier of a sealed value.
func KeyID(sealed string) (string, error) {
	kid, _, err := split(sealed)
	return kid, err
}

func split(sealed string) (kid string, body []byte, err error) {
	prefix, rest, ok := strings.Cut(sealed, ".")
	if !ok || prefix != Prefix {
		return "", nil, ErrMalformed
	}
	kid, enc, ok := strings.Cut(rest, ".")
	if !ok || !validKeyID(kid) {
		return "", nil, ErrMalformed
	}
	body, err = b64.DecodeString(enc)
	if err != nil {
		return "", nil, ErrMalformed
	}
	return kid, body, nil
}

func validKeyID(kid string) bool {
	switch {
	case len(kid) == 8:
		return isHex(kid)
	case len(kid) == credentialKeyIDLen && kid[0] == credentialMark:
		return isHex(kid[1:])
	}
	return false
}

func isHex(s string) bool { return s != "" && strings.Trim(s, "0123456789abcdef") == "" }

// Ring is the sealing key and the older keys that may still open.
type Ring struct {
	keys []*Key // keys[0] seals
}

// NewRing returns a ring that seals under current and opens with current
// or any of older.
func NewRing(current *Key, older ...*Key) *Ring {
	return &Ring{keys: append([]*Key{current}, older...)}
}

// Current is the key new values are sealed under.
func (r *Ring) Current() *Key { return r.keys[0] }

// Key returns the key with the identifier, or nil. It derives only the
// keys whose kind could have that identifier.
func (r *Ring) Key(id string) *Key {
	for _, k := range r.keys {
		if k != nil && k.mayHave(id) && k.ID() == id {
			return k
		}
	}
	return nil
}

// Seal seals under the current key.
func (r *Ring) Seal(plaintext, context string) string { return r.Current().Seal(plaintext, context) }

// Open opens a sealed value with whichever key it names, and reports
// whether that key is an older one (stale), so the caller can seal it
// again under the current key.
func (r *Ring) Open(sealed, context string) (plaintext string, stale bool, err error) {
	kid, body, err := split(sealed)
	if err != nil {
		return "", false, err
	}
	k := r.Key(kid)
	if k == nil {
		return "", false, &UnknownKeyError{KeyID: kid}
	}
	ns := k.aead.NonceSize()
	if len(body) < ns+k.aead.Overhead() {
		return "", false, ErrTampered
	}
	out, err := k.aead.Open(nil, body[:ns], body[ns:], associated(kid, context))
	if err != nil {
		return "", false, ErrTampered
	}
	return string(out), k != r.Current(), nil
}

// Fingerprint identifies a token without revealing it: "sha256:" and the
// first 16 hex digits of its SHA-256 digest. It is the context a token is
// sealed under.
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:8])
}

// IsFingerprint reports whether s has the form Fingerprint returns.
func IsFingerprint(s string) bool {
	h, ok := strings.CutPrefix(s, "sha256:")
	return ok && len(h) == 16 && isHex(h)
}
