package main

import (
	"fmt"
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

// applyDestroyTime times apply plus destroy of n refresh tokens against the
// floor plugin (the goal) and terraform_data (information), the median of
// sz.repeats interleaved runs each. The floor derives the sealing key where
// the provider does, as every plugin that seals with a key derived from the
// client secret must; at the judged N, a floor that does not is measured in
// the same run, for information. With latency, the floor waits it where the
// provider calls Pay-me, so that Terraform's own work while it waits is on
// both sides.
func (h *harness) applyDestroyTime(n int, latency time.Duration, sz sizes) ([]row, error) {
	h.latency.Store(int64(latency))
	defer h.latency.Store(0)
	ours := refreshTokens(n)
	data := devoverride.Preamble + fmt.Sprintf(`
resource "terraform_data" "t" {
  count = %d
  input = count.index
}
`, n)
	variants := []variant{{name: "ours", config: ours}, {name: "floor", config: ours, env: h.floorEnv(true)},
		{name: "data", config: data}}
	judged := latency == 0 && n == sz.ratioN
	if judged {
		variants = append(variants, variant{name: "bare", config: ours, env: h.floorEnv(false)})
	}
	costs, err := h.sideBySide(fmt.Sprintf("apply-%d-%s", n, latency), sz.repeats, applyDestroy, variants...)
	if err != nil {
		return nil, err
	}
	if live := h.sandbox().LiveRefreshTokens(); live != 0 {
		return nil, fmt.Errorf("%d refresh tokens still live after destroy", live)
	}
	r := timed(applyFigure, costs[0], costs[1])
	r.info = costs[2]
	if latency == 0 {
		r.name = fmt.Sprintf("N=%d, sandbox answers at once", n)
		r.note = "baseline: the floor plugin, deriving the sealing key as the provider must"
		if !judged {
			return []row{r}, nil
		}
		r.goal = goalApply
		bare := timed(applyFigure, costs[0], costs[3])
		bare.name, bare.note = r.name, "baseline: the floor plugin without the key derivation, for information"
		return []row{r, bare}, nil
	}
	r.name = fmt.Sprintf("N=%d, %s latency", n, latency)
	r.note = fmt.Sprintf("baseline: the floor plugin, deriving the sealing key and waiting %s for each Pay-me "+
		"call as the provider must", latency)
	if n == sz.latencyFloorN {
		r.goal = goalLatency
	}
	return []row{r}, nil
}

const applyFigure = "2. apply + destroy"

// benchSealingKey is a sealing_key for the figure without Argon2id; it
// seals only the benchmark's throwaway tokens.
const benchSealingKey = "q7Vh2LmX9pRt4WcZ8nKd3FsB6yJg1NaE5uTo0iYv"

// sealingKeyTime times apply plus destroy of n tokens with a dedicated
// sealing_key, whose key HKDF derives in microseconds, against the floor:
// the difference from the judged row is Argon2id's, which each plugin
// process that seals or opens a token pays once. For information.
func (h *harness) sealingKeyTime(n int, sz sizes) (row, error) {
	config := refreshTokens(n)
	costs, err := h.sideBySide(fmt.Sprintf("sealing-key-%d", n), sz.repeats, applyDestroy,
		variant{name: "ours", config: config, env: []string{"PAYME_SEALING_KEY=" + benchSealingKey}},
		variant{name: "floor", config: config, env: h.floorEnv(false)})
	if err != nil {
		return row{}, err
	}
	r := timed(applyFigure, costs[0], costs[1])
	r.name = fmt.Sprintf("N=%d with a sealing_key, so no Argon2id", n)
	r.note = "baseline: the floor plugin"
	return r, nil
}

// accessTokenPlan times one terraform plan that opens k identical
// payme_access_token blocks (one Pay-me request) against the floor's
// ephemeral resource (none).
func (h *harness) accessTokenPlan(k int, sz sizes) (row, error) {
	config := devoverride.Preamble + fmt.Sprintf(`
ephemeral "payme_access_token" "t" {
  count  = %d
  scopes = ["create:token"]
}
`, k)
	costs, err := h.sideBySide(fmt.Sprintf("ephemeral-%d", k), sz.repeats, [][]string{{"plan", "-input=false", "-no-color"}},
		variant{name: "ours", config: config}, variant{name: "floor", config: config, env: h.floorEnv(false)})
	if err != nil {
		return row{}, err
	}
	r := timed("2. plan with ephemeral payme_access_token", costs[0], costs[1])
	r.name, r.note, r.goal = fmt.Sprintf("K=%d identical blocks", k), "baseline: the floor plugin", goalEphemeral
	return r, nil
}

// logLevels measures what loglevel.Match saves: the same apply
// plus destroy with the provider's default log levels, and with the plugin
// SDK and provider loggers at TRACE, as the SDK has them unless told
// otherwise. Terraform drops those lines either way (TF_LOG is unset).
func (h *harness) logLevels(n int, sz sizes) (row, error) {
	config := refreshTokens(n)
	costs, err := h.sideBySide(fmt.Sprintf("logs-%d", n), sz.repeats, applyDestroy,
		variant{name: "default", config: config},
		variant{name: "trace", config: config, env: []string{"TF_LOG_SDK=TRACE", "TF_LOG_PROVIDER=TRACE"}})
	if err != nil {
		return row{}, err
	}
	r := timed(applyFigure, costs[0], costs[1])
	r.name = fmt.Sprintf("N=%d, provider log levels matched to Terraform's", n)
	r.note = "baseline: the same with the SDK's default TRACE logging"
	return r, nil
}

// startup compares terraform validate with the provider and with the floor
// (and, for information, without either), and reads the provider's peak
// RSS during an apply and its binary size.
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
	costs, err := h.sideBySide("validate", runs, validate,
		variant{name: "with", config: with}, variant{name: "floor", config: with, env: h.floorEnv(false)},
		variant{name: "without", config: without})
	if err != nil {
		return nil, err
	}
	v := timed(startupFigure, costs[0], costs[1])
	v.name, v.note, v.goal, v.info = "terraform validate", "baseline: the floor plugin", goalValidate, costs[2]
	rss, err := h.peakRSS()
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(filepath.Join(h.env.Plugins, "terraform-provider-payme"))
	if err != nil {
		return nil, err
	}
	const mib = 1 << 20
	return []row{
		v,
		{figure: startupFigure, name: "provider peak RSS (apply of 10 tokens)", unit: "MiB", ours: float64(rss) / mib,
			goal: goalRSS, ref: 1},
		{figure: startupFigure, name: "provider binary size (-trimpath -s -w)", unit: "MiB", ours: float64(info.Size()) / mib},
	}, nil
}

const startupFigure = "3. start-up and footprint"

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
