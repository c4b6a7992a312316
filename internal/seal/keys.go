package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Labels, fixed for the life of the format: changing one changes every key
// and strands every sealed token.
const (
	infoPassphrase  = "terraform-provider-payme sealing key v1"
	infoCredentials = "terraform-provider-payme sealing key from client credentials v1"
	saltCredentials = "terraform-provider-payme sealing key from client credentials v2\x00"
	infoClientTag   = "pmseal1 client id tag"
	infoAEAD        = "pmseal1 aes-256-gcm"
	infoMAC         = "pmseal1 hmac-sha256"
	infoKeyID       = "pmseal1 key id"
)

// Argon2id cost for keys derived from client credentials: the second of
// OWASP's recommended settings (19 MiB, two passes, one lane). A guess at
// a client secret costs an attacker the same; the provider pays it once
// per process and key, and only when it seals or opens.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
)

const (
	credentialMark     = 'c'
	credentialKeyIDLen = 1 + 4 + 8
)

// Key seals and opens values and computes keyed digests. A key derived
// from client credentials is derived on first use, so a process that seals
// and opens nothing pays nothing.
type Key struct {
	// idPrefix is what the identifier starts with, known without deriving:
	// "c" and the client tag for credential keys, "" otherwise.
	idPrefix string
	master   func() []byte
	once     sync.Once

	id   string
	aead cipher.AEAD
	mac  []byte
}

// derivations counts the Argon2id derivations of this process, for tests
// that prove a key is derived lazily and once.
var derivations atomic.Int64

// NewKey derives a key from a dedicated passphrase, with HKDF: the
// passphrase must itself be random (the provider refuses weak ones).
func NewKey(passphrase string) (*Key, error) {
	master := mustHKDF([]byte(passphrase), nil, infoPassphrase)
	return newKey("", func() []byte { return master }), nil
}

// credentialKeys holds one key per set of credentials for the life of the
// process, so that each is derived at most once however many times the
// provider is configured.
var credentialKeys sync.Map // sha256(client ID, secret) -> *Key

// FromClientCredentials returns the key derived from a client ID and secret
// with Argon2id, so that testing guesses of the secret against a sealed
// value costs what the derivation costs. The client ID is the salt; the
// key identifier names the client ID by a short tag and the key by a tag
// of the derived key, never by a cheap function of the secret. The key is
// derived on first use and at most once per process.
func FromClientCredentials(clientID, clientSecret string) *Key {
	h := sha256.New()
	h.Write([]byte(clientID))
	h.Write([]byte{0})
	h.Write([]byte(clientSecret))
	memo := string(h.Sum(nil))
	if k, ok := credentialKeys.Load(memo); ok {
		return k.(*Key) //nolint:forcetypeassert // only *Key is stored
	}
	k := newKey(string(credentialMark)+ClientTag(clientID), func() []byte {
		derivations.Add(1)
		master := argon2.IDKey([]byte(clientSecret), []byte(saltCredentials+clientID), argonTime, argonMemory, argonThreads, 32)
		// The 19 MiB Argon2id worked in are garbage now, but a collection
		// that ran during the derivation saw them live and set the next one
		// at twice that: until then every allocation would take fresh
		// pages, a page fault each. Collecting now lets the process reuse
		// those pages instead (about 8,500 fewer page faults for an apply
		// and destroy of 100 tokens).
		runtime.GC()
		return master
	})
	actual, _ := credentialKeys.LoadOrStore(memo, k)
	return actual.(*Key) //nolint:forcetypeassert // only *Key is stored
}

// LegacyFromClientCredentials is the key versions before Argon2id derived
// from client credentials with HKDF alone. It only opens: tokens it sealed
// are sealed again under the current key.
func LegacyFromClientCredentials(clientID, clientSecret string) *Key {
	master := mustHKDF([]byte(clientSecret), []byte(clientID), infoCredentials)
	return newKey("", func() []byte { return master })
}

// ClientTag is the four hex digits that name a client ID in the identifier
// of a key derived from its credentials. The client ID is not secret; the
// tag only lets a diagnostic say whose credentials a missing key needs.
func ClientTag(clientID string) string {
	return hex.EncodeToString(mustHKDF([]byte(clientID), nil, infoClientTag)[:2])
}

// CredentialKeyClientTag returns the client tag of a key identifier and
// true when the identifier names a key derived from client credentials
// with Argon2id; false for a dedicated key or an earlier version's key.
func CredentialKeyClientTag(kid string) (string, bool) {
	if len(kid) != credentialKeyIDLen || kid[0] != credentialMark || !isHex(kid[1:]) {
		return "", false
	}
	return kid[1:5], true
}

func newKey(idPrefix string, master func() []byte) *Key {
	return &Key{idPrefix: idPrefix, master: master}
}

// init derives the key on first use.
func (k *Key) init() {
	k.once.Do(func() {
		master := k.master()
		k.master = nil
		block, err := aes.NewCipher(mustExpand(master, infoAEAD, 32))
		if err != nil {
			panic("seal: " + err.Error()) // unreachable: the key is 32 bytes
		}
		k.aead, err = cipher.NewGCM(block)
		if err != nil {
			panic("seal: " + err.Error()) // unreachable: AES has a 16-byte block
		}
		k.mac = mustExpand(master, infoMAC, 32)
		k.id = k.idPrefix + hex.EncodeToString(mustExpand(master, infoKeyID, 4))
	})
}

// mayHave reports, without deriving, whether the key could have the id.
func (k *Key) mayHave(id string) bool {
	if k.idPrefix == "" {
		return len(id) == 8
	}
	return len(id) == credentialKeyIDLen && id[:len(k.idPrefix)] == k.idPrefix
}

// ID is the key identifier written into every value it seals.
func (k *Key) ID() string {
	k.init()
	return k.id
}

// Digest is an HMAC-SHA256 of data under the key, in hex.
func (k *Key) Digest(data string) string {
	k.init()
	m := hmac.New(sha256.New, k.mac)
	m.Write([]byte(data))
	return hex.EncodeToString(m.Sum(nil))
}

// The HKDF calls below fail only for output lengths beyond 255 hashes,
// which these constants never ask for.

func mustHKDF(secret, salt []byte, info string) []byte {
	out, err := hkdf.Key(sha256.New, secret, salt, info, 32)
	if err != nil {
		panic("seal: " + err.Error())
	}
	return out
}

func mustExpand(master []byte, info string, n int) []byte {
	out, err := hkdf.Expand(sha256.New, master, info, n)
	if err != nil {
		panic("seal: " + err.Error())
	}
	return out
}
