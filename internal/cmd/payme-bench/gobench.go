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
	fmt.Fprintf(os.Stderr, "Go benchmarks of the auth client (%d runs each)...\n", count)
	out, err := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", ".", "-benchmem",
		"-count", strconv.Itoa(count), "./internal/paymeauth").Output()
	if err != nil {
		return "", fmt.Errorf("go test -bench ./internal/paymeauth: %w", err)
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
	cmd := exec.CommandContext(ctx, "go", "tool", "-modfile=tools/go.mod", "benchstat", "paymeauth="+file)
	stat, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("benchstat: %w", err)
	}
	return fmt.Sprintf("\n## Go benchmarks of the auth client\n\n"+
		"`go test -bench . -benchmem -count %d ./internal/paymeauth`, summarised by benchstat. "+
		"Cache hit: a token served from the cache; cache miss: a full round trip to the in-process sandbox; "+
		"concurrent 64: 64 goroutines asking a cold client for one token (requests/op must be 1).\n\n```\n%s```\n",
		count, stat), nil
}
