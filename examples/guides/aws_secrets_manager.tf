resource "payme_refresh_token" "checkout" {
  username     = "merchant@example.com"
  password_wo  = var.payme_password
  scopes       = ["create:token", "post:charges"]
  rotate_after = "30d"

  lifecycle {
    create_before_destroy = true
  }
}

# Opens the sealed token locally, for this run only: no Pay-me call, and
# the plaintext reaches neither the plan nor the state.
ephemeral "payme_refresh_token_secret" "checkout" {
  id                   = payme_refresh_token.checkout.id
  sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
}

resource "aws_secretsmanager_secret" "payme" {
  name = "checkout/payme-refresh-token"
}

resource "aws_secretsmanager_secret_version" "payme" {
  secret_id = aws_secretsmanager_secret.payme.id
  # Write-only: the token is sent to AWS and stored in no state.
  secret_string_wo = ephemeral.payme_refresh_token_secret.checkout.refresh_token
  # A new version is written exactly when the token changes.
  secret_string_wo_version = payme_refresh_token.checkout.issued_at_unix
}
