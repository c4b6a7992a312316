# The configuration `make demo` applies against the local Pay-me sandbox.
# The provider reads PAYME_AUTH_URL, PAYME_CLIENT_ID and PAYME_CLIENT_SECRET,
# which the demo script sets to the sandbox's URL and demo credentials. It
# follows the guides: the state holds the refresh token only sealed, and the
# token reaches its consumer through the ephemeral opener.

terraform {
  required_providers {
    payme = {
      source = "payme-community/payme"
    }
  }
}

provider "payme" {}

variable "password" {
  description = "The sandbox merchant's password (the demo sets TF_VAR_password)."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "payme_refresh_token" "demo" {
  username     = "merchant@example.com"
  password_wo  = var.password
  scopes       = ["create:token", "post:charges"]
  rotate_after = "720h"

  lifecycle {
    create_before_destroy = true
  }
}

# Opens the sealed token locally, for this run only: no Pay-me call.
ephemeral "payme_refresh_token_secret" "demo" {
  id                   = payme_refresh_token.demo.id
  sealed_refresh_token = payme_refresh_token.demo.sealed_refresh_token
}

# The consumer: where a secrets store's write-only argument would take the
# token, the demo (offline) uses it for the refresh-token grant.
ephemeral "payme_access_token" "from_refresh_token" {
  scopes        = ["create:token", "post:charges"]
  username      = "merchant@example.com"
  refresh_token = ephemeral.payme_refresh_token_secret.demo.refresh_token
}

# A short-lived token by client credentials; it never reaches the state.
ephemeral "payme_access_token" "demo" {
  scopes = ["create:token", "post:charges", "get:charges"]
}

# Replaced with the token, so the apply hands every new token to the
# consumer before the old one is revoked.
resource "terraform_data" "consumer" {
  triggers_replace = payme_refresh_token.demo.id

  provisioner "local-exec" {
    # Fails the apply unless the opened token worked for the refresh grant.
    command     = "test \"$GRANT\" = refresh_token"
    environment = { GRANT = ephemeral.payme_access_token.from_refresh_token.grant_type }
  }
}

check "access_token" {
  assert {
    condition     = contains(ephemeral.payme_access_token.demo.granted_scopes, "post:charges")
    error_message = "The access token was not granted post:charges."
  }
}

output "refresh_token_id" {
  description = "The fingerprint of the refresh token, never the token."
  value       = payme_refresh_token.demo.id
}

output "sealed_prefix" {
  description = "The sealed value's format and key identifier, never the sealed value or the token."
  value       = join(".", slice(split(".", payme_refresh_token.demo.sealed_refresh_token), 0, 2))
}

output "granted_scopes" {
  value = payme_refresh_token.demo.granted_scopes
}

output "issued_at" {
  value = payme_refresh_token.demo.issued_at
}

output "rotate_at" {
  value = payme_refresh_token.demo.rotate_at
}
