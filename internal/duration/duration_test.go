package duration

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	cases := map[string]time.Duration{ // input -> want, -1 for an error
		"30s":      30 * time.Second,
		"2h45m":    2*time.Hour + 45*time.Minute,
		"720h":     720 * time.Hour,
		"30d":      30 * day,
		"1d12h":    36 * time.Hour,
		"1d12h30m": 36*time.Hour + 30*time.Minute,
		"1.5d":     36 * time.Hour,
		"0d":       0,
		"0":        0,
		"-1d":      -day,
		"+2d":      2 * day,
		"3650d":    3650 * day,
		"100000d":  100000 * day,
		"":         -1,
		"d":        -1,
		".d":       -1,
		"1":        -1,
		"30 d":     -1,
		"1e3d":     -1,
		"infd":     -1,
		"1..5d":    -1,
		"1d1d":     -1,
		"12h1d":    -1,
		"1d-1h":    -1,
		"1d+1h":    -1,
		"--1d":     -1,
		"-":        -1,
		"+-1h":     -1,
		"1dd":      -1,
		"100001d":  -1,
		"soon":     -1,
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(in)
			switch {
			case want == -1 && err == nil:
				t.Errorf("Parse(%q) = %s, want an error", in, got)
			case want != -1 && (err != nil || got != want):
				t.Errorf("Parse(%q) = %s, %v; want %s", in, got, err, want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	cases := map[time.Duration]string{
		0:                         "0s",
		time.Millisecond:          "1ms",
		30 * time.Second:          "30s",
		time.Minute:               "1m",
		10 * time.Minute:          "10m",
		90 * time.Second:          "1m30s",
		time.Hour:                 "1h",
		24 * time.Hour:            "24h",
		36 * time.Hour:            "36h",
		3650 * day:                "3650d",
		2*time.Hour + time.Second: "2h0m1s",
	}
	for in, want := range cases {
		t.Run(want, func(t *testing.T) {
			t.Parallel()
			if got := Format(in); got != want {
				t.Errorf("Format(%d) = %q, want %q", in, got, want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics, that what it accepts without
// days agrees with time.ParseDuration, and that Format's output parses back.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"30d", "1d12h", "1.5d", "-1d", "720h", "5m", "0", "", "1e3d", "100000d", "9223372036854775807ns"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if want, gerr := time.ParseDuration(s); gerr == nil && want != d {
			t.Fatalf("Parse(%q) = %d, time.ParseDuration says %d", s, d, want)
		}
		back, err := Parse(Format(d))
		if err != nil || back != d {
			t.Fatalf("Parse(Format(%d)) = %d, %v", d, back, err)
		}
	})
}
