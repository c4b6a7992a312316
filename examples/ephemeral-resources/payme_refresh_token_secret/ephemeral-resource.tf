resource "payme_refresh_token" "checkout" {
  username    = "merchant@example.com"
  password_wo = var.payme_password
  scopes      = ["create:token", "post:charges"]

  # The new token reaches the store before the old one is revoked.
  lifecycle {
    create_before_destroy = true
  }
}

# Opens the sealed token locally: no Pay-me call, nothing in plan or state.
ephemeral "payme_refresh_token_secret" "checkout" {
  id                   = payme_refresh_token.checkout.id
  sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
}

# Any write-only argument can take it, for example:
resource "aws_secretsmanager_secret_version" "payme" {
  secret_id                = aws_secretsmanager_secret.payme.id
  secret_string_wo         = ephemeral.payme_refresh_token_secret.checkout.refresh_token
  secret_string_wo_version = payme_refresh_token.checkout.issued_at_unix
}
