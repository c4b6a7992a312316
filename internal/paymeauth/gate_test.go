package paymeauth

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/payme-community/terraform-provider-payme/internal/hostile"
	"github.com/payme-community/terraform-provider-payme/internal/paymetest"
)

// TestGateJudgesAnAnswerAsOne: the client hands the gate the texts of one
// answer together, so a secret cut over the code, the OAuth error and the
// messages is withheld from all of them, in the error and in the log.
func TestGateJudgesAnAnswerAsOne(t *testing.T) {
	t.Parallel()
	cut := func(s string) []string { // 11 bytes a piece
		var out []string
		for len(s) > 11 {
			out, s = append(out, s[:11]), s[11:]
		}
		return append(out, s)
	}
	p := cut(testClientSecret) // 11, 11 and 1 bytes
	q := cut(testPassword)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := map[string]map[string]any{
		"messages in order": {"action": "authorize", "success": false, "authorization": envelope("01", p...)},
		"code and messages": {"action": "authorize", "success": false, "authorization": envelope(q[1], q[0])},
		"OAuth fields":      {"error": q[0], "error_description": q[1]},
		"each in base64":    {"error": "invalid_client", "error_description": b64(p[1]), "authorization": envelope("01", b64(p[0]))},
		"hex":               {"error": "invalid_client", "error_description": hex.EncodeToString([]byte(testClientSecret))},
		"Basic":             {"error": "invalid_client", "error_description": "Basic " + hostile.Basic(testClientID, testClientSecret, true)},
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf paymetest.Buffer
			ctx := tflogtest.RootLogger(context.Background(), &buf)
			f := newFake(t, jsonAnswer(400, body))
			c := newTestClient(t, f.srv.URL, nil)
			_, err := c.Token(ctx, passReq)
			e := asError(t, err)
			if !slices.Contains(e.Messages, "message withheld: it quoted a credential") {
				t.Errorf("the answer's messages were not withheld: %d messages", len(e.Messages))
			}
			for _, out := range []string{err.Error(), e.Code + strings.Join(e.Messages, ""), buf.String()} {
				if leaks := hostile.LeaksInAnswer(append([]string{out}, e.Messages...), []string{testClientSecret, testPassword}); len(leaks) > 0 {
					t.Errorf("secrets %v shown", leaks)
				}
			}
		})
	}
}

// TestGateDropsEncodedScopes: a granted scope or a token_type that holds a
// secret or the issued refresh token in any encoding the gate reads never
// reaches the caller (and so never the state).
func TestGateDropsEncodedScopes(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString
	tests := map[string]string{
		"base64 of the password":             b64([]byte(testPassword)),
		"base64url of the new refresh token": base64.RawURLEncoding.EncodeToString([]byte("x" + testRefreshNew + "y")),
		"hex of the client secret":           strings.ToUpper(hex.EncodeToString([]byte(testClientSecret))),
	}
	for name, bad := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, jsonAnswer(200, tokenOK(testAccess, testRefreshNew, "create:token "+bad+" offline_access", 60)))
			c := newTestClient(t, f.srv.URL, nil)
			tok, err := c.Token(context.Background(), offlineReq)
			if err != nil {
				t.Fatalf("answer refused: %v", err)
			}
			if !slices.Equal(tok.Scopes, []string{"create:token", "offline_access"}) {
				t.Errorf("Scopes = %d scopes, want the two that quote nothing", len(tok.Scopes))
			}
		})
	}
	t.Run("a secret cut over scopes", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, jsonAnswer(200, tokenOK(testAccess, testRefreshNew, "create:token "+testPassword[:11]+" "+testPassword[11:], 60)))
		c := newTestClient(t, f.srv.URL, nil)
		tok, err := c.Token(context.Background(), offlineReq)
		if err != nil || len(tok.Scopes) != 0 {
			t.Errorf("scopes kept: %d (%v)", len(tok.Scopes), err)
		}
	})
	t.Run("token_type", func(t *testing.T) {
		t.Parallel()
		ans := tokenOK(testAccess, testRefreshNew, "create:token offline_access", 60)
		ans["token_type"] = "Bearer " + b64([]byte(testPassword))
		f := newFake(t, jsonAnswer(200, ans))
		c := newTestClient(t, f.srv.URL, nil)
		tok, err := c.Token(context.Background(), offlineReq)
		if err != nil || tok.TokenType != "" {
			t.Errorf("token_type kept (%v)", err)
		}
	})
}
