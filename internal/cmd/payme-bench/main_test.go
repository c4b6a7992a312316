package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the harness at its smallest sizes so that make test keeps
// it working; the figures themselves are only meaningful from make bench.
func TestSmoke(t *testing.T) {
	if os.Getenv("TF_ACC") == "" || os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		t.Skip("set TF_ACC and TF_ACC_TERRAFORM_PATH (make test does) to run the benchmark smoke test")
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-smoke"}, &out); err != nil {
		t.Fatal(err)
	}
	report := out.String()
	for _, want := range []string{
		"| 1. /token requests per Terraform process | K=3 identical blocks (baseline: one request per block) | 1 requests | 3 requests | 0.33 | - | exactly 1 | yes |",
		"| 1. /token requests per Terraform process | K=3 distinct scope sets (baseline: one request per block) | 3 requests | 3 requests | 1.00 | - | exactly 3 | yes |",
		"| 1. /token requests per Terraform process | K=3 sealed tokens opened (baseline: one refresh grant per token) | 0 requests | 3 requests | 0.00 | - | exactly 0 | yes |",
		"| 2. apply + destroy | N=3, sandbox answers at once (baseline: the floor plugin, deriving the sealing key as the provider must) | ",
		"| 2. apply + destroy | N=3, sandbox answers at once (baseline: the floor plugin without the key derivation, for information) | ",
		"| 2. apply + destroy | N=3 with a sealing_key, so no Argon2id (baseline: the floor plugin) | ",
		"| 2. apply + destroy | N=3, 10ms latency (baseline: the floor plugin, deriving the sealing key and waiting 10ms for each Pay-me call as the provider must) | ",
		"| 2. plan with ephemeral payme_access_token | K=3 identical blocks (baseline: the floor plugin) | ",
		"| 3. start-up and footprint | terraform validate (baseline: the floor plugin) | ",
		"3. start-up and footprint | provider peak RSS",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	for _, g := range goals {
		if n := strings.Count(report, g.reason.text); n > 1 {
			t.Errorf("the report gives the reason %q %d times", g.reason.title, n)
		}
	}
	// Every timed row gives CPU beside wall, for ours and its baseline.
	for line := range strings.SplitSeq(report, "\n") {
		if strings.HasPrefix(line, "| 2.") && strings.Count(line, ", CPU ") < 3 {
			t.Errorf("a timed row lacks CPU beside wall: %s", line)
		}
	}
}

// TestTimedGoals: a timed row meets its goal only if wall and CPU both do.
func TestTimedGoals(t *testing.T) {
	t.Parallel()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	c := func(wall, cpu int) cost { return cost{wall: ms(wall), cpu: ms(cpu)} }
	cases := map[string]struct {
		ours, floor cost
		met         bool
		over        []string
	}{
		"both within":       {ours: c(1100, 1100), floor: c(1000, 1000), met: true},
		"wall over":         {ours: c(1200, 1000), floor: c(1000, 1000), over: []string{"wall 1.2 s"}},
		"CPU over":          {ours: c(1000, 1200), floor: c(1000, 1000), over: []string{"CPU 1.2 s"}},
		"both over":         {ours: c(1500, 1500), floor: c(1000, 1000), over: []string{"wall 1.5 s", "CPU 1.5 s"}},
		"faster than floor": {ours: c(900, 900), floor: c(1000, 1000), met: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := timed("2", tc.ours, tc.floor)
			r.goal = goalApply
			if r.met() != tc.met {
				t.Errorf("met = %v, want %v", r.met(), tc.met)
			}
			for _, want := range tc.over {
				if !strings.Contains(r.overBy(), want) {
					t.Errorf("overBy() = %q, lacks %q", r.overBy(), want)
				}
			}
		})
	}
}

// TestReportSaysEachReasonOnce misses three goals for one reason: the
// report names all three and explains the reason once.
func TestReportSaysEachReasonOnce(t *testing.T) {
	t.Parallel()
	rows := []row{
		{figure: "2", name: "a", ours: 2, baseline: 1, oursCPU: 1, baseCPU: 1, unit: "s", goal: goalApply},
		{figure: "2", name: "b", ours: 1, baseline: 1, oursCPU: 3, baseCPU: 1, unit: "s", goal: goalLatency},
		{figure: "3", name: "c", ours: 2, baseline: 1, oursCPU: 2, baseCPU: 1, unit: "s", goal: goalValidate},
		{figure: "3", name: "d", ours: 20, unit: "MiB", goal: goalRSS, ref: 1},
	}
	var b strings.Builder
	writeMissed(&b, rows)
	out := b.String()
	for _, name := range []string{"**2, a**", "**2, b**", "**3, c**"} {
		if !strings.Contains(out, name) {
			t.Errorf("the missed goals lack %s:\n%s", name, out)
		}
	}
	if strings.Contains(out, "**3, d**") || strings.Contains(out, reasonRSS.text) {
		t.Errorf("a met goal is listed as missed:\n%s", out)
	}
	if n := strings.Count(out, reasonProvider.text); n != 1 {
		t.Errorf("the reason is given %d times, want once:\n%s", n, out)
	}
}

// TestTrimProfile keeps the total, the heads, the handlers and our own
// functions, and drops the runtime's.
func TestTrimProfile(t *testing.T) {
	t.Parallel()
	top := `File: terraform-provider-payme
Build ID: 1234
Duration: 13.11s, Total samples = 2.26s (17.24%)
      flat  flat%   sum%        cum   cum%
         0     0%     0%      0.70s 30.97%  github.com/hashicorp/terraform-plugin-go/tfprotov6/internal/tfplugin6._Provider_PlanResourceChange_Handler
     0.02s  0.88%  0.88%      0.70s 30.97%  runtime.mallocgc
         0     0%  7.96%      0.18s  7.96%  github.com/payme-community/terraform-provider-payme/internal/provider.(*refreshTokenResource).Create
`
	got := trimProfile(top)
	for _, want := range []string{"Total samples = 2.26s", "flat%", "_PlanResourceChange_Handler", "refreshTokenResource).Create"} {
		if !strings.Contains(got, want) {
			t.Errorf("trimProfile dropped %q:\n%s", want, got)
		}
	}
	for _, not := range []string{"Build ID", "runtime.mallocgc"} {
		if strings.Contains(got, not) {
			t.Errorf("trimProfile kept %q:\n%s", not, got)
		}
	}
}

// TestBreakdown: each part sums its functions' cumulative times (pprof
// writes seconds or milliseconds), beside the floor's, and the rest is what
// the parts leave of the difference in totals.
func TestBreakdown(t *testing.T) {
	t.Parallel()
	provider := `Duration: 3.24s, Total samples = 2.59s (80.06%)
      flat  flat%   sum%        cum   cum%
         0     0%     0%      0.29s 11.20%  golang.org/x/crypto/argon2.processBlocks.func1
         0     0%     0%       10ms  0.39%  golang.org/x/crypto/argon2.IDKey
         0     0%     0%      0.07s  2.70%  github.com/payme-community/terraform-provider-payme/internal/paymeauth.(*Client).Token
         0     0%     0%      0.25s  9.65%  runtime.gcBgMarkWorker
`
	floor := `Duration: 2.43s, Total samples = 1.63s (67.16%)
      flat  flat%   sum%        cum   cum%
         0     0%     0%      0.20s 15.34%  runtime.gcBgMarkWorker
`
	got := breakdown(provider, floor)
	for _, want := range []string{
		"| every plugin process, in all | 2.59 | 1.63 | +0.96 |",
		"| Argon2id key derivation (once per process that seals or opens) | 0.30 | 0.00 | +0.30 |",
		"| Pay-me calls: the auth client and its HTTP connections | 0.07 | 0.00 | +0.07 |",
		"| Garbage collection | 0.25 | 0.20 | +0.05 |",
		"| the rest | | | +0.54 |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("breakdown lacks %q:\n%s", want, got)
		}
	}
}

// TestMinorFaults: a finished child reports the pages it faulted in, on
// the systems that count them.
func TestMinorFaults(t *testing.T) {
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	n := minorFaults(cmd.ProcessState)
	if faultsCounted && n <= 0 {
		t.Errorf("a Go process started and exited with %d minor page faults", n)
	}
}

// TestTurn: every round runs each variant once, and over as many rounds as
// there are variants each variant runs once in every position.
func TestTurn(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 4; n++ {
		positions := make([]map[int]bool, n)
		for j := range positions {
			positions[j] = map[int]bool{}
		}
		for i := range n {
			seen := map[int]bool{}
			for pos, j := range turn(i, n) {
				seen[j] = true
				positions[j][pos] = true
			}
			if len(seen) != n {
				t.Errorf("round %d of %d variants runs %v", i, n, turn(i, n))
			}
		}
		for j, p := range positions {
			if len(p) != n {
				t.Errorf("with %d variants, variant %d runs only in positions %v", n, j, p)
			}
		}
	}
}
