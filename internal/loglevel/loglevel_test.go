package loglevel

import (
	"maps"
	"testing"
)

func TestLevels(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		env  map[string]string
		want map[string]string
	}{
		"no logging asked for": {
			env:  map[string]string{},
			want: map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_PROVIDER": "OFF"},
		},
		"TF_LOG": {
			env:  map[string]string{"TF_LOG": "DEBUG"},
			want: map[string]string{"TF_LOG_SDK": "DEBUG", "TF_LOG_PROVIDER": "DEBUG"},
		},
		"TF_LOG_PROVIDER wins over TF_LOG and is kept": {
			env:  map[string]string{"TF_LOG": "WARN", "TF_LOG_PROVIDER": "TRACE"},
			want: map[string]string{"TF_LOG_SDK": "TRACE"},
		},
		"explicit SDK level kept": {
			env:  map[string]string{"TF_LOG_SDK": "INFO"},
			want: map[string]string{"TF_LOG_PROVIDER": "OFF"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := levels(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if !maps.Equal(got, tc.want) {
				t.Errorf("levels(%v) = %v, want %v", tc.env, got, tc.want)
			}
		})
	}
}
