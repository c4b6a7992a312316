#!/usr/bin/env bash
# Finds a Terraform-compatible CLI for the acceptance tests and the demo, and
# prints the environment that terraform-plugin-testing needs, as shell exports.
#
#   tools/tfcli.sh [auto|terraform|opentofu]
#
# auto (the default) uses terraform from PATH when it is recent enough and
# OpenTofu otherwise. OpenTofu is never downloaded as a binary: it is built
# once from its Go module, through the Go module proxy, into a cache folder
# keyed by version.
set -euo pipefail

want=${1:-auto}
tofu_version=${OPENTOFU_VERSION:-v1.12.6}
cache=${PAYME_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-payme}
min_minor=11 # write-only attributes need Terraform 1.11

say() { printf '%s\n' "$*" >&2; }

terraform_on_path() {
  local bin version minor
  bin=$(command -v terraform 2>/dev/null) || return 1
  version=$(CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/dev/null "$bin" version -json 2>/dev/null |
    sed -n 's/.*"terraform_version": *"\([0-9.]*\)".*/\1/p')
  minor=$(printf '%s' "$version" | awk -F. '$1 == 1 { print $2 } $1 > 1 { print 999 }')
  if [ -z "$minor" ] || [ "$minor" -lt "$min_minor" ]; then
    say "terraform on PATH is ${version:-of unknown version}; at least 1.$min_minor is needed."
    return 1
  fi
  printf '%s' "$bin"
}

opentofu() {
  local bin=$cache/opentofu/$tofu_version/tofu dir
  if [ ! -x "$bin" ]; then
    say "Building OpenTofu $tofu_version from the Go module proxy into $bin (several minutes, once)."
    # Outside any module, so that nothing here touches the project's go.sum.
    dir=$(cd / && GOFLAGS= GO111MODULE=on go mod download -json "github.com/opentofu/opentofu@$tofu_version" |
      sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { say "Could not download github.com/opentofu/opentofu@$tofu_version."; return 1; }
    mkdir -p "$(dirname "$bin")"
    (cd "$dir" && GOWORK=off CGO_ENABLED=0 GOFLAGS= go build -trimpath -ldflags='-s -w -X github.com/opentofu/opentofu/version.dev=no' -o "$bin.tmp.$$" ./cmd/tofu)
    mv "$bin.tmp.$$" "$bin"
  fi
  printf '%s' "$bin"
}

case $want in
  auto) bin=$(terraform_on_path) || bin=$(opentofu) ;;
  terraform) bin=$(terraform_on_path) || { say "No terraform >= 1.$min_minor on PATH."; exit 1; } ;;
  opentofu) bin=$(opentofu) ;;
  *) say "usage: $0 [auto|terraform|opentofu]"; exit 2 ;;
esac

case $(basename "$bin") in
  tofu) host=registry.opentofu.org ;;
  *) host=registry.terraform.io ;;
esac

printf 'export TF_ACC_TERRAFORM_PATH=%q\n' "$bin"
printf 'export TF_ACC_PROVIDER_HOST=%q\n' "$host"
printf 'export CHECKPOINT_DISABLE=1\n'
