package paymeauth

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
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
	refresh [sha256.Size]byte // digest of the refresh token it was minted from, if any
}

type tokenCache struct {
	mu      sync.RWMutex
	entries map[cacheKey]cacheEntry
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

func (tc *tokenCache) put(k cacheKey, tok Token, refresh [sha256.Size]byte, now time.Time, margin time.Duration) {
	if !now.Add(margin).Before(tok.ExpiresAt) {
		return // nobody could ever reuse it
	}
	tok.FromCache = false
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.entries == nil {
		tc.entries = make(map[cacheKey]cacheEntry)
	}
	// Expired entries go on every insert: at most maxCacheEntries of them,
	// and inserts happen once per HTTP call.
	limit := now.Add(margin)
	for key, e := range tc.entries {
		if !limit.Before(e.tok.ExpiresAt) {
			delete(tc.entries, key)
		}
	}
	if len(tc.entries) >= maxCacheEntries {
		clear(tc.entries)
	}
	tc.entries[k] = cacheEntry{tok: tok, refresh: refresh}
}

// dropRefresh forgets tokens minted from a refresh token that was just
// revoked, so the cache cannot hand them out afterwards.
func (tc *tokenCache) dropRefresh(refresh [sha256.Size]byte) {
	if refresh == ([sha256.Size]byte{}) {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for key, e := range tc.entries {
		if e.refresh == refresh {
			delete(tc.entries, key)
		}
	}
}

func (tc *tokenCache) size() int {
	tc.mu.RLock()
	defer tc.mu.RUnlock()
	return len(tc.entries)
}

// cacheKey digests everything that makes two requests interchangeable: the
// client identity (itself a digest of BaseURL, Audience, ClientID and
// ClientSecret), the grant, username, password, refresh token and the scope
// set. Every field is length-prefixed. The buffer lives on the stack for
// usual sizes, keeping the hit path allocation-free.
func (c *Client) cacheKey(r *TokenRequest) cacheKey {
	var stack [512]byte
	b := stack[:0]
	b = append(b, c.identity[:]...)
	b = appendField(b, string(r.Grant))
	b = appendField(b, r.Username)
	b = appendField(b, r.Password)
	b = appendField(b, r.RefreshToken)
	scopes := r.Scopes
	if !sortedUnique(scopes) {
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

func sortedUnique(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}
