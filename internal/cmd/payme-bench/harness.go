package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// floorRC is a CLI configuration whose dev_overrides point the
	// provider's address at the floor plugin (internal/cmd/payme-floor).
	floorRC string
	// floorValues is the file of a real token's state values that the
	// floor's resources hold (PAYME_FLOOR_VALUES).
	floorValues string
	runs        io.Writer // if set, gets a line for every timed run (-v)
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
	if err == nil {
		h.floorRC, err = buildFloor(ctx, work)
	}
	if err == nil {
		h.floorValues, err = h.captureValues()
	}
	if err != nil {
		h.close()
		return nil, err
	}
	return h, nil
}

// buildFloor builds the floor plugin as the provider is built, and writes
// a CLI configuration that serves it under the provider's address.
func buildFloor(ctx context.Context, work string) (string, error) {
	dir := filepath.Join(work, "floor")
	out, err := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", //nolint:gosec // fixed command
		filepath.Join(dir, "terraform-provider-payme"), floorPackage).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", floorPackage, err, out)
	}
	rc := filepath.Join(work, "floor.tfrc")
	return rc, devoverride.WriteCLIConfig(rc, dir)
}

const floorPackage = "github.com/payme-community/terraform-provider-payme/internal/cmd/payme-floor"

// floorEnv makes a variant run the floor plugin in place of the provider;
// with derive, the floor derives the sealing key from the client
// credentials where the provider does, as it must without a sealing_key,
// and it waits the latency the sandbox adds where the provider calls Pay-me.
func (h *harness) floorEnv(derive bool) []string {
	env := []string{"TF_CLI_CONFIG_FILE=" + h.floorRC, "PAYME_FLOOR_VALUES=" + h.floorValues,
		"PAYME_FLOOR_WAIT=" + time.Duration(h.latency.Load()).String()}
	if derive {
		env = append(env, "PAYME_FLOOR_DERIVE=1")
	}
	return env
}

// captureValues creates one token with the provider, keeps its state's
// values (attributes and private state) in a file for the floor to hold,
// and destroys it: Terraform's work per resource grows with what the
// resource holds. For 100 tokens applied and destroyed, Terraform itself
// used 2.70 s of CPU beside a floor holding 5-character strings and 3.09 s
// beside one holding 100-character strings (medians of 5).
func (h *harness) captureValues() (string, error) {
	dir, err := h.dir("capture", refreshTokens(1))
	if err != nil {
		return "", err
	}
	if _, err := h.timeCommands(dir, nil, applyDestroy[:1]); err != nil {
		return "", err
	}
	raw, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		return "", err
	}
	var state struct {
		Resources []struct {
			Instances []json.RawMessage `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil {
		return "", err
	}
	if len(state.Resources) != 1 || len(state.Resources[0].Instances) != 1 {
		return "", errors.New("the captured state does not hold exactly one token")
	}
	path := filepath.Join(h.work, "floor-values.json")
	if err := os.WriteFile(path, state.Resources[0].Instances[0], 0o600); err != nil {
		return "", err
	}
	_, err = h.timeCommands(dir, nil, applyDestroy[1:])
	return path, err
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

// cost is what a command took: wall time, and the CPU time (user plus
// system) and minor page faults of its whole process tree. The kernel adds
// a process's reaped children to its own rusage, and Terraform reaps the
// plugins it starts, so the CLI's rusage counts the provider too.
type cost struct {
	wall, cpu time.Duration
	faults    int64
}

func (c cost) add(d cost) cost { return cost{c.wall + d.wall, c.cpu + d.cpu, c.faults + d.faults} }

// cli runs the CLI in dir with extra environment variables (later ones
// win) and returns what it cost.
func (h *harness) cli(dir string, env []string, args ...string) (cost, error) {
	cmd := exec.CommandContext(h.ctx, h.tf, args...)
	cmd.Dir = dir
	cmd.Env = h.env.Environ(env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return cost{}, fmt.Errorf("%s %s: %w\n%s", filepath.Base(h.tf), strings.Join(args, " "), err, out)
	}
	return cost{wall: time.Since(start), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(),
		faults: minorFaults(cmd.ProcessState)}, nil
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
// hits all alike, and returns the medians of the total wall and CPU times
// (each its own median) in the variants' order. Each round starts one
// variant later than the one before (turn), so that none always runs
// first, or always right after the same neighbour.
func (h *harness) sideBySide(label string, repeats int, commands [][]string, variants ...variant) ([]cost, error) {
	runs := make([][]cost, len(variants))
	for i := range repeats {
		for _, j := range turn(i, len(variants)) {
			v := variants[j]
			dir, err := h.dir(fmt.Sprintf("%s-%d-%s", label, i, v.name), v.config)
			if err != nil {
				return nil, err
			}
			d, err := h.timeCommands(dir, v.env, commands)
			if err != nil {
				return nil, err
			}
			runs[j] = append(runs[j], d)
			if h.runs != nil {
				fmt.Fprintf(h.runs, "%s\tround %d\t%s\twall %.3f s\tCPU %.3f s\t%d faults\n",
					label, i, v.name, d.wall.Seconds(), d.cpu.Seconds(), d.faults)
			}
		}
	}
	medians := make([]cost, len(runs))
	for j, r := range runs {
		medians[j] = cost{
			wall: median(r, func(c cost) time.Duration { return c.wall }),
			cpu:  median(r, func(c cost) time.Duration { return c.cpu }),
		}
	}
	return medians, nil
}

// timeCommands runs the commands in dir in turn and returns their total
// cost.
func (h *harness) timeCommands(dir string, env []string, commands [][]string) (cost, error) {
	var total cost
	for _, args := range commands {
		c, err := h.cli(dir, env, args...)
		if err != nil {
			return cost{}, err
		}
		total = total.add(c)
	}
	return total, nil
}

// turn is the order of n variants in round i: rotated by i.
func turn(i, n int) []int {
	order := make([]int, n)
	for k := range order {
		order[k] = (i + k) % n
	}
	return order
}

func median(cs []cost, of func(cost) time.Duration) time.Duration {
	s := make([]time.Duration, len(cs))
	for i, c := range cs {
		s[i] = of(c)
	}
	slices.Sort(s)
	return s[len(s)/2]
}
