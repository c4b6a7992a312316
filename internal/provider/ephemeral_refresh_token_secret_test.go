package provider

// openerConfig opens payme_refresh_token.t as ephemeral.payme_refresh_token_secret.t.
const openerConfig = `
ephemeral "payme_refresh_token_secret" "t" {
  id                   = payme_refresh_token.t.id
  sealed_refresh_token = payme_refresh_token.t.sealed_refresh_token
}
`
