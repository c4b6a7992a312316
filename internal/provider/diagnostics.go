package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
)

// Diagnostic titles are short Title Case phrases that say what happened
// ("Pay-me Rejected the Credentials"); the detail says what happened in a
// sentence, then what to do. All user advice about Pay-me's answers lives
// here: the client only reports what happened.

// addPaymeError turns an error from the Pay-me client into a diagnostic. The
// client's error text never carries a secret, so it is safe to show. d may
// be nil (the provider is not configured yet).
func (d *providerData) addPaymeError(diags *diag.Diagnostics, doing string, err error) {
	var pe *paymeauth.Error
	if !errors.As(err, &pe) {
		pe = &paymeauth.Error{}
	}
	title, advice := paymeAdvice(pe, err, d.urlOrigin(pe))
	if pe.Op == "revoke" && !errors.Is(err, paymeauth.ErrInvalidToken) {
		advice += " The refresh token stays in the state and the destroy fails, so that no live token is forgotten. " +
			"To forget it on purpose, set revoke_on_destroy = false and apply before destroying, or run " +
			"terraform state rm on the payme_refresh_token resource."
	}
	if m := mintedAdvice(pe.Minted, false); m != "" {
		advice += " " + m
	}
	diags.AddError(title, fmt.Sprintf("Could not %s: %s. %s", doing, err, advice))
}

// addMintedWarning warns about what a successful call did besides the
// token it returned: other refresh tokens its answers carried, or earlier
// attempts that may have had Pay-me issue one that never arrived.
func addMintedWarning(diags *diag.Diagnostics, m paymeauth.Minted) {
	if m == (paymeauth.Minted{}) {
		return
	}
	diags.AddWarning("Pay-me May Have Issued Other Refresh Tokens", mintedAdvice(m, true))
}

// askPayme is what only Pay-me can do about a token the provider lost.
const askPayme = "Ask Pay-me to revoke the refresh tokens issued to this username at this time that are not in the state."

// mintedAdvice says what became of the refresh tokens a call did not keep,
// and what to ask Pay-me about those it never saw; "" when there are none.
// A failed call's error already counts them, so its advice only adds what
// to do; a success's warning says it all.
func mintedAdvice(m paymeauth.Minted, succeeded bool) string {
	var s []string
	switch {
	case !succeeded && m.Live+m.Unseen > 0:
		s = append(s, "Pay-me may hold a refresh token the provider could not revoke. "+askPayme)
	case !succeeded && m.Revoked > 0:
		s = append(s, "The provider revoked every refresh token the answers carried, so none was left live.")
	}
	if !succeeded {
		return strings.Join(s, " ")
	}
	if m.Revoked > 0 {
		s = append(s, fmt.Sprintf("Pay-me's answers carried %s besides the one kept; the provider revoked %s, so none was left live.",
			plural(m.Revoked, "refresh token", "refresh tokens"), pick(m.Revoked, "it", "them")))
	}
	if m.Live > 0 {
		s = append(s, fmt.Sprintf("Pay-me's answers carried %s besides the one kept, and revoking %s failed: %s may stay live until %s. "+askPayme,
			plural(m.Live, "refresh token", "refresh tokens"), pick(m.Live, "it", "them"),
			pick(m.Live, "it", "they"), pick(m.Live, "it expires", "they expire")))
	}
	if m.Unseen > 0 {
		s = append(s, fmt.Sprintf("Before the attempt that succeeded, %s after the request reached Pay-me (a server error, "+
			"a timeout or a cut connection): Pay-me may have issued a refresh token then that never arrived, and the "+
			"provider cannot revoke what it never received. "+askPayme, plural(m.Unseen, "attempt failed", "attempts failed")))
	}
	return strings.Join(s, " ")
}

// pick is one when n is 1, else many.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// plural is "1 one" or "n many".
func plural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, pick(n, one, many))
}

// urlOrigin says which URL was called and which setting it came from.
func (d *providerData) urlOrigin(pe *paymeauth.Error) string {
	from := "auth_url, PAYME_AUTH_URL or environment"
	if d != nil && d.authURLFrom != "" {
		from = d.authURLFrom
	}
	return fmt.Sprintf("%s (from %s)", pe.URL, from)
}

func paymeAdvice(pe *paymeauth.Error, err error, url string) (title, advice string) {
	switch {
	case errors.Is(err, paymeauth.ErrEndpoint):
		return "Pay-me Auth URL Unusable", "The provider called " + url + ", and retrying cannot help. " +
			"Check that setting: the host name, its TLS certificate, and that it is Pay-me's auth base URL " +
			"(one that does not redirect)."
	case errors.Is(err, paymeauth.ErrUnauthorized):
		return "Pay-me Rejected the Credentials", "Check client_id and client_secret (and username and password_wo, " +
			"where used), that they belong to the selected environment, and that the client may request these scopes."
	case errors.Is(err, paymeauth.ErrForbidden):
		return "Pay-me Refused the Request", "The client is not allowed to do this. Ask Pay-me to grant the client the scopes it needs."
	case errors.Is(err, paymeauth.ErrInvalidToken) && pe.Grant == paymeauth.GrantRefreshToken:
		return "Refresh Token Revoked or Expired", "Pay-me refused the refresh token given to payme_access_token: " +
			"it was revoked (perhaps outside Terraform) or has expired. Every plan, apply and destroy that opens this " +
			"payme_access_token fails until it gets a live token. If the token comes from a payme_refresh_token " +
			"resource, replace that resource: terraform apply -replace=ADDRESS, where ADDRESS is its address " +
			"(for example payme_refresh_token.main); otherwise pass a fresh refresh token. The guide \"When a " +
			"refresh token was revoked outside Terraform\" covers plan, apply and destroy."
	case errors.Is(err, paymeauth.ErrInvalidToken):
		return "Refresh Token Not Valid", "Pay-me says the refresh token is invalid, expired or revoked. " +
			"Create a new one, for example by replacing its payme_refresh_token resource."
	// A retry may mint another unseen token: no advice to retry more.
	case errors.Is(err, paymeauth.ErrTemporary) && pe.Minted.Unseen > 0 && pe.HTTPStatus == 0:
		return "Pay-me Unreachable", "No answer came from " + url + ", even after retrying. Try again later."
	case errors.Is(err, paymeauth.ErrTemporary) && pe.Minted.Unseen > 0:
		return "Pay-me Unavailable", "Pay-me did not answer successfully, even after retrying. Try again later."
	case errors.Is(err, paymeauth.ErrTemporary) && pe.HTTPStatus == 0:
		return "Pay-me Unreachable", "No answer came from " + url + ", even after retrying. If Pay-me is up, " +
			"check that setting; otherwise try again later, or raise max_retries or request_timeout."
	case errors.Is(err, paymeauth.ErrTemporary):
		return "Pay-me Unavailable", "Pay-me did not answer successfully, even after retrying. Try again later, " +
			"or raise max_retries or request_timeout in the provider configuration."
	case errors.Is(err, paymeauth.ErrMalformed):
		return "Unexpected Answer from Pay-me", "Pay-me's answer at " + url + " could not be used. Check that " +
			"setting; if it is right, Pay-me may have changed its API: please report it."
	case errors.Is(err, paymeauth.ErrBadRequest) && pe.HTTPStatus == http.StatusNotFound:
		// A wrong URL is the likely cause, so it comes first.
		return "Pay-me Rejected the Request", "Nothing answers at " + url + ". Check that setting: it must be Pay-me's " +
			"auth base URL, without /token or /revoke, which the provider appends. If it is, check the arguments " +
			"(audience, scopes, username) against what Pay-me expects for this client."
	case errors.Is(err, paymeauth.ErrBadRequest):
		return "Pay-me Rejected the Request", "Check the arguments (audience, scopes, username) against what " +
			"Pay-me expects for this client, and that " + url + " is Pay-me's auth base URL."
	// After the kinds: a timed-out attempt is ErrTemporary even though it
	// also wraps context.DeadlineExceeded.
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		if pe.HTTPStatus != 0 || pe.Minted != (paymeauth.Minted{}) {
			return "Pay-me Request Interrupted", "Terraform stopped the operation after the request reached Pay-me. Run the command again to finish it."
		}
		return "Pay-me Request Interrupted", "Terraform stopped the operation before Pay-me answered. Run the command again to finish it."
	}
	return "Pay-me Request Failed", "Try again; if it keeps failing, please report it."
}
