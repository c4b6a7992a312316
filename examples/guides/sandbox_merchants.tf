# Three merchants of the sandbox configuration above, one provider
# configuration each: client_id and client_secret belong to the provider,
# so each merchant needs its own alias.
locals {
  merchants = {
    bodega   = { client_id = "bodega-lima", username = "caja@bodega-lima.example" }
    libreria = { client_id = "libreria-cusco", username = "ventas@libreria-cusco.example" }
    cafe     = { client_id = "cafe-arequipa", username = "admin@cafe-arequipa.example" }
  }
}

variable "client_secrets" {
  description = "Client secret per merchant key, such as bodega."
  type        = map(string)
  sensitive   = true
  ephemeral   = true
}

variable "passwords" {
  description = "Password of each merchant's user, per merchant key."
  type        = map(string)
  sensitive   = true
  ephemeral   = true
}

provider "payme" {
  alias         = "bodega"
  auth_url      = "http://127.0.0.1:8700"
  client_id     = local.merchants.bodega.client_id
  client_secret = var.client_secrets["bodega"]
}

provider "payme" {
  alias         = "libreria"
  auth_url      = "http://127.0.0.1:8700"
  client_id     = local.merchants.libreria.client_id
  client_secret = var.client_secrets["libreria"]
}

provider "payme" {
  alias         = "cafe"
  auth_url      = "http://127.0.0.1:8700"
  client_id     = local.merchants.cafe.client_id
  client_secret = var.client_secrets["cafe"]
}

resource "payme_refresh_token" "bodega" {
  provider    = payme.bodega
  username    = local.merchants.bodega.username
  password_wo = var.passwords["bodega"]
  scopes      = ["create:token", "post:charges"]
}

resource "payme_refresh_token" "libreria" {
  provider    = payme.libreria
  username    = local.merchants.libreria.username
  password_wo = var.passwords["libreria"]
  scopes      = ["create:token", "post:charges"]
}

resource "payme_refresh_token" "cafe" {
  provider    = payme.cafe
  username    = local.merchants.cafe.username
  password_wo = var.passwords["cafe"]
  scopes      = ["create:token", "get:charges"]
}
