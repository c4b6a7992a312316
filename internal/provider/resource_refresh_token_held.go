package provider

// What a payme_refresh_token's state holds of its token, decided here only:
// Create, Read, Update, the v0 upgrade and Delete store and take back the
// token through heldToken, and ModifyPlan plans both attributes with
// planHeld.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// heldToken is sealed_refresh_token and refresh_token together. The rule:
// the token is sealed whenever a key is at hand, and in plaintext only when
// store_plaintext_refresh_token asks for it. The one exception is a state
// upgraded from version 0 without a key, whose plaintext stays until a key
// can seal it: dropping it would lose a live token.
type heldToken struct {
	Sealed types.String
	Plain  types.String
}

// setIn writes both attributes into a plan or a state.
func (h heldToken) setIn(ctx context.Context, into attributeSetter) diag.Diagnostics {
	return setAttributes(ctx, into, attribute{"sealed_refresh_token", h.Sealed}, attribute{"refresh_token", h.Plain})
}

// storedToken is what Read, Delete and the plans of an update or a destroy
// need of a state, read attribute by attribute rather than as the whole
// model (see ModifyPlan): they run for every resource of every plan or
// destroy.
type storedToken struct {
	ID, Username, Merchant          types.String
	Held                            heldToken
	StorePlaintext, RevokeOnDestroy types.Bool
}

func readStoredToken(ctx context.Context, state tfsdk.State) (storedToken, diag.Diagnostics) {
	var t storedToken
	return t, getAttributes(ctx, state,
		attribute{"id", &t.ID}, attribute{"username", &t.Username}, attribute{"merchant", &t.Merchant},
		attribute{"sealed_refresh_token", &t.Held.Sealed}, attribute{"refresh_token", &t.Held.Plain},
		attribute{"store_plaintext_refresh_token", &t.StorePlaintext}, attribute{"revoke_on_destroy", &t.RevokeOnDestroy})
}

// holdToken stores a token just obtained under the fingerprint id.
func holdToken(keys *seal.Ring, id, token string, plaintext bool) heldToken {
	h := heldToken{Sealed: types.StringValue(keys.Seal(token, id)), Plain: types.StringNull()}
	if plaintext {
		h.Plain = types.StringValue(token)
	}
	return h
}

// held is what the model holds of its token.
func (m refreshTokenModel) held() heldToken {
	return heldToken{Sealed: m.Sealed, Plain: m.RefreshToken}
}

// hold puts h into the model.
func (m *refreshTokenModel) hold(h heldToken) {
	m.Sealed, m.RefreshToken = h.Sealed, h.Plain
}

// token gives the token back: the plaintext where the state keeps it, else
// opened from its sealed form.
func (h heldToken) token(keys *seal.Ring, id string) (string, error) {
	if !h.Plain.IsNull() && !h.Plain.IsUnknown() {
		return h.Plain.ValueString(), nil
	}
	token, _, err := keys.Open(h.Sealed.ValueString(), id)
	return token, err
}

// settle makes h follow the rule for plaintext: it seals a token held only
// in plaintext, seals again under the current key a token sealed under an
// older one when reseal is set, and keeps the plaintext exactly when asked
// to. Without keys nothing changes. It opens the token only when it needs it.
func (h heldToken) settle(keys *seal.Ring, id string, plaintext, reseal bool) (heldToken, error) {
	if keys == nil {
		return h, nil
	}
	sealIt := h.Sealed.IsNull()
	openIt := plaintext && (h.Plain.IsNull() || h.Plain.IsUnknown())
	var token string
	opened := false
	if !sealIt && reseal {
		// Ring.Open says whether an older key sealed it (stale).
		t, stale, err := keys.Open(h.Sealed.ValueString(), id)
		if err != nil {
			return h, err
		}
		token, sealIt, opened = t, stale, true
	}
	if (sealIt || openIt) && !opened {
		t, err := h.token(keys, id)
		if err != nil {
			return h, err
		}
		token = t
	}
	if sealIt {
		h.Sealed = types.StringValue(keys.Seal(token, id))
	}
	switch {
	case !plaintext:
		h.Plain = types.StringNull()
	case openIt:
		h.Plain = types.StringValue(token)
	}
	return h, nil
}

// planHeld is the one planning rule for both attributes: what the apply
// will store, or unknown where the plan cannot know it yet. prior is the
// state's (nil on create); plaintext is the planned
// store_plaintext_refresh_token, which may be unknown.
func planHeld(prior *heldToken, plaintext types.Bool) heldToken {
	planned := heldToken{Sealed: types.StringUnknown(), Plain: types.StringUnknown()}
	if prior != nil && !prior.Sealed.IsNull() {
		planned.Sealed = prior.Sealed // Update never seals again; Read does
	}
	switch {
	case plaintext.IsUnknown():
	case !plaintext.ValueBool():
		planned.Plain = types.StringNull()
	case prior != nil && !prior.Plain.IsNull():
		planned.Plain = prior.Plain
	}
	return planned
}
