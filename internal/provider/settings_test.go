package provider

import (
	"strings"
	"testing"
	"time"
)

func TestCheckAuthURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{ // URL -> substring of the error, "" for valid
		"https://auth.alignet.io":             "",
		"https://auth.alignet.io/":            "",
		"https://proxy.example.com/payme":     "",
		"http://127.0.0.1:8700":               "",
		"http://127.8.9.10":                   "",
		"http://localhost:1234":               "",
		"http://[::1]:8700":                   "",
		"http://auth.alignet.io":              "not loopback",
		"http://10.0.0.1":                     "not loopback",
		"http://localhost.example.com":        "not loopback",
		"ftp://127.0.0.1":                     `scheme "ftp"`,
		"auth.alignet.io":                     "not an absolute URL",
		"":                                    "not an absolute URL",
		"https://u:p@auth.alignet.io":         "credentials",
		"https://auth.alignet.io/?a=b":        "query",
		"https://auth.alignet.io/#frag":       "fragment",
		"https://auth.alignet.io?":            "query",
		"https://auth.alignet.io/?":           "query",
		"https://auth.alignet.io/#":           "fragment",
		"https://auth.alignet.io:99999x/bad":  "not an absolute URL",
		"https://auth.alignet.io/token":       "ends in /token, which the provider appends itself",
		"https://proxy.example.com/p/revoke/": "ends in /revoke",
		"https://proxy.example.com/tokens":    "",
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			err := checkAuthURL(in)
			switch {
			case want == "" && err != nil:
				t.Errorf("checkAuthURL(%q) = %v, want nil", in, err)
			case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
				t.Errorf("checkAuthURL(%q) = %v, want an error containing %q", in, err, want)
			}
		})
	}
}

func TestParseRequestTimeout(t *testing.T) {
	t.Parallel()
	cases := map[string]time.Duration{"30s": 30 * time.Second, "2m": 2 * time.Minute, "10m": 10 * time.Minute, "1ms": time.Millisecond,
		"0s": -1, "-1s": -1, "11m": -1, "soon": -1, "": -1, "30": -1}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := parseRequestTimeout(in)
			if want < 0 {
				if err == nil {
					t.Errorf("parseRequestTimeout(%q) = %s, want an error", in, got)
				}
				return
			}
			if err != nil || got != want {
				t.Errorf("parseRequestTimeout(%q) = %s, %v; want %s", in, got, err, want)
			}
		})
	}
}

func TestParseMaxRetries(t *testing.T) {
	t.Parallel()
	cases := map[string]int64{"0": 0, "4": 4, " 10 ": 10, "11": -1, "-1": -1, "four": -1, "": -1, "1.5": -1}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := parseMaxRetries(in)
			if (want < 0) != (err != nil) || (want >= 0 && got != want) {
				t.Errorf("parseMaxRetries(%q) = %d, %v; want %d", in, got, err, want)
			}
		})
	}
}

func TestCheckCredentialAndAPIVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		check func(string) error
		in    string
		ok    bool
	}{
		{checkCredential, "demo-client", true},
		{checkCredential, strings.Repeat("x", 100), true},
		{checkCredential, strings.Repeat("ñ", 100), true}, // characters, not bytes
		{checkCredential, strings.Repeat("x", 101), false},
		{checkCredential, "", false},
		{checkCredential, "two words", false},
		{checkCredential, "trailing\n", false},
		{checkAPIVersion, "1709847567", true},
		{checkAPIVersion, "", true},
		{checkAPIVersion, "v1", false},
		{checkEnvironment, "preproduction", true},
		{checkEnvironment, "Production", false},
		{checkAudience, "https://api.alignet.io", true},
		{checkAudience, " https://api.alignet.io", false},
	}
	for _, tc := range cases {
		if err := tc.check(tc.in); (err == nil) != tc.ok {
			t.Errorf("check(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

// FuzzSettings feeds arbitrary text to every configuration check: none may
// panic, parsers accept only values in range, and the credential check,
// whose input may be a secret, only ever answers with its fixed texts.
func FuzzSettings(f *testing.F) {
	for _, s := range []string{"https://auth.alignet.io", "http://127.0.0.1:1", "30s", "4", "", "x y", "%zz", "http://[::1", "-0s"} {
		f.Add(s)
	}
	fixed := map[string]bool{}
	for _, s := range []string{"", strings.Repeat("x", maxCredentialLength+1), "a b"} {
		fixed[checkCredential(s).Error()] = true
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, check := range []func(string) error{checkEnvironment, checkAuthURL, checkAudience, checkAPIVersion, checkRequestTimeout} {
			_ = check(s)
		}
		if err := checkSealingKey(s); err == nil && (!variedEnough(s) || len([]rune(s)) < minSealingKeyLength) {
			t.Errorf("checkSealingKey accepted a key that breaks its rules")
		}
		if err := checkCredential(s); err != nil && !fixed[err.Error()] {
			t.Errorf("checkCredential answered with a text that may carry its input: %q", err)
		}
		if d, err := parseRequestTimeout(s); err == nil && (d <= 0 || d > maxRequestTimeout) {
			t.Errorf("parseRequestTimeout(%q) accepted %s", s, d)
		}
		if n, err := parseMaxRetries(s); err == nil && (n < 0 || n > maxRetriesLimit) {
			t.Errorf("parseMaxRetries(%q) accepted %d", s, n)
		}
	})
}
