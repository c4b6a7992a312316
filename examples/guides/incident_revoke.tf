# Revokes the token the state holds now, by reference, without replacing it
# yet: the revocation is one request and takes effect at once.
action "payme_revoke_refresh_token" "incident" {
  config {
    id                   = payme_refresh_token.checkout.id
    sealed_refresh_token = payme_refresh_token.checkout.sealed_refresh_token
  }
}
