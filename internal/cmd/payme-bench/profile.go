package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
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
	tops, faults := map[string]string{}, map[string]int64{}
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
		env := append(h.floorEnv(true), "PAYME_BENCH_SERVE="+v.serve, "PAYME_BENCH_CPUPROFILE="+dir)
		c, err := h.timeCommands(run, env, applyDestroy)
		if err != nil {
			return "", err
		}
		faults[v.name] = c.faults
		files, _ := filepath.Glob(filepath.Join(dir, "*.pprof"))
		args := append([]string{"tool", "pprof", "-top", "-cum", "-nodecount=2000"}, files...)
		out, err := exec.CommandContext(h.ctx, "go", args...).Output()
		if err != nil {
			return "", fmt.Errorf("go tool pprof: %w", err)
		}
		tops[v.name] = string(out)
		fmt.Fprintf(&b, "\n### %s\n\n```\n%s```\n", v.name, trimProfile(string(out)))
	}
	b.WriteString(breakdown(tops["provider"], tops["floor"]))
	fmt.Fprintf(&b, "\nMinor page faults of the process tree (the CLI and every plugin it started) in these runs: "+
		"provider %d, floor %d, a difference of %+d. Each is a fresh page of memory mapped on first touch, and its "+
		"cost is in the CPU above (see \"A third look: page faults\").\n", faults["provider"], faults["floor"],
		faults["provider"]-faults["floor"])
	return b.String(), nil
}

// cpuParts are the parts of a plugin's CPU that the breakdown names, each
// the sum of the cumulative time of some functions. Goroutines a function
// starts are not under it in a profile, so they are named too.
var cpuParts = []struct {
	name  string
	funcs []string
}{
	{"Argon2id key derivation (once per process that seals or opens)", []string{
		"golang.org/x/crypto/argon2.IDKey", "golang.org/x/crypto/argon2.processBlocks.func1"}},
	{"Pay-me calls: the auth client and its HTTP connections", []string{
		"github.com/payme-community/terraform-provider-payme/internal/paymeauth.(*Client).Token",
		"github.com/payme-community/terraform-provider-payme/internal/paymeauth.(*Client).Revoke",
		"net/http.(*persistConn).readLoop", "net/http.(*persistConn).writeLoop"}},
	{"The framework's model decoding and encoding (Get and Set of a whole model)", []string{
		"github.com/hashicorp/terraform-plugin-framework/internal/reflect.Into",
		"github.com/hashicorp/terraform-plugin-framework/internal/reflect.FromValue"}},
	{"Garbage collection", []string{"runtime.gcBgMarkWorker"}},
}

// breakdown tells, from the two profiles' pprof -top -cum output, how much
// of the provider's CPU beyond the floor's each part explains.
func breakdown(provider, floor string) string {
	p, f := cumTimes(provider), cumTimes(floor)
	var b strings.Builder
	b.WriteString("\n### What the provider's CPU beyond the floor's is\n\n" +
		"From the two profiles above: the cumulative CPU of the functions that make up each part, in seconds.\n\n" +
		"| part | provider | floor | difference |\n|---|---|---|---|\n")
	total := func(m map[string]float64) float64 { return m[totalKey] }
	fmt.Fprintf(&b, "| every plugin process, in all | %.2f | %.2f | %+.2f |\n", total(p), total(f), total(p)-total(f))
	explained := 0.0
	for _, part := range cpuParts {
		var ps, fs float64
		for _, fn := range part.funcs {
			ps += p[fn]
			fs += f[fn]
		}
		explained += ps - fs
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %+.2f |\n", part.name, ps, fs, ps-fs)
	}
	fmt.Fprintf(&b, "| the rest | | | %+.2f |\n", total(p)-total(f)-explained)
	return b.String()
}

const totalKey = "Total samples"

// cumTimes reads pprof -top -cum output: each function's cumulative
// seconds, and the total under totalKey.
func cumTimes(top string) map[string]float64 {
	out := map[string]float64{}
	for line := range strings.SplitSeq(top, "\n") {
		if _, total, ok := strings.Cut(line, "Total samples = "); ok {
			d, _ := time.ParseDuration(strings.Fields(total)[0])
			out[totalKey] = d.Seconds()
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 6 {
			continue
		}
		if d, err := time.ParseDuration(fields[3]); err == nil {
			out[strings.Join(fields[5:], " ")] = d.Seconds()
		}
	}
	return out
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
