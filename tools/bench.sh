#!/usr/bin/env bash
# make bench: the side-by-side benchmark harness against the local sandbox,
# the CPU profiles of the provider and the floor, then the auth client's Go
# benchmarks summarised by benchstat, written to
# docs/benchmarks.md. Extra arguments go to the harness (e.g. -repeats 3).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(tools/tfcli.sh "${TF_ACC_CLI:-auto}")"
go run ./internal/cmd/payme-bench -out docs/benchmarks.md -profile -go-bench 6 "$@"
echo
echo "Wrote docs/benchmarks.md"
