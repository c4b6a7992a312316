package provider

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/payme-community/terraform-provider-payme/internal/duration"
)

// environment is one of Pay-me's published deployments.
type environment struct {
	authURL  string
	audience string
}

// environments holds the hosts from Pay-me's documentation. Where the sources
// disagree (pre-production's auth host, the audience's trailing slash) the
// current documentation wins and auth_url/audience let users override it.
var environments = map[string]environment{
	"production":    {authURL: "https://auth.alignet.io", audience: "https://api.alignet.io"},
	"preproduction": {authURL: "https://auth.preprod.alignet.io", audience: "https://api.preprod.alignet.io/"},
	"development":   {authURL: "https://auth.wip.alignet.io", audience: "https://api.dev.alignet.io"},
}

const (
	// audienceEnvironment lends its audience when only auth_url is set.
	audienceEnvironment   = "production"
	defaultAPIVersion     = "1709847567"
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 4

	// maxCredentialLength is Pay-me's documented limit for client_id,
	// client_secret, username, password and refresh_token.
	maxCredentialLength = 100
	maxRetriesLimit     = 10
	maxRequestTimeout   = 10 * time.Minute

	// A sealing key is a passphrase for HKDF: long enough to carry 192 bits
	// as base64 (openssl rand -base64 32 gives 44 characters).
	minSealingKeyLength = 32
	maxSealingKeyLength = 1024
	// A random key of 32 characters or more has many more different
	// characters than this (hex about 16, base64 about 28) and no character
	// anywhere near a quarter of it; a typed or patterned one does not.
	minSealingKeyVariety = 12
)

// Each check returns an error whose text completes the sentence "The value
// ...", and never repeats the value it was given: some of them are secrets.

func checkEnvironment(s string) error {
	if _, ok := environments[s]; !ok {
		return errors.New("is not a Pay-me environment: use production, preproduction or development")
	}
	return nil
}

func checkAuthURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return errors.New("is not an absolute URL: use one such as https://auth.alignet.io")
	}
	switch {
	case u.User != nil:
		return errors.New("must not carry credentials: set client_id and client_secret instead")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(s, "#"):
		// A bare "?" or "#" counts: paths appended after it would be lost.
		return errors.New("must not have a query or a fragment: use the auth base URL, such as https://auth.alignet.io")
	case endpointPath(u.Path) != "":
		return fmt.Errorf("ends in %s, which the provider appends itself: use the auth base URL without it, such as "+
			"https://auth.alignet.io", endpointPath(u.Path))
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http":
		return errors.New("uses http:// with a host that is not loopback: use https://, or http:// only with localhost, 127.0.0.0/8 or [::1] (the local Pay-me sandbox)")
	default:
		return fmt.Errorf("uses the scheme %q: use https://", u.Scheme)
	}
}

// endpointPath returns the endpoint a URL path ends in ("/token" or
// "/revoke"), or "". Other paths are kept: a proxy may serve Pay-me under one.
func endpointPath(p string) string {
	p = strings.TrimSuffix(p, "/")
	for _, e := range []string{"/token", "/revoke"} {
		if strings.HasSuffix(p, e) {
			return e
		}
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkAudience(s string) error {
	if strings.TrimSpace(s) == "" || strings.TrimSpace(s) != s {
		return errors.New("must be a non-empty identifier without surrounding white space, such as https://api.alignet.io")
	}
	return nil
}

func checkCredential(s string) error {
	switch {
	case s == "":
		return errors.New("is empty: set the value Pay-me gave you")
	case utf8.RuneCountInString(s) > maxCredentialLength:
		return fmt.Errorf("is longer than %d characters, Pay-me's limit", maxCredentialLength)
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return errors.New("contains white space: check for a stray space or line break")
	}
	return nil
}

// checkAPIVersion accepts "" on purpose: some of Pay-me's own clients omit
// the header, so an empty value is how users turn it off.
func checkAPIVersion(s string) error {
	if strings.Trim(s, "0123456789") != "" {
		return fmt.Errorf("must be digits only, such as %s, or empty to omit the ALG-API-VERSION header", defaultAPIVersion)
	}
	return nil
}

func parseRequestTimeout(s string) (time.Duration, error) {
	d, err := duration.Parse(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 || d > maxRequestTimeout {
		return 0, fmt.Errorf("must be more than 0s and at most %s, such as 30s or 2m", duration.Format(maxRequestTimeout))
	}
	return d, nil
}

func checkRequestTimeout(s string) error {
	_, err := parseRequestTimeout(s)
	return err
}

func checkMaxRetries(n int64) error {
	if n < 0 || n > maxRetriesLimit {
		return fmt.Errorf("must be between 0 (no retries) and %d", maxRetriesLimit)
	}
	return nil
}

func parseMaxRetries(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("is not a whole number: use a number between 0 and %d", maxRetriesLimit)
	}
	return n, checkMaxRetries(n)
}

func checkSealingKey(s string) error {
	switch n := utf8.RuneCountInString(s); {
	case n < minSealingKeyLength:
		return fmt.Errorf("is shorter than %d characters: use a random value, such as the output of openssl rand -base64 32", minSealingKeyLength)
	case n > maxSealingKeyLength:
		return fmt.Errorf("is longer than %d characters", maxSealingKeyLength)
	case strings.IndexFunc(s, unicode.IsSpace) >= 0 || strings.Contains(s, ","):
		return errors.New("contains white space or a comma: use a random value, such as the output of openssl rand -base64 32")
	case !variedEnough(s):
		return fmt.Errorf("has too little variety to be random: a sealing key needs at least %d different characters, "+
			"none making up more than a quarter of it. Use a random value, such as the output of openssl rand -base64 32", minSealingKeyVariety)
	}
	return nil
}

// variedEnough is the rule for a sealing key's entropy: at least
// minSealingKeyVariety different characters, and no character in more
// than a quarter of the positions.
func variedEnough(s string) bool {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	if len(counts) < minSealingKeyVariety {
		return false
	}
	for _, c := range counts {
		if 4*c > n {
			return false
		}
	}
	return true
}
