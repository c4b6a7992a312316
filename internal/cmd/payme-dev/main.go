// Command payme-dev gives shell scripts the one local environment of
// package devoverride: the provider built once, the Pay-me sandbox on
// loopback and a CLI configuration whose dev_overrides use the build.
//
//	payme-dev env -dir DIR -env-file FILE
//	    builds the provider into DIR, serves the sandbox, writes the CLI
//	    configuration into DIR, then writes FILE (atomically, once all is
//	    ready) with the environment as shell exports, and serves until
//	    interrupted or terminated. make demo runs it.
//	payme-dev schema -o FILE
//	    writes the provider's schema as `terraform providers schema -json`
//	    prints it, for tfplugindocs. make generate runs it.
//
// Both read the CLI to run from TF_ACC_TERRAFORM_PATH (tools/tfcli.sh).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "payme-dev:", err)
		os.Exit(1)
	}
}

const usage = "usage: payme-dev env -dir DIR -env-file FILE | payme-dev schema -o FILE"

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("payme-dev "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	switch args[0] {
	case "env":
		dir := fs.String("dir", "", "the `folder` for the build and the CLI configuration (required)")
		envFile := fs.String("env-file", "", "the `file` to write the shell exports to (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *dir == "" || *envFile == "" {
			return errors.New("env needs -dir and -env-file")
		}
		return serveEnv(ctx, *dir, *envFile)
	case "schema":
		out := fs.String("o", "", "the `file` to write the schema to (required)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("schema needs -o")
		}
		return writeSchema(ctx, *out)
	default:
		return errors.New(usage)
	}
}
