#!/usr/bin/env bash
# make generate: format the examples and render docs/ with tfplugindocs.
#
# tfplugindocs would otherwise download a Terraform release to read the
# provider's schema; here the schema comes from the CLI that tools/tfcli.sh
# finds or builds, through a dev_overrides configuration, so nothing is
# downloaded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/payme-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

eval "$("$root/tools/tfcli.sh" "${TF_ACC_CLI:-auto}")"
tf=$TF_ACC_TERRAFORM_PATH

cd "$root"
go build -o "$work/plugins/terraform-provider-payme" .

# tfplugindocs looks the schema up under registry.terraform.io/hashicorp/<name>,
# so that is the address used here, on both CLIs.
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/hashicorp/payme" = "$work/plugins"
  }
  direct {}
}
CFG
cat >"$work/main.tf" <<'HCL'
terraform {
  required_providers {
    payme = {
      source = "registry.terraform.io/hashicorp/payme"
    }
  }
}
HCL
(cd "$work" && TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 "$tf" providers schema -json >"$work/schema.json")

TF_CLI_CONFIG_FILE=/dev/null "$tf" fmt -recursive examples/
go tool -modfile=tools/go.mod tfplugindocs generate \
  --provider-name payme \
  --rendered-provider-name "Pay-me" \
  --providers-schema "$work/schema.json"
