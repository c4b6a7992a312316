package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// settingPreviousSecrets is the one setting this file adds to the provider:
// client secrets Pay-me no longer accepts, kept only to open tokens sealed
// under keys derived from them.
var settingPreviousSecrets = stringSetting{"previous_client_secrets", "PAYME_PREVIOUS_CLIENT_SECRETS", "Invalid Previous Client Secret", checkCredential}

// keySources is everything one set of client credentials seals and opens
// with: the provider's own credentials, or one merchant's.
type keySources struct {
	dedicated       string   // sealing_key; "" for none
	previous        []string // previous_sealing_keys
	clientID        string
	clientSecret    string
	previousSecrets []string // previous_client_secrets
}

// newKeyRing builds the key ring of one set of credentials. The key that
// seals is the dedicated key, or else the key derived from the client
// credentials. Every other key only opens: older dedicated keys, the
// credential key when a dedicated key seals (so setting one strands
// nothing), keys derived from retired client secrets, and the keys earlier
// versions derived with HKDF alone. Nothing is derived here: each key is
// derived on first use.
func newKeyRing(s keySources) (*seal.Ring, error) {
	var older []*seal.Key
	for _, p := range s.previous {
		k, err := seal.NewKey(p)
		if err != nil {
			return nil, err
		}
		older = append(older, k)
	}
	secrets := append([]string{s.clientSecret}, s.previousSecrets...)
	current := seal.FromClientCredentials(s.clientID, s.clientSecret)
	if s.dedicated != "" {
		older = append(older, current)
		var err error
		if current, err = seal.NewKey(s.dedicated); err != nil {
			return nil, err
		}
	}
	for _, secret := range s.previousSecrets {
		older = append(older, seal.FromClientCredentials(s.clientID, secret))
	}
	for _, secret := range secrets {
		older = append(older, seal.LegacyFromClientCredentials(s.clientID, secret))
	}
	return seal.NewRing(current, older...), nil
}

// sealingKeys builds a key ring from resolved settings: the default
// credentials' or, with their credentials put in, a merchant's. Without
// credentials and sealing_key (only merchants configured) there is none.
func sealingKeys(s settings, diags *diag.Diagnostics) *seal.Ring {
	if s.clientID.value == "" && s.sealingKey.value == "" {
		return nil
	}
	ring, err := newKeyRing(keySources{dedicated: s.sealingKey.value, previous: s.previousKeys.value, clientID: s.clientID.value,
		clientSecret: s.clientSecret.value, previousSecrets: s.previousSecrets.value})
	if err != nil {
		diags.AddError("Cannot Derive the Sealing Key", "Deriving a sealing key failed: "+err.Error()+". Please report it.")
		return nil
	}
	return ring
}

// listSetting reads a list argument, or its environment variable as a
// comma-separated list, and names a bad entry of the variable by position
// (the attribute's validator names a bad list element by index).
func (p *paymeProvider) listSetting(ctx context.Context, s stringSetting, v types.List, diags *diag.Diagnostics) ([]string, bool) {
	var out []string
	switch {
	case v.IsUnknown():
		return nil, false
	case !v.IsNull():
		var elems []types.String
		diags.Append(v.ElementsAs(ctx, &elems, false)...)
		for _, e := range elems {
			if e.IsUnknown() {
				return nil, false
			}
			out = append(out, e.ValueString())
		}
		return out, true
	}
	e, ok := p.env(s.env)
	if !ok {
		return nil, true
	}
	for i, entry := range strings.Split(e, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if err := s.check(entry); err != nil {
			diags.AddAttributeError(path.Root(s.attr).AtListIndex(i), s.title,
				fmt.Sprintf("Entry %d (counting from 1) of the %s environment variable %s. Fix or remove that entry, "+
					"or set %s in the provider configuration.", i+1, s.env, err, s.attr))
			return nil, true
		}
		out = append(out, entry)
	}
	return out, true
}

// warnResealed says that Read sealed a token again under the current key
// (Ring.Open found it stale): Read runs on plan too, where the refreshed
// state is not saved, so the warning stays until an apply has saved it,
// and only then may the old key or secret go.
func (d *providerData) warnResealed(diags *diag.Diagnostics, id, oldSealed string) {
	old, _ := seal.KeyID(oldSealed)
	diags.AddWarning("Refresh Token Sealed Under an Older Key",
		fmt.Sprintf("The refresh token %s is sealed under the older key %s, not the current key %s. This run seals it "+
			"again under the current key without calling Pay-me, but terraform plan does not save that: run "+
			"terraform apply -refresh-only (or any terraform apply) to save it. Keep the old sealing key or client "+
			"secret configured until no plan shows this warning.", id, old, d.keys.Current().ID()))
}

// warnPlaintextOff warns when store_plaintext_refresh_token goes from true
// to false: the state stops holding the token, but every earlier state and
// backup still does, and the token stays live until it is replaced.
func warnPlaintextOff(was, planned types.Bool, id types.String, diags *diag.Diagnostics) {
	if !was.ValueBool() || planned.IsUnknown() || planned.ValueBool() {
		return
	}
	diags.AddAttributeWarning(path.Root("store_plaintext_refresh_token"), "Plaintext Refresh Token Still Exposed",
		fmt.Sprintf("store_plaintext_refresh_token changes to false, so new states hold the refresh token %s only "+
			"sealed, but earlier states, terraform.tfstate.backup and your backend's state versions still hold it in "+
			"plaintext, and it stays live. Replace it so that the exposed token is revoked: terraform apply "+
			"-replace=ADDRESS, where ADDRESS is this resource's address (for example payme_refresh_token.main).",
			id.ValueString()))
}

// addSealDiag explains why a sealed refresh token did not open. For a
// missing key it names the kind of key and the advice that works for that
// kind. at is the attribute to blame, or nil for the resource as a whole.
func (d *providerData) addSealDiag(diags *diag.Diagnostics, severity diag.Severity, at *path.Path, id, doing string, err error) {
	var title, detail string
	var unknown *seal.UnknownKeyError
	switch {
	case errors.As(err, &unknown):
		title = "Sealing Key Missing"
		detail = fmt.Sprintf("Could not %s: the refresh token %s was sealed under the key %s, %s Nothing was changed.",
			doing, id, unknown.KeyID, d.missingKeyAdvice(unknown.KeyID))
	case errors.Is(err, seal.ErrTampered):
		title = "Sealed Refresh Token Tampered"
		detail = fmt.Sprintf("Could not %s: the sealed value of the refresh token %s does not authenticate under its key: it "+
			"was altered or truncated, or copied from another resource. Restore the state from a backup. Nothing was changed.", doing, id)
	default:
		title = "Sealed Refresh Token Unreadable"
		detail = fmt.Sprintf("Could not %s: the sealed value of the refresh token %s is not in a format this provider writes "+
			"(values start with %s.). Restore the state from a backup, or upgrade the provider. Nothing was changed.", doing, id, seal.Prefix)
	}
	switch {
	case at != nil && severity == diag.SeverityWarning:
		diags.AddAttributeWarning(*at, title, detail)
	case at != nil:
		diags.AddAttributeError(*at, title, detail)
	case severity == diag.SeverityWarning:
		diags.AddWarning(title, detail)
	default:
		diags.AddError(title, detail)
	}
}

// missingKeyAdvice names the kind of key a key identifier stands for and
// what brings it back. d may be nil.
func (d *providerData) missingKeyAdvice(kid string) string {
	tag, fromCredentials := seal.CredentialKeyClientTag(kid)
	if !fromCredentials {
		return "a dedicated sealing key that is no longer configured (or, if an earlier version of this provider " +
			"sealed it without a sealing_key, a key derived from the client credentials). Add that key to " +
			"previous_sealing_keys (or PAYME_PREVIOUS_SEALING_KEYS); if no sealing_key was ever set, add the client " +
			"secret in use when it was sealed to previous_client_secrets (or PAYME_PREVIOUS_CLIENT_SECRETS) instead."
	}
	var clientIDs []string
	if d != nil {
		clientIDs = d.clientIDs
	}
	if i := slices.IndexFunc(clientIDs, func(id string) bool { return seal.ClientTag(id) == tag }); i >= 0 {
		return fmt.Sprintf("derived from the client credentials of client_id %q with a client secret that is no "+
			"longer configured. Add that client secret to previous_client_secrets (or PAYME_PREVIOUS_CLIENT_SECRETS): "+
			"it only opens tokens, and is never sent to Pay-me.", clientIDs[i])
	}
	return "derived from the client credentials of a client_id that is not configured. Set client_id and " +
		"client_secret to the client the token was created with (a client secret Pay-me no longer accepts goes in " +
		"previous_client_secrets), then run the command again."
}
