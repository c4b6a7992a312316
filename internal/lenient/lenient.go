// Package lenient holds JSON field types for servers whose documentation
// and practice disagree on a field's type: a string that comes as a number,
// a boolean that comes as "true" or "yes". Decoding never fails on them; a
// value of an unusable type reads as absent, and the caller decides.
package lenient

import (
	"encoding/json"
	"strings"
)

// String is a JSON string, or a number or boolean as its literal text;
// anything else (an object, an array, null) reads as absent.
type String struct {
	S   string
	Set bool
}

func (t *String) UnmarshalJSON(b []byte) error {
	switch {
	case b[0] == '"':
		t.Set = json.Unmarshal(b, &t.S) == nil
	case b[0] != '{' && b[0] != '[' && string(b) != "null":
		t.S, t.Set = string(b), true
	}
	return nil
}

// Bool is true/false, 1/0 or yes/no, bare or quoted, in any case. Loose
// marks every form but true and false, bare or quoted; Bad marks a value
// that is present but none of these.
type Bool struct{ Set, Bad, Loose, V bool }

func (f *Bool) UnmarshalJSON(b []byte) error {
	var t String
	_ = t.UnmarshalJSON(b)
	v := strings.ToLower(strings.TrimSpace(t.S))
	f.Set, f.V, f.Loose = t.Set, v == "true" || v == "1" || v == "yes", v != "true" && v != "false"
	f.Bad = t.Set && !f.V && v != "false" && v != "0" && v != "no"
	return nil
}
