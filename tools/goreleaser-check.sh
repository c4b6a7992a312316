#!/usr/bin/env bash
# Checks .goreleaser.yml with goreleaser, installed once from the Go module
# proxy into a cache folder keyed by version (no release binary download).
set -euo pipefail
version=${GORELEASER_VERSION:-v2.12.7}
cache=${PAYME_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-payme}
bin=$cache/goreleaser/$version/goreleaser
if [ ! -x "$bin" ]; then
  echo "Installing goreleaser $version from the Go module proxy into $bin (once)." >&2
  GOBIN=$(dirname "$bin") go install "github.com/goreleaser/goreleaser/v2@$version"
fi
cd "$(dirname "$0")/.."
"$bin" check
