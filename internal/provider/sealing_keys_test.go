package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// goodKey passes every rule for a sealing key.
const goodKey = "9Xq7dMqL3rWJ0sH1c2o4Q5f6g7h8i9j0k1l2m3n4o5p="

func TestCheckSealingKey(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{ // key -> valid
		"sealing-key-A-0123456789abcdefghij":           true,
		"9Xq7dMqL3rWJ0sH1c2o4Q5f6g7h8i9j0k1l2m3n4o5p=": true,
		"0123456789abcdef0123456789abcdef":             true,  // hex: 16 different characters
		strings.Repeat("ñáéíóúüçàèìò", 3):              true,  // characters, not bytes
		"aaaaaaaa" + "bcdefghijklmnopqrstuvwxy":        true,  // "a" is exactly a quarter
		"aaaaaaaaa" + "bcdefghijklmnopqrstuvw":         false, // "a" is more than a quarter
		strings.Repeat("abcdefghijk", 3):               false, // 11 different characters
		strings.Repeat("k", minSealingKeyLength):       false,
		strings.Repeat("k", minSealingKeyLength-1):     false,
		strings.Repeat("k", maxSealingKeyLength+1):     false,
		goodKey + " x": false,
		goodKey + ",x": false,
		"":             false,
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
		"previous key with a space": {lines: []string{`previous_sealing_keys = ["` + goodKey + ` x"]`},
			want: []string{"Invalid Previous Sealing Key", "previous_sealing_keys", "contains white space or a comma"}},
		"short key in PAYME_PREVIOUS_SEALING_KEYS": {env: map[string]string{"PAYME_PREVIOUS_SEALING_KEYS": goodKey + ",short"},
			want: []string{"Invalid Previous Sealing Key", "Entry 2 (counting from 1) of the PAYME_PREVIOUS_SEALING_KEYS", "shorter"}},
		"weak sealing_key": {lines: []string{`sealing_key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"`},
			want: []string{"Invalid Sealing Key", "too little variety", "at least 12 different characters", "quarter"}},
		"weak PAYME_SEALING_KEY": {env: map[string]string{"PAYME_SEALING_KEY": strings.Repeat("abcdefgh", 5)},
			want: []string{"Invalid Sealing Key", "PAYME_SEALING_KEY environment variable has too little variety"}},
		"weak third previous key": {lines: []string{`previous_sealing_keys = ["` + goodKey + `", "` + goodKey + `x", "` + strings.Repeat("ab", 20) + `"]`},
			want: []string{"Invalid Previous Sealing Key", `previous_sealing_keys[2] has too little variety`}},
		"previous client secret with a space": {lines: []string{`previous_client_secrets = ["old-secret", "old secret"]`},
			want: []string{"Invalid Previous Client Secret", `previous_client_secrets[1] contains white space`}},
		"empty entry in PAYME_PREVIOUS_CLIENT_SECRETS is skipped, a long one is not": {
			env:  map[string]string{"PAYME_PREVIOUS_CLIENT_SECRETS": "old-secret,," + strings.Repeat("s", 101)},
			want: []string{"Invalid Previous Client Secret", "Entry 3 (counting from 1) of the PAYME_PREVIOUS_CLIENT_SECRETS", "longer than 100"}},
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
