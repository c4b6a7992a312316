package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
)

// row is one line of the results table.
type row struct {
	figure, name   string
	ours, baseline float64
	unit           string
	note           string
	goal           *goal   // nil for figures without a goal
	ref            float64 // the goal's reference value; the limit is goal.factor × ref
}

func (r row) limit() float64 { return r.goal.factor * r.ref }

func (r row) met() bool {
	if r.goal.exact {
		return r.ours == r.limit()
	}
	return r.ours <= r.limit()
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

// report renders the results as Markdown, which also reads well in a
// terminal: the table, the goals, then the missed ones with each reason
// said once.
func (h *harness) report(rows []row, sz sizes) string {
	var b strings.Builder
	h.writeHeader(&b, sz)
	fmt.Fprintf(&b, "| figure | case | ours | baseline | ratio | goal | met |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		base, ratio := "-", "-"
		if r.baseline > 0 {
			base = fmt.Sprintf("%.3g %s", r.baseline, r.unit)
			ratio = fmt.Sprintf("%.2f", r.ours/r.baseline)
		}
		met := "-"
		if r.goal != nil {
			met = map[bool]string{true: "yes", false: "**no**"}[r.met()]
		}
		name := r.name
		if r.note != "" {
			name += " (" + r.note + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %.3g %s | %s | %s | %s | %s |\n", r.figure, name, r.ours, r.unit, base, ratio, r.goalText(), met)
	}
	fmt.Fprintf(&b, "\n## Goals\n\n| goal | limit: factor × reference | if missed |\n|---|---|---|\n")
	for _, g := range goals {
		fmt.Fprintf(&b, "| %s | %g × %s | %s |\n", g.name, g.factor, g.of, g.reason.title)
	}
	writeMissed(&b, rows)
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
	fmt.Fprintf(b, "- Each time is the median of %d runs (validate: %d), ours and the baseline interleaved in one run; the sandbox runs in the harness's process on loopback.\n\n", sz.repeats, sz.validateRuns)
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
		fmt.Fprintf(b, "- **%s, %s**: %.3g %s against at most %.3g %s allowed (over by %.0f%%): %s.\n",
			r.figure, r.name, r.ours, r.unit, r.limit(), r.unit, 100*(r.ours/r.limit()-1), strings.ToLower(r.goal.reason.title))
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
