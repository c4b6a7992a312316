variable "payme_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "payme_refresh_token" "checkout" {
  username            = "merchant@example.com"
  password_wo         = var.payme_password
  password_wo_version = 1

  scopes       = ["create:token", "post:charges", "get:charges"]
  rotate_after = "30d"

  keepers = {
    service = "checkout"
  }

  lifecycle {
    create_before_destroy = true
  }
}

output "checkout_refresh_token_id" {
  value = payme_refresh_token.checkout.id
}
