terraform {
  required_providers {
    payme = {
      source = "payme-community/payme"
    }
  }
}

# Credentials come from PAYME_CLIENT_ID and PAYME_CLIENT_SECRET, so that no
# secret is written in the configuration. environment (or auth_url) is
# required: the provider never picks production on its own.
provider "payme" {
  environment = "preproduction"
}
