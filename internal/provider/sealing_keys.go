package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// sealingKeys builds the key ring from sealing_key, previous_sealing_keys
// (or their environment variables) and the client credentials. The key
// derived from the credentials seals when no sealing_key is set, and
// otherwise stays in the ring to open, so that setting a dedicated key
// later strands nothing.
func sealingKeys(s settings, diags *diag.Diagnostics) *seal.Ring {
	previous := make([]*seal.Key, 0, len(s.previousKeys.value)+1)
	for _, r := range s.previousKeys.value {
		k, err := seal.NewKey(r)
		if err != nil {
			diags.AddError("Cannot Derive the Sealing Key", "Deriving a key from previous_sealing_keys failed: "+err.Error()+". Please report it.")
			return nil
		}
		previous = append(previous, k)
	}
	var derived *seal.Key
	if s.clientID.value != "" { // only merchants configured: no default credentials to derive from
		var err error
		if derived, err = seal.FromClientCredentials(s.clientID.value, s.clientSecret.value); err != nil {
			diags.AddError("Cannot Derive the Sealing Key", "Deriving the sealing key from the client credentials failed: "+err.Error()+". Please report it.")
			return nil
		}
	}
	if s.sealingKey.value == "" {
		if derived == nil {
			return nil
		}
		return seal.NewRing(derived, previous...)
	}
	current, err := seal.NewKey(s.sealingKey.value)
	if err != nil {
		diags.AddError("Cannot Derive the Sealing Key", "Deriving the sealing key from sealing_key failed: "+err.Error()+". Please report it.")
		return nil
	}
	if derived != nil {
		previous = append(previous, derived)
	}
	return seal.NewRing(current, previous...)
}

// addSealDiag explains why a sealed refresh token did not open, naming the
// key identifier when a key is missing. at is the attribute to blame, or
// nil for the resource as a whole.
func addSealDiag(diags *diag.Diagnostics, severity diag.Severity, at *path.Path, id, doing string, err error) {
	var title, detail string
	var unknown *seal.UnknownKeyError
	switch {
	case errors.As(err, &unknown):
		title = "Sealing Key Missing"
		detail = fmt.Sprintf("Could not %s: the refresh token %s was sealed under the key %s, and no configured key has that "+
			"identifier. Add the key it came from to previous_sealing_keys (or PAYME_PREVIOUS_SEALING_KEYS), or restore the "+
			"sealing_key or client credentials in use when it was sealed. Nothing was changed.", doing, id, unknown.KeyID)
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
