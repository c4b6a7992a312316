package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// profiles runs one apply and destroy of n tokens with the provider, then
// with the floor, each plugin process writing a CPU profile, and returns
// the top entries of each as a Markdown section. Both are served by the
// floor's binary (PAYME_BENCH_SERVE), so the provider binary carries no
// profiler; what the provider does beyond the floor is its own work.
func (h *harness) profiles(n int) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Where the CPU goes\n\n"+
		"CPU profiles of every plugin process during one `apply` and `destroy` of %d tokens, merged, "+
		"with the provider and then the floor (`PAYME_BENCH_CPUPROFILE`), by `go tool pprof -top`. "+
		"The first line gives the CPU the plugin processes used in all; the rest is Terraform's.\n", n)
	for _, v := range []struct{ name, serve string }{{"provider", "provider"}, {"floor", "floor"}} {
		dir := filepath.Join(h.work, "profile-"+v.name)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", err
		}
		run, err := h.dir("profile-run-"+v.name, refreshTokens(n))
		if err != nil {
			return "", err
		}
		env := append(h.floorEnv(), "PAYME_BENCH_SERVE="+v.serve, "PAYME_BENCH_CPUPROFILE="+dir)
		if _, err := h.timeCommands(run, env, applyDestroy); err != nil {
			return "", err
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.pprof"))
		args := append([]string{"tool", "pprof", "-top", "-nodecount=15"}, files...)
		out, err := exec.CommandContext(h.ctx, "go", args...).Output()
		if err != nil {
			return "", fmt.Errorf("go tool pprof: %w", err)
		}
		fmt.Fprintf(&b, "\n### %s\n\n```\n%s```\n", v.name, trimProfile(string(out)))
	}
	return b.String(), nil
}

// trimProfile keeps pprof's totals and table, without the lines that
// change every run (file, build ID, time).
func trimProfile(top string) string {
	var keep []string
	for line := range strings.SplitSeq(top, "\n") {
		if strings.HasPrefix(line, "File:") || strings.HasPrefix(line, "Build ID:") ||
			strings.HasPrefix(line, "Type:") || strings.HasPrefix(line, "Time:") || line == "" {
			continue
		}
		keep = append(keep, line)
	}
	return strings.Join(keep, "\n") + "\n"
}
