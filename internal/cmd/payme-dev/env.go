package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/payme-community/terraform-provider-payme/internal/devoverride"
	"github.com/payme-community/terraform-provider-payme/internal/sandbox"
)

// serveEnv builds, starts and describes the environment, then serves the
// sandbox until ctx ends.
func serveEnv(ctx context.Context, dir, envFile string) error {
	plugins, err := devoverride.Build(ctx, filepath.Join(dir, "plugins"))
	if err != nil {
		return err
	}
	env, err := devoverride.Start(ctx, dir, devoverride.Options{
		Plugins: plugins,
		Sandbox: sandbox.New(sandbox.DefaultConfig()),
	})
	if err != nil {
		return err
	}
	defer func() { _ = env.Close() }()
	if err := writeAtomic(envFile, exports(env.Vars())); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// exports renders KEY=VALUE pairs as shell export lines.
func exports(vars []string) string {
	var b strings.Builder
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		b.WriteString("export " + k + "=" + shellQuote(v) + "\n")
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell: single quotes, each inner single
// quote closed, escaped with a backslash, and reopened.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeAtomic writes through a temporary file and a rename, so that a
// script waiting for path never reads it half written.
func writeAtomic(path, content string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
