package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// warnRotated warns when the answer to a refresh-token grant carried a new
// refresh token. Pay-me then rotates: the token sent is retired, and the new
// one cannot be kept, because who asked (an ephemeral resource, an action)
// has no state to keep it in. The new token is not revoked: a server may
// take the access token just issued down with it. Tokens are named by
// fingerprint only.
func warnRotated(diags *diag.Diagnostics, who, sent string, tok paymeauth.Token) {
	if tok.RefreshToken == "" || tok.RefreshToken == sent {
		return
	}
	old, fresh := seal.Fingerprint(sent), seal.Fingerprint(tok.RefreshToken)
	diags.AddWarning("Refresh Token Rotated by Pay-me",
		fmt.Sprintf("Pay-me answered the refresh-token grant of %s with a new refresh token (%s), so it has probably "+
			"retired the token sent (%s): every later use of %s, by Terraform or by an application that holds it, may fail. "+
			"%s keeps no state, so the new token was not kept, and it was not revoked either. Replace the "+
			"payme_refresh_token whose id is %s (terraform apply -replace=ADDRESS) so that every store gets a token of "+
			"its own, and ask Pay-me to revoke %s. The guide \"Incident: a refresh token leaked\" explains why a "+
			"refresh-token grant costs a rotation where Pay-me rotates.", who, fresh, old, old, who, old, fresh))
}
