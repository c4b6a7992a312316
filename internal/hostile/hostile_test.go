package hostile

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLeaks(t *testing.T) {
	t.Parallel()
	secret := Credential(40)
	other := Credential(25)
	piece := prefixRunes(secret[len(prefixRunes(secret, 5)):], PieceLen) // 12 characters from the 6th on
	quoted, _ := json.Marshal("body: " + phpJSON(secret))
	cases := map[string]struct {
		text string
		want []int
	}{
		"raw":                {"x" + secret + "y", []int{0}},
		"a piece":            {"message: " + piece + "…", []int{0}},
		"one short of piece": {prefixRunes(piece, PieceLen-1), nil},
		"Go JSON":            {string(quoted[1 : len(quoted)-1]), []int{0}},
		"PHP":                {phpJSON(secret), []int{0}},
		"PHP hex":            {phpHexJSON(secret), []int{0}},
		"unicode escapes":    {unicodeJSON(secret), []int{0}},
		"HTML":               {htmlEscape(secret), []int{0}},
		"URL":                {urlEscape(secret), []int{0}},
		"Go quoted in JSON":  {strconv.Quote(strconv.Quote(htmlEscape(other))), []int{1}},
		"both":               {urlEscape(other) + " " + unicodeJSON(piece), []int{0, 1}},
		"masked":             {`{"client_secret":"***"}`, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Leaks(tc.text, []string{secret, other}); !slices.Equal(got, tc.want) {
				t.Errorf("Leaks = %v, want %v", got, tc.want)
			}
		})
	}
	if got := Leaks("key=abc!", []string{"abc"}); !slices.Equal(got, []int{0}) {
		t.Errorf("a secret shorter than a piece is looked for whole: Leaks = %v", got)
	}
}

// TestServerRecord checks the record a test trusts: issued tokens are live
// until a well-behaved revoke of exactly their bytes, and a scripted answer
// revokes nothing.
func TestServerRecord(t *testing.T) {
	t.Parallel()
	refused := &reply{Status: 400, Body: envelope("revoke", false, "01", "no")}
	for name, c := range map[string]Case{"well-behaved": {}, "refused": {revoke: refused}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := Start(c)
			defer s.Close()
			post := func(path string, body map[string]string) map[string]any {
				b, _ := json.Marshal(body)
				resp, err := http.Post(s.URL+path, "application/json", bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var m map[string]any
				_ = json.NewDecoder(resp.Body).Decode(&m)
				return m
			}
			ans := post("/token", map[string]string{"grant_type": "password", "scope": "create:token offline_access"})
			tok, ok := ans["refresh_token"].(string)
			if !ok || !slices.Equal(s.Live(), []string{tok}) || len(s.Issued()) != 2 || s.RefreshIssued() != 1 {
				t.Fatalf("after the grant: %d live, %d issued", len(s.Live()), len(s.Issued()))
			}
			post("/revoke", map[string]string{"refresh_token": strings.ToUpper(tok)})
			if len(s.Live()) != 1 {
				t.Fatal("a revoke of another token ended the live one")
			}
			post("/revoke", map[string]string{"refresh_token": tok})
			if got, want := len(s.Live()), map[string]int{"well-behaved": 0, "refused": 1}[name]; got != want {
				t.Errorf("%d live after the revoke, want %d", got, want)
			}
			if s.Requests("/revoke") != 2 || s.Requests("/token") != 1 {
				t.Errorf("requests: %d /token, %d /revoke", s.Requests("/token"), s.Requests("/revoke"))
			}
		})
	}
}

func TestReadRequestKeepsRawBytes(t *testing.T) {
	t.Parallel()
	raw := "rt-\xff\xfe-tail"
	r := readRequest("/revoke", []byte(`{"refresh_token":"`+raw+`","client_secret":"a\/b"}`))
	if r.RefreshToken != raw || r.ClientSecret != "a/b" {
		t.Errorf("readRequest altered the fields")
	}
}

// TestCases checks that the table holds what the suite needs: unique names,
// and an item of issue 11 for every case.
func TestCases(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range Cases() {
		if seen[c.Name] || c.Item == "" {
			t.Errorf("case %q: duplicate name or no item", c.Name)
		}
		seen[c.Name] = true
	}
}

// FuzzLeaks holds the scanner to its contract for any secret: echoed in any
// escaping the stand-in uses, between any text that does not itself start
// or end an escape sequence, it is found.
func FuzzLeaks(f *testing.F) {
	f.Add(`a/b+c="d<e>f&g'hñ-long`, "before ", " after", uint8(0))
	f.Add("short", `\u00`, "%2", uint8(3))
	encoders := append([]func(string) string{
		func(s string) string { return s }, phpJSON, phpHexJSON, unicodeJSON, htmlEscape, urlEscape,
	}, binaryEncoders...)
	f.Fuzz(func(t *testing.T, secret, before, after string, enc uint8) {
		if secret == "" || !utf8.ValidString(secret) || strings.ContainsAny(before+after, `\&%`) {
			t.Skip()
		}
		text := before + encoders[int(enc)%len(encoders)](secret) + after
		if got := Leaks(text, []string{secret}); !slices.Equal(got, []int{0}) {
			t.Errorf("encoder %d: the secret was not found", int(enc)%len(encoders))
		}
	})
}
