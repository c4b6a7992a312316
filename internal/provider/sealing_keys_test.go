package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestCheckSealingKey(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{ // key -> valid
		strings.Repeat("k", minSealingKeyLength):       true,
		"9Xq7dMqL3rWJ0sH1c2o4Q5f6g7h8i9j0k1l2m3n4o5p=": true,
		strings.Repeat("ñ", minSealingKeyLength):       true, // characters, not bytes
		strings.Repeat("k", minSealingKeyLength-1):     false,
		strings.Repeat("k", maxSealingKeyLength+1):     false,
		strings.Repeat("k", 40) + " x":                 false,
		strings.Repeat("k", 40) + ",x":                 false,
		"":                                             false,
	}
	for key, ok := range cases {
		err := checkSealingKey(key)
		if (err == nil) != ok {
			t.Errorf("checkSealingKey(key of %d characters) = %v, want ok=%v", len([]rune(key)), err, ok)
		}
		if err != nil && key != "" && strings.Contains(err.Error(), key) {
			t.Error("checkSealingKey repeats the key in its error")
		}
	}
}

// TestAccProvider_invalidSealingKey: a bad key, from the configuration or
// the environment, is refused before anything reaches Pay-me, naming the
// attribute and what would be valid.
func TestAccProvider_invalidSealingKey(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		lines []string
		env   map[string]string
		want  []string
	}{
		"short sealing_key": {lines: []string{`sealing_key = "short"`},
			want: []string{"Invalid Sealing Key", "sealing_key", "shorter than 32 characters", "openssl rand -base64 32"}},
		"short PAYME_SEALING_KEY": {env: map[string]string{"PAYME_SEALING_KEY": "short"},
			want: []string{"Invalid Sealing Key", "PAYME_SEALING_KEY environment variable is shorter than 32"}},
		"previous key with a space": {lines: []string{`previous_sealing_keys = ["` + strings.Repeat("k", 40) + ` x"]`},
			want: []string{"Invalid Previous Sealing Key", "previous_sealing_keys", "contains white space or a comma"}},
		"short key in PAYME_PREVIOUS_SEALING_KEYS": {env: map[string]string{"PAYME_PREVIOUS_SEALING_KEYS": strings.Repeat("k", 40) + ",short"},
			want: []string{"Invalid Previous Sealing Key", "PAYME_PREVIOUS_SEALING_KEYS environment variable is shorter"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newTestEnv(t)
			for k, v := range tc.env {
				e.env[k] = v
			}
			e.providerLines = tc.lines
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   needsWriteOnly,
				ProtoV6ProviderFactories: e.factories(),
				Steps: []resource.TestStep{{
					Config:      e.refreshTokenConfig(`scopes = ["create:token"]`),
					ExpectError: diagRegexp(tc.want...),
				}},
			})
			if n := len(e.sandbox.Journal()); n != 0 {
				t.Errorf("a bad sealing key still let %d requests reach Pay-me", n)
			}
		})
	}
}
