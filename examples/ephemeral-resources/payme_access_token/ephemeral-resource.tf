# Client credentials: no username, password or refresh token.
ephemeral "payme_access_token" "charges" {
  scopes = ["create:token", "post:charges"]
}

# Refresh-token grant, from a managed refresh token.
ephemeral "payme_access_token" "from_refresh" {
  scopes        = ["create:token", "get:charges"]
  refresh_token = payme_refresh_token.checkout.refresh_token
  min_validity  = "15m"
}
