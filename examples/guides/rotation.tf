resource "payme_refresh_token" "checkout" {
  username     = "merchant@example.com"
  password_wo  = var.payme_password
  scopes       = ["create:token", "post:charges"]
  rotate_after = "30d"

  lifecycle {
    # The new token exists, and the secrets store has it, before the old
    # token is revoked.
    create_before_destroy = true
  }
}

# Unknown while the new token is planned; opened during the apply, as soon
# as the new token exists.
ephemeral "payme_refresh_token_secret" "checkout" {
  id                   = payme_refresh_token.checkout.id
  sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
}

resource "aws_secretsmanager_secret_version" "payme" {
  secret_id                = aws_secretsmanager_secret.payme.id
  secret_string_wo         = ephemeral.payme_refresh_token_secret.checkout.refresh_token
  secret_string_wo_version = payme_refresh_token.checkout.issued_at_unix
}
