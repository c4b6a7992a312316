package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// controlOptions are the flags that act on a running sandbox as Pay-me's
// back office would: rotate a client secret, list and revoke refresh tokens.
type controlOptions struct {
	rotateAt    string
	clientID    string
	newSecret   string
	overlap     time.Duration
	revokeAt    string
	fingerprint string
	tokensAt    string
}

// runControl performs the action the flags ask for; done is false when
// they ask for none.
func runControl(ctx context.Context, o controlOptions, out io.Writer) (done bool, err error) {
	switch {
	case o.rotateAt != "":
		if o.newSecret == "" {
			return true, fmt.Errorf("-rotate-client-secret needs -new-client-secret")
		}
		body := map[string]string{"client_id": o.clientID, "client_secret": o.newSecret, "overlap": o.overlap.String()}
		if err := postControl(ctx, o.rotateAt, "client-secret", body, http.StatusNoContent); err != nil {
			return true, err
		}
		if o.overlap == 0 {
			fmt.Fprintf(out, "client %s has a new secret; the old one is refused from now on\n", o.clientID)
		} else {
			fmt.Fprintf(out, "client %s has a new secret; the old one is accepted for %s more\n", o.clientID, o.overlap)
		}
		return true, nil
	case o.revokeAt != "":
		if o.fingerprint == "" {
			return true, fmt.Errorf("-revoke-refresh-token needs -fingerprint (a payme_refresh_token id, sha256:...)")
		}
		if err := postControl(ctx, o.revokeAt, "revoke", map[string]string{"fingerprint": o.fingerprint}, http.StatusOK); err != nil {
			return true, err
		}
		fmt.Fprintf(out, "revoked the refresh token %s\n", o.fingerprint)
		return true, nil
	case o.tokensAt != "":
		var live []sandbox.LiveToken
		if err := getJSON(ctx, strings.TrimSuffix(o.tokensAt, "/")+"/_sandbox/tokens", &live); err != nil {
			return true, err
		}
		for _, t := range live {
			fmt.Fprintf(out, "%s  client %s  user %s\n", t.Fingerprint, t.ClientID, t.Username)
		}
		fmt.Fprintf(out, "live refresh tokens: %d\n", len(live))
		return true, nil
	}
	return false, nil
}

func postControl(ctx context.Context, baseURL, route string, body any, want int) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	url := strings.TrimSuffix(baseURL, "/") + "/_sandbox/" + route
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
		return fmt.Errorf("POST %s: %s: %s", url, resp.Status, e.Error)
	}
	return nil
}
