# Client credentials: no username, password or refresh token.
ephemeral "payme_access_token" "charges" {
  scopes = ["create:token", "post:charges"]
}

# Refresh-token grant, from a managed refresh token opened from its sealed
# form (no Pay-me call for the opening).
ephemeral "payme_refresh_token_secret" "checkout" {
  id                   = payme_refresh_token.checkout.id
  sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
}

ephemeral "payme_access_token" "from_refresh" {
  scopes        = ["create:token", "get:charges"]
  refresh_token = ephemeral.payme_refresh_token_secret.checkout.refresh_token
  min_validity  = "15m"
}
