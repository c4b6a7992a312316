# One provider configuration for many merchants: names, client IDs and users
# in a plain variable, every secret in an ephemeral one, and one refresh
# token per merchant with for_each. The auth service comes from
# PAYME_AUTH_URL or PAYME_ENVIRONMENT.
variable "merchants" {
  description = "The merchants, by a name of your choosing: Pay-me client ID, the user whose password grant makes the token, the scopes, and whether it is being retired."
  type = map(object({
    client_id = string
    username  = string
    scopes    = list(string)
    # true revokes the merchant's token while the provider keeps its
    # credentials; remove the merchant in a later change.
    retired = optional(bool, false)
  }))
}

locals {
  active = { for name, m in var.merchants : name => m if !m.retired }
}

variable "client_secrets" {
  description = "Each merchant's client secret, by the same names."
  type        = map(string)
  sensitive   = true
  ephemeral   = true
}

variable "passwords" {
  description = "Each merchant user's password, by the same names."
  type        = map(string)
  sensitive   = true
  ephemeral   = true
}

provider "payme" {
  merchants = {
    for name, m in var.merchants : name => {
      client_id     = m.client_id
      client_secret = var.client_secrets[name]
    }
  }
}

resource "payme_refresh_token" "merchant" {
  for_each = local.active

  merchant    = each.key
  username    = each.value.username
  password_wo = var.passwords[each.key]
  scopes      = each.value.scopes

  lifecycle {
    create_before_destroy = true
  }
}

# Opens each sealed token locally, for this run only: no Pay-me call, and no
# merchant argument, since each token names the key that sealed it.
ephemeral "payme_refresh_token_secret" "merchant" {
  for_each = payme_refresh_token.merchant

  id                   = each.value.id
  sealed_refresh_token = each.value.sealed_refresh_token
}
