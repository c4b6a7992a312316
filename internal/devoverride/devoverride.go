// Package devoverride is the one local environment: it builds the provider
// once, serves the Pay-me sandbox on loopback, writes a CLI configuration
// whose dev_overrides point Terraform and OpenTofu at the build, and
// returns the environment to run the CLI with. The CLI tests, the
// benchmark, make demo and make generate all run the provider this way
// (the scripts through internal/cmd/payme-dev), so a release-like binary,
// the override and the demo credentials are each written here only.
package devoverride

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

const module = "github.com/payme-community/terraform-provider-payme"

// Sources are the addresses the CLI configuration overrides by default:
// the provider under both registries' names, so that one file serves
// Terraform and OpenTofu.
var Sources = []string{
	"registry.terraform.io/payme-community/payme",
	"registry.opentofu.org/payme-community/payme",
}

// DocsSource is the address under which tfplugindocs looks the schema up.
const DocsSource = "registry.terraform.io/hashicorp/payme"

// Preamble starts a configuration for the local build: the provider (set up
// through PAYME_* environment variables) and an ephemeral password variable
// (TF_VAR_password).
const Preamble = `terraform {
  required_providers {
    payme = {
      source = "payme-community/payme"
    }
  }
}
provider "payme" {}
variable "password" {
  type      = string
  sensitive = true
  ephemeral = true
}
`

// Build compiles the provider into dir as a release would (-trimpath, no
// symbol table) and returns dir, the folder dev_overrides must name.
func Build(ctx context.Context, dir string) (string, error) {
	//nolint:gosec // the command is fixed; dir is the caller's own folder
	out, err := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w",
		"-o", filepath.Join(dir, "terraform-provider-payme"), module).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", module, err, out)
	}
	return dir, nil
}

var built struct {
	once sync.Once
	dir  string
	err  error
}

// Provider builds the provider the first time it is called in a process,
// into a temporary folder that RemoveProvider deletes, and returns that
// folder.
func Provider(ctx context.Context) (string, error) {
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "payme-provider-*")
		if built.err == nil {
			_, built.err = Build(context.WithoutCancel(ctx), built.dir)
		}
	})
	return built.dir, built.err
}

// RemoveProvider deletes what Provider built, if anything.
func RemoveProvider() {
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}

// WriteCLIConfig writes a CLI configuration at path whose dev_overrides
// point sources (Sources when none are given) at the provider built in
// pluginsDir, and which otherwise installs nothing.
func WriteCLIConfig(path, pluginsDir string, sources ...string) error {
	if len(sources) == 0 {
		sources = Sources
	}
	var b strings.Builder
	b.WriteString("provider_installation {\n  dev_overrides {\n")
	for _, s := range sources {
		fmt.Fprintf(&b, "    %q = %q\n", s, pluginsDir)
	}
	b.WriteString("  }\n  direct {}\n}\n")
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
