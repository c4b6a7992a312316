package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
)

// row is one line of the results table. A timed row (unit "s") holds wall
// seconds in ours and baseline and CPU seconds beside them, and meets its
// goal only if both do.
type row struct {
	figure, name     string
	ours, baseline   float64
	oursCPU, baseCPU float64 // timed rows only: CPU of the process tree, ours and the baseline's
	info             cost    // timed rows only: terraform_data's, for information; zero when not measured
	unit             string
	note             string
	goal             *goal   // nil for figures without a goal
	ref              float64 // untimed rows: the goal's reference value; the limit is goal.factor × ref
}

// timed is a row of ours against a baseline, judged on wall and CPU time.
func timed(figure string, ours, baseline cost) row {
	return row{figure: figure, unit: "s", ours: ours.wall.Seconds(), baseline: baseline.wall.Seconds(),
		oursCPU: ours.cpu.Seconds(), baseCPU: baseline.cpu.Seconds()}
}

func (r row) timed() bool { return r.unit == "s" }

func (r row) limit() float64 {
	if r.timed() {
		return r.goal.factor * r.baseline
	}
	return r.goal.factor * r.ref
}

func (r row) limitCPU() float64 { return r.goal.factor * r.baseCPU }

func (r row) met() bool {
	switch {
	case r.goal.exact:
		return r.ours == r.limit()
	case r.timed():
		return r.ours <= r.limit() && r.oursCPU <= r.limitCPU()
	default:
		return r.ours <= r.limit()
	}
}

func (r row) goalText() string {
	switch {
	case r.goal == nil:
		return "-"
	case r.goal.exact:
		return fmt.Sprintf("%s %g", r.goal.name, r.limit())
	default:
		return r.goal.name
	}
}

// cells renders ours, the baseline and their ratio; timed rows give CPU
// beside wall.
func (r row) cells() (ours, base, ratio string) {
	ours, base, ratio = fmt.Sprintf("%.3g %s", r.ours, r.unit), "-", "-"
	if r.baseline > 0 {
		base = fmt.Sprintf("%.3g %s", r.baseline, r.unit)
		ratio = fmt.Sprintf("%.2f", r.ours/r.baseline)
	}
	if r.timed() {
		ours += fmt.Sprintf(", CPU %.3g s", r.oursCPU)
		if r.baseCPU > 0 {
			base += fmt.Sprintf(", CPU %.3g s", r.baseCPU)
			ratio += fmt.Sprintf(", CPU %.2f", r.oursCPU/r.baseCPU)
		}
	}
	return ours, base, ratio
}

// report renders the results as Markdown, which also reads well in a
// terminal: the table, the goals, then the missed ones with each reason
// said once.
func (h *harness) report(rows []row, sz sizes) string {
	var b strings.Builder
	h.writeHeader(&b, sz)
	fmt.Fprintf(&b, "| figure | case | ours | baseline | ratio | terraform_data (information) | goal | met |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		ours, base, ratio := r.cells()
		info := "-"
		if r.info.wall > 0 {
			info = fmt.Sprintf("%.3g s, CPU %.3g s", r.info.wall.Seconds(), r.info.cpu.Seconds())
		}
		met := "-"
		if r.goal != nil {
			met = map[bool]string{true: "yes", false: "**no**"}[r.met()]
		}
		name := r.name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.figure, name, ours, base, ratio, info, r.goalText(), met)
	}
	fmt.Fprintf(&b, "\n## Goals\n\n| goal | limit: factor × reference | if missed |\n|---|---|---|\n")
	for _, g := range goals {
		fmt.Fprintf(&b, "| %s | %g × %s | %s |\n", g.name, g.factor, g.of, g.reason.title)
	}
	writeMissed(&b, rows)
	b.WriteString(findings)
	return b.String()
}

func (h *harness) writeHeader(b *strings.Builder, sz sizes) {
	version, _ := exec.CommandContext(h.ctx, h.tf, "version").Output()
	cpu := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(info), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	fmt.Fprintf(b, "# Benchmarks\n\n")
	fmt.Fprintf(b, "Written by `make bench` (`internal/cmd/payme-bench`); do not edit by hand.\n\n")
	fmt.Fprintf(b, "- Machine: %s, %d cores, %s/%s, %s\n", cpu, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Fprintf(b, "- CLI: %s\n", strings.SplitN(strings.TrimSpace(string(version)), "\n", 2)[0])
	fmt.Fprintf(b, "- Each time is the median of %d runs (validate: %d), ours and the baseline interleaved in one run, each round starting one variant later than the last; the sandbox runs in the harness's process on loopback. "+
		"Wall and CPU are medians taken apart; CPU is user plus system time of the CLI and every plugin it started. "+
		"The machine is shared, so figures are noisy: CPU is the steadier of the two.\n", sz.repeats, sz.validateRuns)
	fmt.Fprintf(b, "- The baseline of timed figures is the floor plugin (`internal/cmd/payme-floor`): the provider's own schemas "+
		"served with no logic, but deriving the sealing key where the provider must (Argon2id from the client secret), "+
		"as every plugin that seals with it pays; the floor without it is shown beside the judged row. "+
		"terraform_data, built into Terraform, is shown for information only.\n\n")
}

// overBy says how a missed goal was missed.
func (r row) overBy() string {
	say := func(what string, got, limit float64) string {
		return fmt.Sprintf("%s%.3g %s against at most %.3g %s allowed (over by %.0f%%)", what, got, r.unit, limit, r.unit, 100*(got/limit-1))
	}
	if !r.timed() {
		return say("", r.ours, r.limit())
	}
	var parts []string
	if r.ours > r.limit() {
		parts = append(parts, say("wall ", r.ours, r.limit()))
	}
	if r.oursCPU > r.limitCPU() {
		parts = append(parts, say("CPU ", r.oursCPU, r.limitCPU()))
	}
	return strings.Join(parts, "; ")
}

// writeMissed lists the rows that missed their goal, then each reason
// behind them once.
func writeMissed(b *strings.Builder, rows []row) {
	var reasons []*reason
	for _, r := range rows {
		if r.goal == nil || r.met() {
			continue
		}
		if reasons == nil {
			fmt.Fprintf(b, "\n## Goals missed\n\n")
		}
		fmt.Fprintf(b, "- **%s, %s**: %s: %s.\n", r.figure, r.name, r.overBy(), strings.ToLower(r.goal.reason.title))
		if !slices.Contains(reasons, r.goal.reason) {
			reasons = append(reasons, r.goal.reason)
		}
	}
	if reasons == nil {
		fmt.Fprintf(b, "\nEvery goal was met in this run.\n")
		return
	}
	fmt.Fprintf(b, "\n## Why\n")
	for _, rs := range reasons {
		fmt.Fprintf(b, "\n**%s.** %s\n", rs.title, rs.text)
	}
}
