#!/usr/bin/env bash
# Runs goreleaser, installed once from the Go module proxy into a cache
# folder keyed by version (no release binary download).
#
#   tools/goreleaser.sh check      checks .goreleaser.yml
#   tools/goreleaser.sh snapshot   builds and signs every release archive into
#                                  dist/, as a tag would, without publishing
#
# snapshot signs the checksums with a throwaway GPG key made in a temporary
# GNUPGHOME and deleted afterwards; only its public half is kept, as
# dist/snapshot-signing-key.asc, so that the signature can be verified.
set -euo pipefail
version=${GORELEASER_VERSION:-v2.15.1}
cache=${PAYME_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-payme}
bin=$cache/goreleaser/$version/goreleaser
root=$(cd "$(dirname "$0")/.." && pwd)

say() { printf '%s\n' "$*" >&2; }

install_goreleaser() {
  [ -x "$bin" ] && return
  say "Installing goreleaser $version from the Go module proxy into $bin (once)."
  # Outside the project module, so that nothing here touches its go.sum.
  (cd / && GOFLAGS='' GOBIN="$(dirname "$bin").tmp.$$" go install "github.com/goreleaser/goreleaser/v2@$version")
  mkdir -p "$(dirname "$bin")"
  mv "$(dirname "$bin").tmp.$$/goreleaser" "$bin"
  rmdir "$(dirname "$bin").tmp.$$"
}

# need_gpg installs GnuPG from the distribution when it is missing (Debian
# and Ubuntu name the package gnupg).
need_gpg() {
  command -v gpg >/dev/null && return
  say "gpg is missing; installing the gnupg package with apt-get."
  local sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq gnupg >/dev/null
}

snapshot() {
  need_gpg
  GNUPGHOME=$(mktemp -d "${TMPDIR:-/tmp}/payme-gpg.XXXXXX")
  export GNUPGHOME
  trap 'gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$GNUPGHOME"' EXIT
  # RSA, as the Terraform Registry accepts; no passphrase, it dies with the folder.
  gpg --batch --quiet --passphrase '' \
    --quick-gen-key "terraform-provider-payme snapshot (throwaway) <snapshot@example.invalid>" rsa4096 sign 1d
  GPG_FINGERPRINT=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1 == "fpr" { print $10; exit }')
  export GPG_FINGERPRINT

  cd "$root"
  "$bin" release --snapshot --clean

  # The registry reads the manifest from the release; goreleaser only puts it
  # in SHA256SUMS (and uploads it on a tag), so lay it next to the archives.
  local manifest
  manifest=$(awk '/_manifest\.json$/ { print $2 }' dist/*_SHA256SUMS)
  cp terraform-registry-manifest.json "dist/$manifest"
  gpg --batch --armor --export "$GPG_FINGERPRINT" >dist/snapshot-signing-key.asc
  say "Release archives, SHA256SUMS, its signature and the manifest are in dist/."
}

install_goreleaser
case ${1:-} in
  check) cd "$root" && "$bin" check ;;
  snapshot) snapshot ;;
  *) say "usage: $0 check|snapshot"; exit 2 ;;
esac
