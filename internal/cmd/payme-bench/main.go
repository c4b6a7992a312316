// Command payme-bench measures the provider against Terraform itself, side
// by side in one run, and prints (and writes as Markdown) a table of our
// figure, the baseline and their ratio:
//
//  1. /token requests per Terraform process for K payme_access_token blocks,
//     identical or with K distinct scope sets;
//  2. apply plus destroy of N payme_refresh_token resources against the
//     floor plugin (internal/cmd/payme-floor: the provider's schemas, no
//     logic, a real token's values), with the sandbox answering at once,
//     with a sealing_key (no Argon2id) and with 50 ms of latency,
//     and a plan opening K payme_access_token blocks against the floor's;
//     Terraform's built-in terraform_data is shown for information;
//  3. start-up (terraform validate with the provider and with the floor),
//     peak RSS of the provider process, and binary size.
//
// Every timed figure gives wall time and the CPU time of the CLI's process
// tree. make bench runs it with the CLI that tools/tfcli.sh finds, with
// -profile, which appends where the provider and the floor spend their CPU
// during one apply and destroy, and with -go-bench, which appends the auth
// client's Go benchmarks. -smoke runs the smallest sizes once, so that make
// test keeps the harness from rotting; -quick only the judged apply and
// destroy, for checking a change; -v prints every run's cost, the noise
// behind each median.
//
// goals.go holds the goals and the reasons they can be missed, as data;
// harness.go the local environment and the one interleaved timing loop;
// figures.go what each figure measures; report.go the Markdown; profile.go
// the CPU profiles; gobench.go the auth client's Go benchmarks.
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
	quick   bool
	profile bool
	keep    string // where -profile's raw profiles are kept
	repeats int
	goBench int // runs of the auth client's Go benchmarks; 0 skips them
	verbose bool
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
	fs.BoolVar(&o.quick, "quick", false, "only the judged apply and destroy against the floor")
	fs.BoolVar(&o.profile, "profile", false, "also profile the provider and the floor during one apply and destroy")
	fs.StringVar(&o.keep, "profile-dir", "", "keep -profile's raw profiles in this `folder` (provider/, floor/) for go tool pprof")
	fs.IntVar(&o.repeats, "repeats", 9, "runs per measurement; the median is quoted")
	fs.BoolVar(&o.verbose, "v", false, "print every timed run's cost to standard error, to see the noise behind a median")
	fs.IntVar(&o.goBench, "go-bench", 0, "also run the auth client's Go benchmarks this many `times` (from the module root)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sz := sizes{ks: []int{1, 10, 100}, ns: []int{10, 100}, repeats: o.repeats, latency: 50 * time.Millisecond,
		validateRuns: 2 * o.repeats, parallelism: 10, latencyFloorN: 100, ratioN: 100}
	if o.smoke {
		sz = sizes{ks: []int{1, 3}, ns: []int{3}, repeats: 1, latency: 10 * time.Millisecond,
			validateRuns: 1, parallelism: 10, latencyFloorN: 3, ratioN: 3}
	}
	if o.quick {
		sz.ks, sz.ns = nil, []int{sz.ratioN}
	}

	h, err := newHarness(ctx)
	if err != nil {
		return err
	}
	defer h.close()
	if o.verbose {
		h.runs = os.Stderr
	}

	rows, err := h.figures(sz, o.quick)
	if err != nil {
		return err
	}
	report := h.report(rows, sz)
	if o.profile {
		section, err := h.profiles(sz.ratioN, o.keep)
		if err != nil {
			return err
		}
		report += section
	}
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

// figures measures every figure in the report's order; quick, only the
// apply and destroy without latency.
func (h *harness) figures(sz sizes, quick bool) ([]row, error) {
	var rows []row
	for _, k := range sz.ks {
		r, err := h.tokenRequests(k, false)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	for _, k := range sz.ks {
		r, err := h.tokenRequests(k, true)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	for _, k := range sz.ks {
		r, err := h.openRequests(k)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	for _, n := range sz.ns {
		r, err := h.applyDestroyTime(n, 0, sz)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	if quick {
		return rows, nil
	}
	r, err := h.sealingKeyTime(sz.ratioN, sz)
	if err != nil {
		return nil, err
	}
	rows = append(rows, r)
	latency, err := h.applyDestroyTime(sz.latencyFloorN, sz.latency, sz)
	if err != nil {
		return nil, err
	}
	rows = append(rows, latency...)
	r, err = h.accessTokenPlan(sz.ks[len(sz.ks)-1], sz)
	if err != nil {
		return nil, err
	}
	rows = append(rows, r)
	logs, err := h.logLevels(sz.ratioN, sz)
	if err != nil {
		return nil, err
	}
	rows = append(rows, logs)
	startup, err := h.startup(sz.validateRuns)
	if err != nil {
		return nil, err
	}
	rows = append(rows, startup...)

	return rows, nil
}
