# A token from an older generation or another state: its fingerprint and
# sealed value, copied from a state backup. The provider's sealing keys must
# open it (add the key it was sealed under to previous_sealing_keys).
action "payme_revoke_refresh_token" "leaked" {
  config {
    id                   = "sha256:3f1c0d9e8b7a6f52"
    sealed_refresh_token = "pmseal1.5d2e7c1a.REPLACE_WITH_THE_SEALED_VALUE_FROM_THE_BACKUP"
  }
}

# Run it on its own, without a saved plan:
#   terraform apply -invoke=action.payme_revoke_refresh_token.leaked
