resource "payme_refresh_token" "checkout" {
  username    = "merchant@example.com"
  password_wo = var.payme_password
  scopes      = ["create:token", "post:charges"]

  lifecycle {
    create_before_destroy = true
  }
}

ephemeral "payme_refresh_token_secret" "checkout" {
  id                   = payme_refresh_token.checkout.id
  sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
}

# Proves the client credentials, and the refresh token just written, work.
action "payme_verify_credentials" "checkout" {
  config {
    scopes               = ["create:token"]
    id                   = payme_refresh_token.checkout.id
    sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
    username             = "merchant@example.com"
  }
}

resource "aws_secretsmanager_secret_version" "payme" {
  secret_id                = aws_secretsmanager_secret.payme.id
  secret_string_wo         = ephemeral.payme_refresh_token_secret.checkout.refresh_token
  secret_string_wo_version = payme_refresh_token.checkout.issued_at_unix

  lifecycle {
    # Each time the store gets a new token, verify it.
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.payme_verify_credentials.checkout]
    }
  }
}
