package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// goBenchmarks runs the auth client's Go benchmarks count times and returns
// them as a Markdown section, summarised by benchstat. It runs from the
// module root, as make bench does.
func goBenchmarks(ctx context.Context, count int) (string, error) {
	return benchstatSection(ctx, count, "./internal/paymeauth", "paymeauth", "Go benchmarks of the auth client",
		"Cache hit: a token served from the cache; cache miss: a full round trip to the in-process sandbox; "+
			"concurrent 64: 64 goroutines asking a cold client for one token (requests/op must be 1).")
}

// sealBenchmarks runs the sealing benchmarks: above all what deriving the
// key from client credentials costs, which a provider process pays once,
// on its first seal or open.
func sealBenchmarks(ctx context.Context, count int) (string, error) {
	return benchstatSection(ctx, count, "./internal/seal", "seal", "Go benchmarks of sealing",
		"DeriveFromClientCredentials/argon2id is the cost a provider process pays once, on its first seal or open, "+
			"for a key derived from client credentials without a sealing_key (and what each guess at a client secret "+
			"costs whoever holds a state); legacy_hkdf is the derivation it replaced, kept to open old states. "+
			"SealOpen: one seal and one open under a derived key.")
}

// benchstatSection runs one package's Go benchmarks count times and returns
// them as a Markdown section, summarised by benchstat under label.
func benchstatSection(ctx context.Context, count int, pkg, label, heading, note string) (string, error) {
	fmt.Fprintf(os.Stderr, "%s (%d runs each)...\n", heading, count)
	out, err := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", ".", "-benchmem",
		"-count", strconv.Itoa(count), pkg).Output()
	if err != nil {
		return "", fmt.Errorf("go test -bench %s: %w", pkg, err)
	}
	dir, err := os.MkdirTemp("", "payme-gobench-*")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	file := filepath.Join(dir, "go-bench.txt")
	if err := os.WriteFile(file, out, 0o600); err != nil {
		return "", err
	}
	// The label heads benchstat's columns in place of the file's name.
	cmd := exec.CommandContext(ctx, "go", "tool", "-modfile=tools/go.mod", "benchstat", label+"="+file)
	stat, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("benchstat: %w", err)
	}
	return fmt.Sprintf("\n## %s\n\n`go test -bench . -benchmem -count %d %s`, summarised by benchstat. %s\n\n```\n%s```\n",
		heading, count, pkg, note, stat), nil
}
