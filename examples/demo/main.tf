# The configuration `make demo` applies against the local Pay-me sandbox.
# The provider reads PAYME_AUTH_URL, PAYME_CLIENT_ID and PAYME_CLIENT_SECRET,
# which the demo script sets to the sandbox's URL and demo credentials.

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
  username            = "merchant@example.com"
  password_wo         = var.password
  password_wo_version = 1
  scopes              = ["create:token", "post:charges"]
  rotate_after        = "720h"
}

# A short-lived token by client credentials; it never reaches the state.
ephemeral "payme_access_token" "demo" {
  scopes = ["create:token", "post:charges", "get:charges"]
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

output "granted_scopes" {
  value = payme_refresh_token.demo.granted_scopes
}

output "issued_at" {
  value = payme_refresh_token.demo.issued_at
}

output "rotate_at" {
  value = payme_refresh_token.demo.rotate_at
}
