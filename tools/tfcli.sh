#!/usr/bin/env bash
# Finds a Terraform-compatible CLI for the acceptance tests and the demo, and
# prints the environment that terraform-plugin-testing needs, as shell exports.
#
#   tools/tfcli.sh [auto|terraform|terraform-latest|opentofu]
#
# auto (the default) uses terraform from PATH when it is recent enough and
# OpenTofu otherwise. terraform uses terraform from PATH when it is recent
# enough and otherwise builds the oldest supported Terraform; terraform-latest
# builds the newest Terraform the tests cover. No CLI is ever downloaded as a
# binary: each is built once from its Go module, through the Go module proxy,
# into a cache folder keyed by version.
set -euo pipefail

want=${1:-auto}
tofu_version=${OPENTOFU_VERSION:-v1.12.6}
# The oldest Terraform the provider supports, and the newest the proxy serves
# (its @latest still answers v1.13.3: newer tags are served by exact version).
terraform_oldest=${TERRAFORM_OLDEST_VERSION:-v1.11.4}
terraform_latest=${TERRAFORM_LATEST_VERSION:-v1.16.4}
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

# module_dir prints where the Go module cache holds module $1 at version $2,
# downloading it from outside any module so nothing touches the project's go.sum.
module_dir() {
  (cd / && GOFLAGS= GO111MODULE=on go mod download -json "$1@$2" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
}

# locked runs "$@" holding a lock on $1.lock, so two concurrent runs build a
# CLI once; the build itself still writes a temporary file and renames it.
locked() {
  local lock=$1.lock
  shift
  mkdir -p "$(dirname "$lock")"
  if command -v flock >/dev/null; then
    (flock 9 && "$@") 9>"$lock"
  else
    "$@"
  fi
}

# terraform_build builds Terraform $1 into $2. The module zips on the proxy
# lack the nested modules under internal/backend/remote-state/ and
# internal/legacy, which HashiCorp does not publish: a copy of the module
# without those remote-state backends (and their go.mod lines) builds a CLI
# whose local backend, the one the tests use, is the real one.
terraform_build() {
  local version=$1 bin=$2 dir work alias
  [ -x "$bin" ] && return 0
  say "Building Terraform $version from the Go module proxy into $bin (several minutes, once)."
  dir=$(module_dir github.com/hashicorp/terraform "$version")
  [ -n "$dir" ] || { say "Could not download github.com/hashicorp/terraform@$version."; return 1; }
  work=$(mktemp -d "${TMPDIR:-/tmp}/payme-terraform.XXXXXX")
  cp -R "$dir/." "$work" && chmod -R u+w "$work"
  for pkg in $(sed -n 's#^[[:space:]]*\(replace \)\{0,1\}github.com/hashicorp/terraform/\(internal/[^ ]*\) .*#\2#p' "$work/go.mod" | sort -u); do
    [ -d "$work/$pkg" ] && continue
    alias=$(sed -n "s#^[[:space:]]*\([A-Za-z0-9_]*\) \"github.com/hashicorp/terraform/$pkg\"#\1#p" "$work/internal/backend/init/init.go")
    if [ -n "$alias" ]; then
      sed -i.bak "/\b$alias\b/d" "$work/internal/backend/init/init.go"
    fi
    sed -i.bak "\#github.com/hashicorp/terraform/$pkg #d" "$work/go.mod"
  done
  # v1.11's go.mod sets godebug tlskyber, a setting Go 1.26 no longer knows
  # (and whose default no longer matters to a loopback test).
  sed -i.bak '/^godebug tlskyber=/d' "$work/go.mod"
  mkdir -p "$(dirname "$bin")"
  if ! (cd "$work" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags='-s -w -X github.com/hashicorp/terraform/version.dev=no' -o "$bin.tmp.$$" .); then
    rm -rf "$work" "$bin.tmp.$$"
    return 1
  fi
  rm -rf "$work"
  mv "$bin.tmp.$$" "$bin"
}

terraform_version() {
  local bin=$cache/terraform/$1/terraform
  locked "$bin" terraform_build "$1" "$bin" || return 1
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
  terraform) bin=$(terraform_on_path) || bin=$(terraform_version "$terraform_oldest") ;;
  terraform-latest) bin=$(terraform_version "$terraform_latest") ;;
  opentofu) bin=$(opentofu) ;;
  *) say "usage: $0 [auto|terraform|terraform-latest|opentofu]"; exit 2 ;;
esac

case $(basename "$bin") in
  tofu) host=registry.opentofu.org ;;
  *) host=registry.terraform.io ;;
esac

printf 'export TF_ACC_TERRAFORM_PATH=%q\n' "$bin"
printf 'export TF_ACC_PROVIDER_HOST=%q\n' "$host"
printf 'export CHECKPOINT_DISABLE=1\n'
