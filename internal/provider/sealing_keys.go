package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// sealingKeys builds the key ring from sealing_key, previous_sealing_keys
// (or their environment variables) and the client credentials. The key
// derived from the credentials seals when no sealing_key is set, and
// otherwise stays in the ring to open, so that setting a dedicated key
// later strands nothing. It reports known=false while a key is unknown.
func (p *paymeProvider) sealingKeys(ctx context.Context, m providerModel, cfg paymeauth.Config, diags *diag.Diagnostics) (*seal.Ring, bool) {
	if m.SealingKey.IsUnknown() || m.PreviousKeys.IsUnknown() {
		return nil, false
	}
	dedicated := m.SealingKey.ValueString()
	if m.SealingKey.IsNull() {
		if e, ok := p.env(settingSealingKey.env); ok {
			if err := checkSealingKey(e); err != nil {
				addEnvError(diags, settingSealingKey.attr, settingSealingKey.env, settingSealingKey.title, err)
			}
			dedicated = e
		}
	}
	previous, known := p.previousKeys(ctx, m.PreviousKeys, diags)
	if !known || diags.HasError() {
		return nil, known
	}

	derived, err := seal.FromClientCredentials(cfg.ClientID, cfg.ClientSecret)
	if err != nil {
		diags.AddError("Cannot Derive the Sealing Key", "Deriving the sealing key from the client credentials failed: "+err.Error()+". Please report it.")
		return nil, true
	}
	if dedicated == "" {
		return seal.NewRing(derived, previous...), true
	}
	current, err := seal.NewKey(dedicated)
	if err != nil {
		diags.AddError("Cannot Derive the Sealing Key", "Deriving the sealing key from sealing_key failed: "+err.Error()+". Please report it.")
		return nil, true
	}
	return seal.NewRing(current, append(previous, derived)...), true
}

// previousKeys reads previous_sealing_keys, or its environment variable as
// a comma-separated list.
func (p *paymeProvider) previousKeys(ctx context.Context, v types.List, diags *diag.Diagnostics) ([]*seal.Key, bool) {
	var raw []string
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
			raw = append(raw, e.ValueString())
		}
	default:
		e, ok := p.env(settingPreviousKeys.env)
		if !ok {
			return nil, true
		}
		for _, k := range strings.Split(e, ",") {
			k = strings.TrimSpace(k)
			if k == "" {
				continue
			}
			if err := checkSealingKey(k); err != nil {
				addEnvError(diags, settingPreviousKeys.attr, settingPreviousKeys.env, settingPreviousKeys.title, err)
				return nil, true
			}
			raw = append(raw, k)
		}
	}
	keys := make([]*seal.Key, 0, len(raw))
	for _, r := range raw {
		k, err := seal.NewKey(r)
		if err != nil {
			diags.AddError("Cannot Derive the Sealing Key", "Deriving a key from previous_sealing_keys failed: "+err.Error()+". Please report it.")
			return nil, true
		}
		keys = append(keys, k)
	}
	return keys, true
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
