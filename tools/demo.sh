#!/usr/bin/env bash
# make demo: apply examples/demo with Terraform (or OpenTofu) against the
# local Pay-me sandbox, show what the sandbox saw, destroy, and clean up.
# internal/cmd/payme-dev builds the provider, serves the sandbox and writes
# the CLI configuration; this script only drives the CLI as a user would.
# Nothing outside a temporary folder is touched; the user's CLI
# configuration is not read.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/payme-demo.XXXXXX")
dev_pid=
cleanup() {
  [ -n "$dev_pid" ] && kill "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null
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

step "Building the provider and starting the Pay-me sandbox"
(cd "$root" && go build -o "$work/bin/" ./internal/cmd/payme-dev ./internal/cmd/payme-sandbox)
eval "$("$root/tools/tfcli.sh" "${TF_ACC_CLI:-auto}")"
tf=$TF_ACC_TERRAFORM_PATH
echo "CLI: $(TF_CLI_CONFIG_FILE=/dev/null "$tf" version 2>/dev/null | head -1) ($tf)"
"$work/bin/payme-dev" env -dir "$work" -env-file "$work/env" >"$work/dev.log" 2>&1 &
dev_pid=$!
# Until it is ready, or has failed (a cold build can take minutes).
while [ ! -s "$work/env" ] && kill -0 "$dev_pid" 2>/dev/null; do sleep 0.1; done
[ -s "$work/env" ] || { cat "$work/dev.log"; echo "The local environment did not start." >&2; exit 1; }
# shellcheck source=/dev/null
. "$work/env"
echo "Sandbox listening on $PAYME_AUTH_URL"
cp "$root/examples/demo/main.tf" "$work/main.tf"

journal() {
  "$work/bin/payme-sandbox" -journal "$PAYME_AUTH_URL" 2>/dev/null || echo "(could not read the journal)"
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

if journal | grep -q 'live refresh tokens: 0'; then
  step "Done: the refresh token was created and revoked; the sandbox holds no live token."
else
  echo "The sandbox still holds a live refresh token." >&2
  exit 1
fi
