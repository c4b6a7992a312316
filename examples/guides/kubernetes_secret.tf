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

resource "kubernetes_secret_v1" "payme" {
  metadata {
    name      = "payme-credentials"
    namespace = "checkout"
  }
  data_wo = {
    PAYME_REFRESH_TOKEN = ephemeral.payme_refresh_token_secret.checkout.refresh_token
  }
  data_wo_revision = payme_refresh_token.checkout.issued_at_unix
}
