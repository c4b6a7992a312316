#!/usr/bin/env bash
# make demo: build the provider, start the local Pay-me sandbox on a free
# loopback port, apply examples/demo with Terraform (or OpenTofu) pointed at
# the local build, show what the sandbox saw, destroy, and clean up. Nothing
# outside a temporary folder is touched; the user's CLI configuration is not
# read.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/payme-demo.XXXXXX")
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# drop_override_warning removes the warning that dev_overrides always
# prints (it ends with "published releases."), and passes the rest through.
drop_override_warning() {
  awk '/Warning: Provider development overrides/ { skip = 1 }
       skip { if ($0 ~ /releases\.$/) skip = 0; next }
       { print }'
}

step "Building the provider and the sandbox"
(cd "$root" && go build -o "$work/plugins/terraform-provider-payme" . &&
  go build -o "$work/payme-sandbox" ./internal/cmd/payme-sandbox)
eval "$("$root/tools/tfcli.sh" "${TF_ACC_CLI:-auto}")"
tf=$TF_ACC_TERRAFORM_PATH
echo "CLI: $(TF_CLI_CONFIG_FILE=/dev/null "$tf" version 2>/dev/null | head -1) ($tf)"

step "Starting the Pay-me sandbox"
"$work/payme-sandbox" -listen 127.0.0.1:0 -url-file "$work/url" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
[ -s "$work/url" ] || { cat "$work/sandbox.log"; echo "The sandbox did not start." >&2; exit 1; }
url=$(cat "$work/url")
echo "Sandbox listening on $url"

# dev_overrides points Terraform at the local build, under both registries'
# names so that the same file serves Terraform and OpenTofu.
cat >"$work/cli.tfrc" <<CFG
provider_installation {
  dev_overrides {
    "registry.terraform.io/payme-community/payme"  = "$work/plugins"
    "registry.opentofu.org/payme-community/payme" = "$work/plugins"
  }
  direct {}
}
CFG
cp "$root/examples/demo/main.tf" "$work/main.tf"

export TF_CLI_CONFIG_FILE=$work/cli.tfrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export PAYME_AUTH_URL=$url PAYME_CLIENT_ID=demo-client PAYME_CLIENT_SECRET=demo-secret
export TF_VAR_password=demo-password

journal() {
  "$work/payme-sandbox" -journal "$url" 2>/dev/null || echo "(could not read the journal)"
}

step "terraform apply"
# The dev_overrides warning is expected here, so it is summarised in one line.
echo "(Provider from the local build at $work/plugins, through dev_overrides.)"
(cd "$work" && "$tf" apply -auto-approve -input=false -no-color 2>&1) | drop_override_warning
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "terraform apply failed" >&2; exit 1; }

step "What the sandbox received (secrets masked by the sandbox)"
journal

step "The state holds the refresh token only sealed"
# The token is the one string whose fingerprint is the resource's id: look
# at every string in the state, and require refresh_token null and a sealed
# value.
state=$work/terraform.tfstate
id=$(cd "$work" && "$tf" output -raw refresh_token_id)
leak=
while IFS= read -r s; do
  [ "sha256:$(printf %s "$s" | sha256sum | cut -c1-16)" = "$id" ] && leak=1
done < <(grep -o '"[^"]*"' "$state" | sed 's/^"//; s/"$//' | sort -u)
if [ -n "$leak" ] || ! grep -q '"refresh_token": null' "$state" ||
  ! grep -q '"sealed_refresh_token": "pmseal1\.' "$state"; then
  echo "The state holds a plaintext refresh token, or no sealed one." >&2
  exit 1
fi
echo "No plaintext refresh token in the state: only the fingerprint $id" \
  "and a sealed value starting $(cd "$work" && "$tf" output -raw sealed_prefix)."

step "terraform destroy"
(cd "$work" && "$tf" destroy -auto-approve -input=false -no-color 2>&1) | drop_override_warning
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "terraform destroy failed" >&2; exit 1; }

step "After destroy: the revocation"
journal | grep -E '/revoke|live' || true

if "$work/payme-sandbox" -journal "$url" 2>/dev/null | grep -q 'live refresh tokens: 0'; then
  step "Done: the refresh token was created and revoked; the sandbox holds no live token."
else
  echo "The sandbox still holds a live refresh token." >&2
  exit 1
fi
