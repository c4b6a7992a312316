// Package devoverride points a Terraform or OpenTofu CLI at a local build of
// the provider, the way the demo, the CLI tests and the benchmarks run it:
// a release-like binary and a CLI configuration whose dev_overrides name it
// under both registries' addresses, so one file serves both CLIs.
package devoverride

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

const module = "github.com/payme-community/terraform-provider-payme"

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

// WriteCLIConfig writes a CLI configuration at path whose dev_overrides use
// the provider built in pluginsDir, and which otherwise installs nothing.
func WriteCLIConfig(path, pluginsDir string) error {
	return os.WriteFile(path, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "registry.terraform.io/payme-community/payme" = %[1]q
    "registry.opentofu.org/payme-community/payme" = %[1]q
  }
  direct {}
}
`, pluginsDir), 0o600)
}
