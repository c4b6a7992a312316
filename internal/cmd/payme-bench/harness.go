package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// harness owns the local environment (built provider, sandbox, CLI
// configuration) and runs the CLI in it.
type harness struct {
	ctx     context.Context // ended by Ctrl-C
	tf      string
	work    string
	env     *devoverride.Env
	latency atomic.Int64 // nanoseconds added before every sandbox answer
}

func newHarness(ctx context.Context) (*harness, error) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		return nil, errors.New("TF_ACC_TERRAFORM_PATH is not set: run through make bench, which finds the CLI")
	}
	work, err := os.MkdirTemp("", "payme-bench-*")
	if err != nil {
		return nil, err
	}
	h := &harness{ctx: ctx, tf: tf, work: work}
	cfg := sandbox.DefaultConfig()
	// Distinct scope sets need scopes the demo client may ask for.
	for i := range 100 {
		cfg.Clients[0].Scopes = append(cfg.Clients[0].Scopes, "bench:"+strconv.Itoa(i))
	}
	// The provider is built as a release is: the size and start-up figures
	// are a user's.
	h.env, err = devoverride.Start(ctx, work, devoverride.Options{Sandbox: sandbox.New(cfg), Wrap: h.delay})
	if err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

// delay holds every answer of the Pay-me API (not the control endpoints)
// for the latency currently set.
func (h *harness) delay(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(h.latency.Load()); d > 0 && !strings.HasPrefix(r.URL.Path, "/_sandbox") {
			time.Sleep(d)
		}
		next.ServeHTTP(w, r)
	})
}

func (h *harness) close() {
	if h.env != nil {
		_ = h.env.Close()
	}
	devoverride.RemoveProvider()
	_ = os.RemoveAll(h.work)
}

func (h *harness) sandbox() *sandbox.Server { return h.env.Sandbox }

// dir makes a fresh working directory holding main.tf.
func (h *harness) dir(name, config string) (string, error) {
	d := filepath.Join(h.work, name)
	if err := os.MkdirAll(d, 0o700); err != nil {
		return "", err
	}
	return d, os.WriteFile(filepath.Join(d, "main.tf"), []byte(config), 0o600)
}

// cli runs the CLI in dir with extra environment variables and returns how
// long it took.
func (h *harness) cli(dir string, env []string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(h.ctx, h.tf, args...)
	cmd.Dir = dir
	cmd.Env = h.env.Environ(env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w\n%s", filepath.Base(h.tf), strings.Join(args, " "), err, out)
	}
	return time.Since(start), nil
}

var (
	applyDestroy = [][]string{
		{"apply", "-auto-approve", "-input=false", "-no-color"},
		{"destroy", "-auto-approve", "-input=false", "-no-color"},
	}
	validate = [][]string{{"validate", "-no-color"}}
)

// variant is one side of a side-by-side measurement.
type variant struct {
	name, config string
	env          []string
}

// sideBySide is the one timing loop: it runs the commands in a fresh
// directory for every variant, repeats times, interleaved so that noise
// hits all alike, and returns the medians of the total times in the
// variants' order.
func (h *harness) sideBySide(label string, repeats int, commands [][]string, variants ...variant) ([]time.Duration, error) {
	runs := make([][]time.Duration, len(variants))
	for i := range repeats {
		for j, v := range variants {
			dir, err := h.dir(fmt.Sprintf("%s-%d-%s", label, i, v.name), v.config)
			if err != nil {
				return nil, err
			}
			d, err := h.timeCommands(dir, v.env, commands)
			if err != nil {
				return nil, err
			}
			runs[j] = append(runs[j], d)
		}
	}
	medians := make([]time.Duration, len(runs))
	for j, r := range runs {
		medians[j] = median(r)
	}
	return medians, nil
}

// timeCommands runs the commands in dir in turn and returns their total
// time.
func (h *harness) timeCommands(dir string, env []string, commands [][]string) (time.Duration, error) {
	var total time.Duration
	for _, args := range commands {
		d, err := h.cli(dir, env, args...)
		if err != nil {
			return 0, err
		}
		total += d
	}
	return total, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
