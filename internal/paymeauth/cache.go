package paymeauth

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// cacheKey is a SHA-256 digest, so no secret is ever held in clear as a map
// key (nor shows up in a heap dump of the map).
type cacheKey = [sha256.Size]byte

// maxCacheEntries bounds the map whatever the callers do (a stream of
// distinct refresh tokens, say). The process lives minutes, so a full cache
// is simply emptied rather than managed.
const maxCacheEntries = 1024

type cacheEntry struct {
	tok     Token
	refresh [sha256.Size]byte // digest of the refresh token it was minted from (of "" if none)
}

type tokenCache struct {
	mu      sync.RWMutex
	entries map[cacheKey]cacheEntry
	// revokes counts, per refresh-token digest, the revocations seen: a
	// refresh grant reads it before its request and stores its token only
	// if it has not moved, so a grant in flight when its refresh token was
	// revoked cannot put back what dropRefresh removed.
	revokes map[[sha256.Size]byte]uint64
}

// generation is the revocation count of refresh, read before a grant.
func (tc *tokenCache) generation(refresh [sha256.Size]byte) uint64 {
	tc.mu.RLock()
	defer tc.mu.RUnlock()
	return tc.revokes[refresh]
}

// get is the hot path: one read lock, one map lookup, no allocation.
func (tc *tokenCache) get(k *cacheKey, now time.Time, margin time.Duration) (Token, bool) {
	tc.mu.RLock()
	e, ok := tc.entries[*k]
	tc.mu.RUnlock()
	if !ok || !now.Add(margin).Before(e.tok.ExpiresAt) {
		return Token{}, false
	}
	e.tok.FromCache = true
	return e.tok, true
}

// put stores tok unless refresh was revoked since generation gen.
func (tc *tokenCache) put(k cacheKey, tok Token, refresh [sha256.Size]byte, gen uint64, now time.Time, margin time.Duration) {
	if !now.Add(margin).Before(tok.ExpiresAt) {
		return // nobody could ever reuse it
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.revokes[refresh] != gen {
		return
	}
	// Expired entries go on every insert (one per HTTP call, over at most
	// maxCacheEntries); a cache still full is emptied.
	maps.DeleteFunc(tc.entries, func(_ cacheKey, e cacheEntry) bool { return !now.Add(margin).Before(e.tok.ExpiresAt) })
	if tc.entries == nil || len(tc.entries) >= maxCacheEntries {
		tc.entries = make(map[cacheKey]cacheEntry)
	}
	tc.entries[k] = cacheEntry{tok: tok, refresh: refresh}
}

// dropRefresh forgets tokens minted from a refresh token that was just
// revoked, so the cache cannot hand them out afterwards.
func (tc *tokenCache) dropRefresh(refresh [sha256.Size]byte) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.revokes == nil {
		tc.revokes = make(map[[sha256.Size]byte]uint64)
	}
	tc.revokes[refresh]++ // one entry per revoked token: a handful per process
	maps.DeleteFunc(tc.entries, func(_ cacheKey, e cacheEntry) bool { return e.refresh == refresh })
}

// cacheKey digests everything that makes two requests interchangeable: the
// client identity (itself a digest of BaseURL, Audience, ClientID and
// ClientSecret), the grant, username, password, refresh token and the scope
// set. Every field is length-prefixed. The buffer lives on the stack for
// usual sizes, keeping the hit path allocation-free.
func (c *Client) cacheKey(r *TokenRequest) cacheKey {
	var stack [512]byte
	b := append(stack[:0], c.identity[:]...)
	for _, f := range []string{string(r.Grant), r.Username, r.Password, r.RefreshToken} {
		b = appendField(b, f)
	}
	scopes := r.Scopes
	if !slices.IsSortedFunc(scopes, func(a, b string) int { return cmp.Or(strings.Compare(a, b), -1) }) {
		scopes = slices.Clone(scopes)
		slices.Sort(scopes)
		scopes = slices.Compact(scopes)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(scopes))) //nolint:gosec // a scope count fits
	for _, s := range scopes {
		b = appendField(b, s)
	}
	k := sha256.Sum256(b)
	clear(b)
	return k
}
