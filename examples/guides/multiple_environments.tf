# Pre-production and production in one configuration. Nothing here comes
# from PAYME_* variables: such a variable applies to every provider block
# that leaves its argument unset, aliases included, so one exported
# PAYME_CLIENT_SECRET would be sent to both environments.
variable "preprod_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "prod_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "preprod_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "prod_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "payme" {
  alias         = "preprod"
  environment   = "preproduction"
  client_id     = "checkout-preprod"
  client_secret = var.preprod_client_secret
}

provider "payme" {
  alias         = "prod"
  environment   = "production"
  client_id     = "checkout"
  client_secret = var.prod_client_secret
}

resource "payme_refresh_token" "preprod" {
  provider     = payme.preprod
  username     = "merchant@example.com"
  password_wo  = var.preprod_password
  scopes       = ["create:token", "post:charges"]
  rotate_after = "30d"

  lifecycle {
    create_before_destroy = true
  }
}

resource "payme_refresh_token" "prod" {
  provider     = payme.prod
  username     = "merchant@example.com"
  password_wo  = var.prod_password
  scopes       = ["create:token", "post:charges"]
  rotate_after = "30d"

  lifecycle {
    create_before_destroy = true
  }
}

ephemeral "payme_access_token" "prod_charges" {
  provider = payme.prod
  scopes   = ["create:token", "post:charges"]
}
