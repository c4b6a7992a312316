# With Terraform 1.14 or later: on demand, or triggered by a store's update.
action "payme_verify_credentials" "client" {
  config {
    scopes = ["create:token"]
  }
}

# With any supported Terraform or OpenTofu: every plan and apply opens an
# access token with the client credentials, and the check reports a failure.
ephemeral "payme_access_token" "verify" {
  scopes = ["create:token"]
}

check "payme_client_credentials" {
  assert {
    condition     = ephemeral.payme_access_token.verify.expires_in > 0
    error_message = "Pay-me issued no usable access token for the client credentials."
  }
}
