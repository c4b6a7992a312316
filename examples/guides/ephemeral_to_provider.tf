ephemeral "payme_access_token" "api" {
  scopes       = ["create:token", "get:charges"]
  min_validity = "30m"
}

# Provider configurations accept ephemeral values: the token is used for
# this run and never stored.
provider "restapi" {
  uri = "https://api.alignet.io"
  headers = {
    Authorization   = ephemeral.payme_access_token.api.authorization_header
    ALG-API-VERSION = "1709847567"
  }
}
