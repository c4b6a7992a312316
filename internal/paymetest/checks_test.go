package paymetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

func TestFingerprintOf(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		values []any
		ok     bool
	}{
		"match":        {[]any{seal.Fingerprint("tok"), "tok"}, true},
		"other token":  {[]any{seal.Fingerprint("tok"), "other"}, false},
		"not a string": {[]any{seal.Fingerprint("tok"), 1}, false},
		"empty token":  {[]any{seal.Fingerprint(""), ""}, false},
		"three values": {[]any{"a", "b", "c"}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := FingerprintOf.CompareValues(tc.values...)
			if (err == nil) != tc.ok {
				t.Fatalf("CompareValues = %v, want ok=%v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "other") {
				t.Error("the error shows the token")
			}
		})
	}
}

func TestNoSecretInState(t *testing.T) {
	t.Parallel()
	state := &tfjson.State{Values: &tfjson.StateValues{RootModule: &tfjson.StateModule{Resources: []*tfjson.StateResource{{
		Address: "x.y", AttributeValues: map[string]any{"nested": map[string]any{"list": []any{
			"has-SECRET-inside", "a piece: 0123456789ab, no more", "html: <&>pass&word<>",
		}}},
	}}}}}
	cases := map[string]struct {
		secrets []string
		leak    string // the index named, "" for none
	}{
		"absent":                     {[]string{"absent", ""}, ""},
		"nested, whole":              {[]string{"absent", "SECRET"}, "#1"},
		"a 12-character piece":       {[]string{"xxxx0123456789abyyyy"}, "#0"},
		"11 characters are no piece": {[]string{"xxxx0123456789a-yyyy"}, ""},
		"characters JSON escapes":    {[]string{"", "<&>pass&word<>"}, "#1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var resp statecheck.CheckStateResponse
			NoSecretInState(func() []string { return tc.secrets }).CheckState(context.Background(), statecheck.CheckStateRequest{State: state}, &resp)
			switch {
			case tc.leak == "" && resp.Error != nil:
				t.Errorf("no secret present, got %v", resp.Error)
			case tc.leak != "" && (resp.Error == nil || !strings.Contains(resp.Error.Error(), tc.leak)):
				t.Errorf("want the leak named %s, got %v", tc.leak, resp.Error)
			case resp.Error != nil && strings.Contains(resp.Error.Error(), "SECRET"):
				t.Error("the error shows the secret")
			}
		})
	}
}

func TestCapture(t *testing.T) {
	t.Parallel()
	c := NewCapture(func(s string) (string, error) {
		if s == "bad" {
			return "", errors.New("unknown")
		}
		return "resolved-" + s, nil
	})
	for _, v := range []any{"a", "b"} {
		if err := c.CheckValue(v); err != nil {
			t.Fatal(err)
		}
	}
	if c.CheckValue("bad") == nil || c.CheckValue(3) == nil || c.CheckValue("") == nil {
		t.Error("Capture accepted a value it cannot resolve, or not a non-empty string")
	}
	if got := strings.Join(c.Values(), ","); got != "resolved-a,resolved-b" || c.Last() != "resolved-b" {
		t.Errorf("captured %q, last %q", got, c.Last())
	}
	if strings.Contains(c.String(), "resolved") {
		t.Error("String shows captured values")
	}
}
