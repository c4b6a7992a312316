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
// the top entries of each as a Markdown section. With keep set, the
// profiles are written under keep/provider and keep/floor and stay there. Both are served by the
// floor's binary (PAYME_BENCH_SERVE), so the provider binary carries no
// profiler; what the provider does beyond the floor is its own work.
func (h *harness) profiles(n int, keep string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n## Where the CPU goes\n\n"+
		"CPU profiles of every plugin process during one `apply` and `destroy` of %d tokens, merged, "+
		"with the provider and then the floor (`PAYME_BENCH_CPUPROFILE`), by `go tool pprof -top -cum`, "+
		"keeping the gRPC handlers (one per RPC kind) and the provider's own functions. "+
		"Total samples is the CPU the plugin processes used in all; the rest of the tree's is Terraform's.\n", n)
	for _, v := range []struct{ name, serve string }{{"provider", "provider"}, {"floor", "floor"}} {
		dir := filepath.Join(h.work, "profile-"+v.name)
		if keep != "" {
			dir = filepath.Join(keep, v.name)
			_ = os.RemoveAll(dir) // a previous run's profiles would be merged in
		}
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
		args := append([]string{"tool", "pprof", "-top", "-cum", "-nodecount=2000"}, files...)
		out, err := exec.CommandContext(h.ctx, "go", args...).Output()
		if err != nil {
			return "", fmt.Errorf("go tool pprof: %w", err)
		}
		fmt.Fprintf(&b, "\n### %s\n\n```\n%s```\n", v.name, trimProfile(string(out)))
	}
	return b.String(), nil
}

// trimProfile keeps pprof's total, the column heads and the first
// profileRows lines that are a gRPC handler or a function of this module.
func trimProfile(top string) string {
	var keep []string
	rows := 0
	for line := range strings.SplitSeq(top, "\n") {
		switch {
		case strings.HasPrefix(line, "Duration:"), strings.Contains(line, "flat%"):
			keep = append(keep, line)
		case rows < profileRows && (strings.HasSuffix(line, "_Handler") || strings.Contains(line, "/terraform-provider-payme/")):
			keep = append(keep, line)
			rows++
		}
	}
	return strings.Join(keep, "\n") + "\n"
}

const profileRows = 20
