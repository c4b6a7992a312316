package lenient

import (
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	t.Parallel()
	tests := map[string]String{
		`{"f":"abc"}`:    {S: "abc", Set: true},
		`{"f":86400}`:    {S: "86400", Set: true},
		`{"f":true}`:     {S: "true", Set: true},
		`{"f":null}`:     {},
		`{"f":{}}`:       {},
		`{"f":[1]}`:      {},
		`{}`:             {},
		`{"f":"\u00f1"}`: {S: "ñ", Set: true},
	}
	for in, want := range tests {
		var v struct{ F String }
		if err := json.Unmarshal([]byte(in), &v); err != nil || v.F != want {
			t.Errorf("%s: got %+v, %v; want %+v", in, v.F, err, want)
		}
	}
}

func TestBool(t *testing.T) {
	t.Parallel()
	tests := map[string]Bool{
		`{"f":true}`:    {Set: true, V: true},
		`{"f":"true"}`:  {Set: true, V: true},
		`{"f":false}`:   {Set: true},
		`{"f":"FALSE"}`: {Set: true},
		`{"f":"yes"}`:   {Set: true, V: true, Loose: true},
		`{"f":1}`:       {Set: true, V: true, Loose: true},
		`{"f":"no"}`:    {Set: true, Loose: true},
		`{"f":"maybe"}`: {Set: true, Bad: true, Loose: true},
		`{"f":null}`:    {Loose: true},
		`{}`:            {},
	}
	for in, want := range tests {
		var v struct{ F Bool }
		if err := json.Unmarshal([]byte(in), &v); err != nil || v.F != want {
			t.Errorf("%s: got %+v, %v; want %+v", in, v.F, err, want)
		}
	}
}
