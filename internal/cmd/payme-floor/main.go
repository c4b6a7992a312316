// Command payme-floor is the benchmark's floor: a plugin with the provider's
// own schemas and no logic, served under the provider's address. make bench
// judges the provider against it, because it pays everything a plugin
// cannot avoid (process start, gRPC, the framework's encoding and schema
// checks, Terraform's work per resource) and nothing the provider adds.
// With PAYME_FLOOR_DERIVE set it also makes the provider's Argon2id key
// derivation where the provider does, and with PAYME_FLOOR_WAIT it waits
// that long where the provider calls Pay-me: every plugin doing the
// provider's job pays both.
// Its schemas are taken from provider.New, so the two cannot drift; its
// resources make computed values up, and its ephemeral resources open
// without calling anything.
//
// The same binary serves the real provider when PAYME_BENCH_SERVE is
// "provider", so that both can be profiled alike: PAYME_BENCH_CPUPROFILE
// names a folder where each plugin process writes cpu-<pid>.pprof. Neither
// variable exists in the provider binary, which never contains this
// command.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/payme-community/terraform-provider-payme/internal/provider"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// unavoidableFromEnv is what the floor pays beside the provider: the
// derivation the provider makes without a sealing_key, from the client
// credentials in its environment, when PAYME_FLOOR_DERIVE asks for it (the
// same function, so the same cost, once per process); and the latency
// PAYME_FLOOR_WAIT names, per Pay-me call.
func unavoidableFromEnv() (unavoidable, error) {
	var u unavoidable
	if os.Getenv("PAYME_FLOOR_DERIVE") != "" {
		key := seal.FromClientCredentials(os.Getenv("PAYME_CLIENT_ID"), os.Getenv("PAYME_CLIENT_SECRET"))
		u.derive = func() { key.ID() }
	}
	if w := os.Getenv("PAYME_FLOOR_WAIT"); w != "" {
		d, err := time.ParseDuration(w)
		if err != nil {
			return u, fmt.Errorf("PAYME_FLOOR_WAIT: %w", err)
		}
		u.wait = d
	}
	return u, nil
}

func main() {
	if err := serve(); err != nil {
		log.Fatal(err)
	}
}

func serve() error {
	// As the provider's main does (log_levels.go): Terraform drops the
	// plugin's log lines unless TF_LOG asks for them, so the plugin need not
	// write them. TF_LOG is unset in the benchmark.
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_PAYME"} {
		if _, ok := os.LookupEnv(name); !ok {
			_ = os.Setenv(name, "OFF")
		}
	}
	if dir := os.Getenv("PAYME_BENCH_CPUPROFILE"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		// Serve returns when Terraform shuts the plugin down, so the profile
		// is complete.
		defer pprof.StopCPUProfile()
	}
	p := provider.New("floor")
	if os.Getenv("PAYME_BENCH_SERVE") != "provider" {
		held, err := loadHeld(os.Getenv("PAYME_FLOOR_VALUES"))
		if err != nil {
			return err
		}
		paid, err := unavoidableFromEnv()
		if err != nil {
			return err
		}
		p = newFloor(p, held, paid)
	}
	return providerserver.Serve(context.Background(), p, providerserver.ServeOpts{
		Address: "registry.terraform.io/payme-community/payme",
	})
}
