package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
)

// addPaymeError turns an error from the Pay-me client into a diagnostic with
// a short title and a detail that says what happened and what to do. The
// client's error text never carries a secret, so it is safe to show.
func addPaymeError(diags *diag.Diagnostics, doing string, err error) {
	var title, advice string
	switch {
	case errors.Is(err, paymeauth.ErrUnauthorized):
		title = "Pay-me rejected the credentials"
		advice = "Check client_id and client_secret (and username and password, where used), that they belong to the selected environment, and that the client may request these scopes."
	case errors.Is(err, paymeauth.ErrForbidden):
		title = "Pay-me refused the request"
		advice = "The client is not allowed to do this. Ask Pay-me to grant the client the scopes it needs."
	case errors.Is(err, paymeauth.ErrInvalidToken):
		title = "Refresh token not valid"
		advice = "Pay-me says the refresh token is invalid, expired or revoked. Create a new one, for example by replacing its payme_refresh_token resource."
	case errors.Is(err, paymeauth.ErrTemporary):
		title = "Pay-me unavailable"
		advice = "Pay-me did not answer successfully, even after retrying. Try again later, or raise max_retries or request_timeout in the provider configuration."
	case errors.Is(err, paymeauth.ErrMalformed):
		title = "Unexpected answer from Pay-me"
		advice = "Pay-me's answer could not be used. Check auth_url and the environment; if they are right, Pay-me may have changed its API: please report it."
	case errors.Is(err, paymeauth.ErrBadRequest):
		title = "Pay-me rejected the request"
		advice = "Check the arguments (audience, scopes, username) against what Pay-me expects for this client."
	// After the kinds: a timed-out attempt is ErrTemporary even though it
	// also wraps context.DeadlineExceeded.
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		title = "Pay-me request interrupted"
		advice = "Terraform stopped the operation before Pay-me answered. Run the command again to finish it."
	default:
		title = "Pay-me request failed"
		advice = "Try again; if it keeps failing, please report it."
	}
	diags.AddError(title, fmt.Sprintf("Could not %s: %s. %s", doing, err, advice))
}
