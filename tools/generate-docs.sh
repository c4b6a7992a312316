#!/usr/bin/env bash
# make generate: format the examples and render docs/ with tfplugindocs.
#
# tfplugindocs would otherwise download a Terraform release to read the
# provider's schema; internal/cmd/payme-dev asks the CLI that tools/tfcli.sh
# finds or builds instead, so nothing is downloaded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/payme-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Action schemas reach `providers schema -json` only from Terraform 1.14, so
# the docs come from the newest Terraform (built once into the cache) unless
# TF_ACC_CLI names another CLI that has them.
eval "$("$root/tools/tfcli.sh" "${TF_ACC_CLI:-terraform-latest}")"
cd "$root"
go run ./internal/cmd/payme-dev schema -o "$work/schema.json"

TF_CLI_CONFIG_FILE=/dev/null "$TF_ACC_TERRAFORM_PATH" fmt -recursive examples/
go tool -modfile=tools/go.mod tfplugindocs generate \
  --provider-name payme \
  --rendered-provider-name "Pay-me" \
  --providers-schema "$work/schema.json"
