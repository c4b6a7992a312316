# A check may test an ephemeral value in its condition. Its error_message
# must not interpolate one: Terraform then hides the whole message. Write
# the message without the value, or wrap the reference in ephemeralasnull(),
# which turns it into null so the message can be shown.
check "payme_token_lifetime" {
  assert {
    condition     = ephemeral.payme_access_token.charges.expires_in >= 3600
    error_message = "Pay-me issued an access token that lives less than an hour; raise min_validity or ask Pay-me why."
  }
}
