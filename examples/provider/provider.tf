terraform {
  required_providers {
    payme = {
      source = "payme-community/payme"
    }
  }
}

# Credentials come from PAYME_CLIENT_ID and PAYME_CLIENT_SECRET, so that no
# secret is written in the configuration.
provider "payme" {
  environment = "preproduction"
}
