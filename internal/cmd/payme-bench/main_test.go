package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
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
		"| 1. /token requests per Terraform process | K=3 identical blocks (baseline: one request per block) | 1 requests | 3 requests | 0.33 | exactly 1 | yes |",
		"| 1. /token requests per Terraform process | K=3 distinct scope sets (baseline: one request per block) | 3 requests | 3 requests | 1.00 | exactly 3 | yes |",
		"| 1. /token requests per Terraform process | K=3 sealed tokens opened (baseline: one refresh grant per token) | 0 requests | 3 requests | 0.00 | exactly 0 | yes |",
		"2. apply + destroy wall time | N=3, sandbox answers at once",
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
}

// TestReportSaysEachReasonOnce misses three goals for one reason: the
// report names all three and explains the reason once.
func TestReportSaysEachReasonOnce(t *testing.T) {
	t.Parallel()
	rows := []row{
		{figure: "2", name: "a", ours: 2, baseline: 1, unit: "s", goal: goalApply, ref: 1},
		{figure: "2", name: "b", ours: 3, baseline: 1, unit: "s", goal: goalLatency, ref: 1},
		{figure: "3", name: "c", ours: 2, baseline: 1, unit: "s", goal: goalValidate, ref: 1},
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
	if n := strings.Count(out, reasonPlugin.text); n != 1 {
		t.Errorf("the reason is given %d times, want once:\n%s", n, out)
	}
}
