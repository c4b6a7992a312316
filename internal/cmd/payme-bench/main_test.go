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
		"2. apply + destroy wall time | N=3, sandbox answers at once",
		"3. start-up and footprint | provider peak RSS",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
}
