package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
)

// revokeOutcome is the one reading of a revocation that destroy and the
// payme_revoke_refresh_token action share.
type revokeOutcome int

const (
	revokeDone           revokeOutcome = iota // Pay-me confirmed the revocation
	revokeAlreadyInvalid                      // Pay-me says beyond doubt the token was already dead
	revokeInDoubt                             // anything else: the token may still be live
)

// revokeWords are the parts of the diagnostics that depend on who revoked.
type revokeWords struct {
	afterInvalid string // ends the "already invalid" warning
	doingSuffix  string // follows "revoke the Pay-me refresh token ID" in an error
	inDoubt      string // what happens next when the outcome is in doubt
}

var revokeByDestroy = revokeWords{
	afterInvalid: " It has been removed from the state.",
	doingSuffix:  " (it stays in the state so that the next destroy can try again)",
	inDoubt:      destroyInDoubt,
}

// revokeRefreshToken revokes token, whose fingerprint is id, and records the
// outcome: nothing for revoked, a warning for already invalid, an error for
// in doubt.
func (d *providerData) revokeRefreshToken(ctx context.Context, diags *diag.Diagnostics, client *paymeauth.Client,
	username, id, token string, words revokeWords) revokeOutcome {
	err := client.Revoke(ctx, username, token)
	switch {
	case err == nil:
		tflog.Info(ctx, "revoked Pay-me refresh token", map[string]any{"id": id})
		return revokeDone
	case errors.Is(err, paymeauth.ErrInvalidToken):
		diags.AddWarning("Refresh Token Already Invalid",
			fmt.Sprintf("Pay-me says the refresh token %s is already invalid, revoked or unknown (%s), so there was "+
				"nothing left to revoke.%s", id, err, words.afterInvalid))
		return revokeAlreadyInvalid
	default:
		d.addPaymeErrorThen(diags, "revoke the Pay-me refresh token "+id+words.doingSuffix, err, words.inDoubt)
		return revokeInDoubt
	}
}
