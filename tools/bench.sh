#!/usr/bin/env bash
# make bench: the side-by-side benchmark harness against the local sandbox,
# then the auth client's Go benchmarks summarised by benchstat. Writes
# docs/benchmarks.md. Extra arguments go to the harness (e.g. -repeats 3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
eval "$(tools/tfcli.sh "${TF_ACC_CLI:-auto}")"
out=docs/benchmarks.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/payme-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

go run ./internal/cmd/payme-bench -out "$tmp/harness.md" "$@"

echo
echo "Go benchmarks of the auth client (6 runs each)..."
go test -run '^$' -bench . -benchmem -count 6 ./internal/paymeauth >"$tmp/go.txt"
{
  cat "$tmp/harness.md"
  printf '\n## Go benchmarks of the auth client\n\n'
  printf '`go test -bench . -benchmem -count 6 ./internal/paymeauth`, summarised by benchstat. '
  printf 'Cache hit: a token served from the cache; cache miss: a full round trip to the in-process sandbox; '
  printf 'concurrent 64: 64 goroutines asking a cold client for one token (requests/op must be 1).\n\n```\n'
  go tool -modfile=tools/go.mod benchstat "$tmp/go.txt"
  printf '```\n'
} >"$out"
sed -n '/^## Go benchmarks/,$p' "$out"
echo
echo "Wrote $out"
