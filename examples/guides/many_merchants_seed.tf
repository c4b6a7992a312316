# One secret per merchant, written with write-only arguments: the tokens
# reach AWS Secrets Manager and no state.
resource "aws_secretsmanager_secret" "payme" {
  for_each = local.active

  name = "payme/${each.key}/refresh-token"
}

resource "aws_secretsmanager_secret_version" "payme" {
  for_each = local.active

  secret_id                = aws_secretsmanager_secret.payme[each.key].id
  secret_string_wo         = ephemeral.payme_refresh_token_secret.merchant[each.key].refresh_token
  secret_string_wo_version = payme_refresh_token.merchant[each.key].issued_at_unix
}
