package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
)

// The figures. Each returns its rows; the goals they are judged against
// are in goals.go.

// tokenRequests counts /token requests in one terraform plan process with k
// ephemeral blocks, identical or each with its own scope set.
func (h *harness) tokenRequests(k int, distinct bool) (row, error) {
	scopes := `["create:token"]`
	name, baseline, want := fmt.Sprintf("K=%d identical blocks", k), float64(k), 1.0
	if distinct {
		scopes = `["create:token", "bench:${count.index}"]`
		name, want = fmt.Sprintf("K=%d distinct scope sets", k), float64(k)
	}
	config := devoverride.Preamble + fmt.Sprintf(`
ephemeral "payme_access_token" "t" {
  count  = %d
  scopes = %s
}
check "opened" {
  assert {
    condition     = length([for t in ephemeral.payme_access_token.t : t.expires_in if t.expires_in > 0]) == %d
    error_message = "Not every token was opened."
  }
}
`, k, scopes, k)
	dir, err := h.dir(fmt.Sprintf("tokens-%d-%t", k, distinct), config)
	if err != nil {
		return row{}, err
	}
	before := h.sandbox().Requests("/token")
	if _, err := h.cli(dir, nil, "plan", "-input=false", "-no-color"); err != nil {
		return row{}, err
	}
	got := float64(h.sandbox().Requests("/token") - before)
	return row{figure: "1. /token requests per Terraform process", name: name, ours: got, baseline: baseline,
		unit: "requests", note: "baseline: one request per block", goal: goalTokens, ref: want}, nil
}

// openRequests counts Pay-me requests in one terraform plan that opens k
// sealed refresh tokens with payme_refresh_token_secret: opening is local.
func (h *harness) openRequests(k int) (row, error) {
	config := refreshTokens(k) + fmt.Sprintf(`
ephemeral "payme_refresh_token_secret" "t" {
  count                = %d
  id                   = payme_refresh_token.t[count.index].id
  sealed_refresh_token = payme_refresh_token.t[count.index].sealed_refresh_token
}
check "opened" {
  assert {
    condition     = length([for t in ephemeral.payme_refresh_token_secret.t : t if length(t.refresh_token) > 0]) == %d
    error_message = "Not every token was opened."
  }
}
`, k, k)
	dir, err := h.dir(fmt.Sprintf("open-%d", k), config)
	if err != nil {
		return row{}, err
	}
	if _, err := h.cli(dir, nil, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return row{}, err
	}
	requests := func() int { return h.sandbox().Requests("/token") + h.sandbox().Requests("/revoke") }
	before := requests()
	if _, err := h.cli(dir, nil, "plan", "-input=false", "-no-color"); err != nil {
		return row{}, err
	}
	got := float64(requests() - before)
	if _, err := h.cli(dir, nil, "destroy", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return row{}, err
	}
	return row{figure: "1. /token requests per Terraform process", name: fmt.Sprintf("K=%d sealed tokens opened", k),
		ours: got, baseline: float64(k), unit: "requests",
		note: "baseline: one refresh grant per token", goal: goalOpen, ref: 0}, nil
}

// refreshTokens is a configuration of n refresh tokens.
func refreshTokens(n int) string {
	return devoverride.Preamble + fmt.Sprintf(`
resource "payme_refresh_token" "t" {
  count       = %d
  username    = "merchant@example.com"
  password_wo = var.password
  scopes      = ["create:token"]
}
`, n)
}

// applyDestroy times apply plus destroy of n refresh tokens against n
// terraform_data resources, the median of sz.repeats runs each.
func (h *harness) applyDestroyTime(n int, latency time.Duration, sz sizes) (row, error) {
	h.latency.Store(int64(latency))
	defer h.latency.Store(0)
	ours := refreshTokens(n)
	base := devoverride.Preamble + fmt.Sprintf(`
resource "terraform_data" "t" {
  count = %d
  input = count.index
}
`, n)
	times, err := h.sideBySide(fmt.Sprintf("apply-%d-%s", n, latency), sz.repeats, applyDestroy,
		variant{name: "ours", config: ours}, variant{name: "baseline", config: base})
	if err != nil {
		return row{}, err
	}
	if live := h.sandbox().LiveRefreshTokens(); live != 0 {
		return row{}, fmt.Errorf("%d refresh tokens still live after destroy", live)
	}
	o, b := times[0], times[1]
	r := row{figure: "2. apply + destroy wall time", unit: "s", ours: o.Seconds(), baseline: b.Seconds()}
	if latency == 0 {
		r.name = fmt.Sprintf("N=%d, sandbox answers at once", n)
		r.note = "baseline: terraform_data"
		if n == sz.ratioN {
			r.goal, r.ref = goalApply, b.Seconds()
		}
		return r, nil
	}
	floor := time.Duration(math.Ceil(float64(n)/float64(sz.parallelism))) * latency * 2
	r.name = fmt.Sprintf("N=%d, %s latency", n, latency)
	r.note = fmt.Sprintf("floor: ceil(N/%d) x %s x 2 + baseline = %.2fs", sz.parallelism, latency, (floor + b).Seconds())
	if n == sz.latencyFloorN {
		r.goal, r.ref = goalLatency, (floor + b).Seconds()
	}
	return r, nil
}

// logLevels measures what loglevel.Match saves: the same apply
// plus destroy with the provider's default log levels, and with the plugin
// SDK and provider loggers at TRACE, as the SDK has them unless told
// otherwise. Terraform drops those lines either way (TF_LOG is unset).
func (h *harness) logLevels(n int, sz sizes) (row, error) {
	config := refreshTokens(n)
	times, err := h.sideBySide(fmt.Sprintf("logs-%d", n), sz.repeats, applyDestroy,
		variant{name: "default", config: config},
		variant{name: "trace", config: config, env: []string{"TF_LOG_SDK=TRACE", "TF_LOG_PROVIDER=TRACE"}})
	if err != nil {
		return row{}, err
	}
	return row{figure: "2. apply + destroy wall time", name: fmt.Sprintf("N=%d, provider log levels matched to Terraform's", n),
		note: "baseline: the same with the SDK's default TRACE logging", unit: "s",
		ours: times[0].Seconds(), baseline: times[1].Seconds()}, nil
}

// startup compares terraform validate with and without the provider, and
// reads the provider's peak RSS during an apply and its binary size.
func (h *harness) startup(runs int) ([]row, error) {
	with := devoverride.Preamble + `
resource "payme_refresh_token" "t" {
  scopes = ["create:token"]
}
`
	without := `
resource "terraform_data" "t" {
  input = "x"
}
`
	times, err := h.sideBySide("validate", runs, validate,
		variant{name: "with", config: with}, variant{name: "without", config: without})
	if err != nil {
		return nil, err
	}
	w, wo := times[0], times[1]
	rss, err := h.peakRSS()
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(filepath.Join(h.env.Plugins, "terraform-provider-payme"))
	if err != nil {
		return nil, err
	}
	const mib = 1 << 20
	const figure = "3. start-up and footprint"
	return []row{
		{figure: figure, name: "terraform validate", unit: "s", ours: w.Seconds(), baseline: wo.Seconds(),
			note: "baseline: a configuration without the provider", goal: goalValidate, ref: wo.Seconds()},
		{figure: figure, name: "provider peak RSS (apply of 10 tokens)", unit: "MiB", ours: float64(rss) / mib,
			goal: goalRSS, ref: 1},
		{figure: figure, name: "provider binary size (-trimpath -s -w)", unit: "MiB", ours: float64(info.Size()) / mib},
	}, nil
}

// peakRSS applies a small configuration while watching the provider
// process; VmHWM in /proc is the kernel's own high-water mark of its RSS.
func (h *harness) peakRSS() (int64, error) {
	if runtime.GOOS != "linux" {
		return 0, nil
	}
	dir, err := h.dir("rss", refreshTokens(10))
	if err != nil {
		return 0, err
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			if hwm := providerHWM(); hwm > peak.Load() {
				peak.Store(hwm)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	_, err = h.timeCommands(dir, nil, applyDestroy)
	close(stop)
	wg.Wait()
	return peak.Load(), err
}

// providerHWM returns the largest VmHWM, in bytes, of running provider
// processes.
func providerHWM() int64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/comm")
	var best int64
	for _, comm := range procs {
		name, err := os.ReadFile(comm)
		if err != nil || !strings.HasPrefix(string(name), "terraform-provi") {
			continue
		}
		status, err := os.ReadFile(filepath.Join(filepath.Dir(comm), "status"))
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				best = max(best, kb*1024)
			}
		}
	}
	return best
}
