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

# A provider that needs the long-lived refresh token itself gets it the
# same way: opened from its sealed form, for this run only.
ephemeral "payme_refresh_token_secret" "checkout" {
  id                   = payme_refresh_token.checkout.id
  sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
}

# An access token obtained with the refresh-token grant from that token.
ephemeral "payme_access_token" "from_refresh" {
  scopes        = ["create:token"]
  refresh_token = ephemeral.payme_refresh_token_secret.checkout.refresh_token
}
