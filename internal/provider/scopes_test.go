package provider

import (
	"slices"
	"testing"
)

func TestScopeSet(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ in, want []string }{
		"as granted": {[]string{"create:token", "offline_access"}, []string{"create:token", "offline_access"}},
		"duplicates": {[]string{"a", "a", "b", "offline_access", "b"}, []string{"a", "b", "offline_access"}},
		"none":       {nil, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			set := scopeSet(tc.in)
			var got []string
			if diags := set.ElementsAs(t.Context(), &got, false); diags.HasError() {
				t.Fatalf("ElementsAs: %v", diags)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("scopeSet(%q) holds %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
