package main

import (
	"io"
	"os/exec"
	"strings"
	"testing"
)

func TestExportsRoundTripThroughAShell(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	vars := []string{"A=plain", "B=it's", `C=$HOME "x" \n`, "D="}
	script := exports(vars) + `printf '%s|%s|%s|%s' "$A" "$B" "$C" "$D"`
	out, err := exec.CommandContext(t.Context(), sh, "-c", script).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := `plain|it's|$HOME "x" \n|`; string(out) != want {
		t.Errorf("the shell read %q, want %q", out, want)
	}
}

func TestRunRefusesBadArguments(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"nope"}, {"env"}, {"env", "-dir", "x"}, {"schema"}, {"schema", "-bogus"}} {
		if err := run(t.Context(), args, io.Discard); err == nil {
			t.Errorf("run(%q) accepted", strings.Join(args, " "))
		}
	}
}
