// Command payme-bench measures the provider against Terraform itself, side
// by side in one run, and prints (and writes as Markdown) a table of our
// figure, the baseline and their ratio:
//
//  1. /token requests per Terraform process for K payme_access_token blocks,
//     identical or with K distinct scope sets;
//  2. apply plus destroy of N payme_refresh_token resources against N of
//     Terraform's built-in terraform_data, with the sandbox answering at once
//     and with 50 ms of latency;
//  3. start-up (terraform validate with and without the provider), peak RSS
//     of the provider process, and binary size.
//
// make bench runs it with the CLI that tools/tfcli.sh finds, and with
// -go-bench, which appends the auth client's Go benchmarks. -smoke runs the smallest sizes once, so
// that make test keeps the harness from rotting.
//
// goals.go holds the goals and the reasons they can be missed, as data;
// harness.go the local environment and the one interleaved timing loop;
// figures.go what each figure measures; report.go the Markdown; gobench.go
// the auth client's Go benchmarks.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "payme-bench:", err)
		os.Exit(1)
	}
}

type options struct {
	out     string
	smoke   bool
	repeats int
	goBench int // runs of the auth client's Go benchmarks; 0 skips them
}

// sizes are the figures' parameters; smoke shrinks them to the least that
// still exercises every code path.
type sizes struct {
	ks, ns        []int
	repeats       int
	latency       time.Duration
	validateRuns  int
	parallelism   int
	latencyFloorN int // the N at which the latency goal is judged
	ratioN        int // the N at which the no-latency ratio goal is judged
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("payme-bench", flag.ContinueOnError)
	fs.StringVar(&o.out, "out", "", "also write the results as Markdown to this `file`")
	fs.BoolVar(&o.smoke, "smoke", false, "smallest sizes, one repeat: checks that the harness works")
	fs.IntVar(&o.repeats, "repeats", 5, "runs per measurement; the median is quoted")
	fs.IntVar(&o.goBench, "go-bench", 0, "also run the auth client's Go benchmarks this many `times` (from the module root)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sz := sizes{ks: []int{1, 10, 100}, ns: []int{10, 100, 500}, repeats: o.repeats, latency: 50 * time.Millisecond,
		validateRuns: 2 * o.repeats, parallelism: 10, latencyFloorN: 100, ratioN: 100}
	if o.smoke {
		sz = sizes{ks: []int{1, 3}, ns: []int{3}, repeats: 1, latency: 10 * time.Millisecond,
			validateRuns: 1, parallelism: 10, latencyFloorN: 3, ratioN: 3}
	}

	h, err := newHarness(ctx)
	if err != nil {
		return err
	}
	defer h.close()

	var rows []row
	for _, k := range sz.ks {
		r, err := h.tokenRequests(k, false)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	for _, k := range sz.ks {
		r, err := h.tokenRequests(k, true)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	for _, k := range sz.ks {
		r, err := h.openRequests(k)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	for _, latency := range []time.Duration{0, sz.latency} {
		for _, n := range sz.ns {
			r, err := h.applyDestroyTime(n, latency, sz)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	logs, err := h.logLevels(sz.ratioN, sz)
	if err != nil {
		return err
	}
	rows = append(rows, logs)
	startup, err := h.startup(sz.validateRuns)
	if err != nil {
		return err
	}
	rows = append(rows, startup...)

	report := h.report(rows, sz)
	if o.goBench > 0 {
		for _, bench := range []func(context.Context, int) (string, error){goBenchmarks, sealBenchmarks} {
			section, err := bench(ctx, o.goBench)
			if err != nil {
				return err
			}
			report += section
		}
	}
	fmt.Fprint(stdout, report)
	if o.out != "" {
		return os.WriteFile(o.out, []byte(report), 0o644) //nolint:gosec // a results file meant to be committed
	}
	return nil
}
