# OpenTofu only (1.9 and later): one provider configuration per merchant
# with for_each, instead of the merchants argument. The variables and
# local.active are those of many_merchants.tf.
provider "payme" {
  alias    = "merchant"
  for_each = var.merchants

  client_id     = each.value.client_id
  client_secret = var.client_secrets[each.key]
}

resource "payme_refresh_token" "merchant" {
  for_each = local.active
  provider = payme.merchant[each.key]

  username    = each.value.username
  password_wo = var.passwords[each.key]
  scopes      = each.value.scopes
}
