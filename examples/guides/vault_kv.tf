resource "payme_refresh_token" "checkout" {
  username    = "merchant@example.com"
  password_wo = var.payme_password
  scopes      = ["create:token", "post:charges"]

  # The new token reaches the store before the old one is revoked.
  lifecycle {
    create_before_destroy = true
  }
}

ephemeral "payme_refresh_token_secret" "checkout" {
  id                   = payme_refresh_token.checkout.id
  sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
}

resource "vault_kv_secret_v2" "payme" {
  mount = "secret"
  name  = "checkout/payme"
  data_json_wo = jsonencode({
    refresh_token = ephemeral.payme_refresh_token_secret.checkout.refresh_token
    scopes        = join(" ", payme_refresh_token.checkout.granted_scopes)
  })
  data_json_wo_version = payme_refresh_token.checkout.issued_at_unix
}
