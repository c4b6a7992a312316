package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
)

// docsConfig requires the provider under the address tfplugindocs reads.
const docsConfig = `terraform {
  required_providers {
    payme = {
      source = "` + devoverride.DocsSource + `"
    }
  }
}
`

// writeSchema asks the CLI for the provider's schema, through a CLI
// configuration that overrides devoverride.DocsSource, so that tfplugindocs
// downloads no Terraform of its own.
func writeSchema(ctx context.Context, out string) error {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		return errors.New("TF_ACC_TERRAFORM_PATH is not set: run through make generate, which finds the CLI")
	}
	dir, err := os.MkdirTemp("", "payme-schema-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	env, err := devoverride.Start(ctx, dir, devoverride.Options{Sources: []string{devoverride.DocsSource}})
	defer devoverride.RemoveProvider()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(docsConfig), 0o600); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, tf, "providers", "schema", "-json")
	cmd.Dir = dir
	cmd.Env = env.Environ()
	cmd.Stderr = os.Stderr
	schema, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s providers schema: %w", filepath.Base(tf), err)
	}
	return os.WriteFile(out, schema, 0o600)
}
