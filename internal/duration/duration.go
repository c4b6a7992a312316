// Package duration parses and prints the durations users write in the
// provider's configuration: Go's time.ParseDuration syntax ("90s", "2h45m")
// plus a leading number of days ("30d", "1d12h", "1.5d"), because tokens are
// rotated on a scale of days and "720h # 30 days" should not be needed.
//
// A day is 24 hours: the durations are added to UTC time stamps, where
// daylight-saving changes do not exist.
package duration

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// errSyntax completes the sentence "The value ..." and never repeats the
// input, which callers may log next to secrets.
var (
	errSyntax  = errors.New("is not a duration: use a number with a unit (d, h, m or s), such as 30d, 1d12h, 2h or 30s")
	errTooLong = errors.New("is too long to be a duration: use at most 100000d")
)

// Parse reads a duration. Days, when present, come first and may be
// followed by anything time.ParseDuration accepts without a sign.
func Parse(s string) (time.Duration, error) {
	sign, rest := time.Duration(1), s
	if strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
		if rest[0] == '-' {
			sign = -1
		}
		rest = rest[1:]
	}
	i := strings.IndexByte(rest, 'd')
	if i < 0 {
		if rest == "" || rest[0] == '-' || rest[0] == '+' {
			return 0, errSyntax
		}
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, errSyntax
		}
		return sign * d, nil
	}
	days, err := parseDays(rest[:i])
	if err != nil {
		return 0, err
	}
	var tail time.Duration
	if t := rest[i+1:]; t != "" {
		if t[0] == '-' || t[0] == '+' || strings.IndexByte(t, 'd') >= 0 {
			return 0, errSyntax
		}
		if tail, err = time.ParseDuration(t); err != nil {
			return 0, errSyntax
		}
	}
	// maxDays keeps days*day far from overflowing; no setting comes near it.
	const maxDays = 100000
	total := time.Duration(days*float64(day)) + tail
	if days > maxDays || total < 0 {
		return 0, errTooLong
	}
	return sign * total, nil
}

// parseDays accepts digits with at most one decimal point, and nothing
// strconv.ParseFloat would also take (exponents, "inf", hex).
func parseDays(s string) (float64, error) {
	if s == "" || s == "." || strings.Trim(s, "0123456789.") != "" || strings.Count(s, ".") > 1 {
		return 0, errSyntax
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errSyntax
	}
	return f, nil
}

// Format prints d the way users write it: whole days above one day as
// "30d", otherwise Go's form without trailing zero units ("5m", "24h").
func Format(d time.Duration) string {
	if d > day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
