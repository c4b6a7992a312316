// Package loglevel matches the plugin SDK's and the provider's log levels to
// the level Terraform keeps.
package loglevel

import "os"

// Match keeps the plugin SDK and the provider from writing log lines that
// Terraform will drop; main calls it before serving. Terraform
// keeps a provider's lines only at the level TF_LOG_PROVIDER (or else
// TF_LOG) asks for, but the SDK writes every line at TRACE unless told
// otherwise, and Terraform parses each one before dropping it: on every RPC,
// in both processes (docs/benchmarks.md measures the difference). In the
// plugin, the SDK's loggers read TF_LOG_SDK and the provider's own logger
// (tflog, the paymeauth subsystem included) reads TF_LOG_PROVIDER_PAYME,
// named after the provider's type; TF_LOG_PROVIDER itself is read only by
// Terraform. Levels the user set explicitly are left alone.
func Match() {
	for name, level := range levels(os.LookupEnv) {
		_ = os.Setenv(name, level)
	}
}

// levels returns the variables to set, given the environment.
func levels(lookup func(string) (string, bool)) map[string]string {
	keep, _ := lookup("TF_LOG_PROVIDER")
	if keep == "" {
		keep, _ = lookup("TF_LOG")
	}
	if keep == "" {
		keep = "OFF"
	}
	set := map[string]string{}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER", providerLogLevel} {
		if _, ok := lookup(name); !ok {
			set[name] = keep
		}
	}
	return set
}

// providerLogLevel is the variable the plugin SDK reads the level of the
// provider's logger from: TF_LOG_PROVIDER_ and the provider type in upper
// case (terraform-plugin-go's tf6server.New).
const providerLogLevel = "TF_LOG_PROVIDER_PAYME"
