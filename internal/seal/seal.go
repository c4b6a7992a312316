// Package seal encrypts a refresh token for the Terraform state and opens it
// again, with no network call. A sealed value reads
//
//	pmseal1.<kid>.<base64url(nonce || AES-256-GCM ciphertext and tag)>
//
// where pmseal1 names the format and kid, eight hex digits derived from the
// key, names the key that sealed it. The associated data binds the prefix,
// the kid and the caller's context (the token's fingerprint), so a sealed
// value moved to another resource, or relabelled with another kid, does not
// open. Keys are derived with HKDF-SHA256; the same key also gives an HMAC
// for keyed digests, such as a password's, that must not be a bare hash.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// Prefix names the format of a sealed value; a new format gets a new one.
const Prefix = "pmseal1"

// HKDF info labels, fixed for the life of the format: changing one changes
// every key and strands every sealed token.
const (
	infoPassphrase  = "terraform-provider-payme sealing key v1"
	infoCredentials = "terraform-provider-payme sealing key from client credentials v1"
	infoAEAD        = "pmseal1 aes-256-gcm"
	infoMAC         = "pmseal1 hmac-sha256"
	infoKeyID       = "pmseal1 key id"
)

var b64 = base64.RawURLEncoding

var (
	// ErrMalformed means the value is not a sealed value of a known format.
	ErrMalformed = errors.New("not a sealed value in a known format")
	// ErrTampered means the key matched but the value or its associated
	// data did not authenticate: it was altered, truncated or moved.
	ErrTampered = errors.New("the sealed value does not authenticate")
)

// UnknownKeyError means no key in the ring has the value's key identifier.
type UnknownKeyError struct{ KeyID string }

func (e *UnknownKeyError) Error() string {
	return "no configured key has the identifier " + e.KeyID
}

// Key seals and opens values and computes keyed digests.
type Key struct {
	id   string
	aead cipher.AEAD
	mac  []byte
}

// NewKey derives a key from a dedicated passphrase.
func NewKey(passphrase string) (*Key, error) {
	return fromSecret([]byte(passphrase), nil, infoPassphrase)
}

// FromClientCredentials derives a key from a client ID and secret. The
// secret is only input to HKDF: nothing derived from it reveals it.
func FromClientCredentials(clientID, clientSecret string) (*Key, error) {
	return fromSecret([]byte(clientSecret), []byte(clientID), infoCredentials)
}

func fromSecret(secret, salt []byte, info string) (*Key, error) {
	master, err := hkdf.Key(sha256.New, secret, salt, info, 32)
	if err != nil {
		return nil, err
	}
	aeadKey, err := hkdf.Expand(sha256.New, master, infoAEAD, 32)
	if err != nil {
		return nil, err
	}
	macKey, err := hkdf.Expand(sha256.New, master, infoMAC, 32)
	if err != nil {
		return nil, err
	}
	kid, err := hkdf.Expand(sha256.New, master, infoKeyID, 4)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(aeadKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{id: hex.EncodeToString(kid), aead: aead, mac: macKey}, nil
}

// ID is the key identifier written into every value it seals.
func (k *Key) ID() string { return k.id }

// Digest is an HMAC-SHA256 of data under the key, in hex.
func (k *Key) Digest(data string) string {
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(data))
	return hex.EncodeToString(m.Sum(nil))
}

func associated(kid, context string) []byte {
	return []byte(Prefix + "." + kid + "." + context)
}

// Seal encrypts plaintext, bound to context.
func (k *Key) Seal(plaintext, context string) string {
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
	if !ok || len(kid) != 8 || strings.Trim(kid, "0123456789abcdef") != "" {
		return "", nil, ErrMalformed
	}
	body, err = b64.DecodeString(enc)
	if err != nil {
		return "", nil, ErrMalformed
	}
	return kid, body, nil
}

// Ring is the sealing key and the older keys that may still open.
type Ring struct {
	current *Key
	older   []*Key
}

// NewRing returns a ring that seals under current and opens with current
// or any of older.
func NewRing(current *Key, older ...*Key) *Ring {
	return &Ring{current: current, older: older}
}

// Current is the key new values are sealed under.
func (r *Ring) Current() *Key { return r.current }

// Key returns the key with the identifier, or nil.
func (r *Ring) Key(id string) *Key {
	for _, k := range append([]*Key{r.current}, r.older...) {
		if k != nil && k.id == id {
			return k
		}
	}
	return nil
}

// Seal seals under the current key.
func (r *Ring) Seal(plaintext, context string) string { return r.current.Seal(plaintext, context) }

// Open opens a sealed value with whichever key it names, and reports
// whether that key is an older one, so the caller can seal it again.
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
	return string(out), k != r.current, nil
}

// Fingerprint identifies a token without revealing it: "sha256:" and the
// first 16 hex digits of its SHA-256 digest. It is the context a token is
// sealed under.
func Fingerprint(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sha256:" + hex.EncodeToString(sum[:8])
}
