package provider

// Planning payme_refresh_token: when a new token is due (rotation, a changed
// password) and what the plaintext attribute will hold.

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/duration"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// privatePasswordDigest keys, in the resource's private state, the HMAC of
// the password the token was created with, so that a changed password_wo
// is noticed without a version number and without storing the password.
const privatePasswordDigest = "password_digest"

// ModifyPlan plans the plaintext attribute, proposes a new token when the
// password changed, and derives rotate_at, proposing a new token once it
// has passed.
func (r *refreshTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.planMerchant(ctx, req, resp)
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return // destroy
	}
	var plan, state refreshTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *heldToken
	if !req.State.Raw.IsNull() {
		h := state.held()
		prior = &h
	}
	planned := planHeld(prior, plan.StorePlaintext)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("sealed_refresh_token"), planned.Sealed)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("refresh_token"), planned.Plain)...)
	if prior == nil {
		return // create, where Create sets rotate_at
	}
	warnPlaintextOff(state, plan, &resp.Diagnostics)
	if changed, unknown := r.passwordChanged(ctx, req, plan); changed {
		differs := "differs from"
		if unknown {
			differs = "is not known until apply, so it may differ from"
		}
		resp.Diagnostics.AddWarning("Password Changed",
			fmt.Sprintf("password_wo %s the password the refresh token %s was created with, so a new token "+
				"is planned. Set password_wo_version to decide yourself when a new password takes effect.", differs, state.ID.ValueString()))
		// As for rotation: an unknown planned value makes the replacement stick.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), types.StringUnknown())...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("id"))
	}
	if plan.RotateAfter.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rotate_at"), types.StringUnknown())...)
		return
	}
	rotateAt, err := rotateAtFor(state.IssuedAt, plan.RotateAfter)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("issued_at"), "Corrupt State", err.Error())
		return
	}
	if r.due(rotateAt) {
		// An unknown planned value is what makes Terraform honour the
		// replacement: it replaces only for paths whose value changes.
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rotate_at"), types.StringUnknown())...)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("rotate_at"))
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rotate_at"), rotateAt)...)
}

// passwordDigest is what the private state keeps of a password: an HMAC
// under a sealing key, named by the key's identifier.
type passwordDigest struct {
	KeyID string `json:"kid"`
	MAC   string `json:"hmac"`
}

func newPasswordDigest(k *seal.Key, password types.String) []byte {
	b, _ := json.Marshal(passwordDigest{KeyID: k.ID(), MAC: k.Digest("password_wo\x00" + password.ValueString())})
	return b
}

// passwordChanged compares password_wo with the digest kept at creation.
// A password not known yet may differ, and Update cannot give the token a
// new password, so it counts as changed (unknown reports that case), as
// RequiresReplace treats any unknown value. Otherwise it says no whenever it
// cannot tell: a version number decides instead, no digest was kept (states
// from before digests), or the key that made the digest is gone.
func (r *refreshTokenResource) passwordChanged(ctx context.Context, req resource.ModifyPlanRequest, plan refreshTokenModel) (changed, unknown bool) {
	if !plan.PasswordWOVersion.IsNull() {
		return false, false
	}
	var password types.String
	if req.Config.GetAttribute(ctx, path.Root("password_wo"), &password).HasError() {
		return false, false
	}
	if password.IsUnknown() {
		return true, true
	}
	if r.data == nil || !r.data.configured {
		return false, false
	}
	raw, diags := req.Private.GetKey(ctx, privatePasswordDigest)
	var kept passwordDigest
	if diags.HasError() || len(raw) == 0 || json.Unmarshal(raw, &kept) != nil {
		return false, false
	}
	keys := r.data.ringFor(kept.KeyID)
	if keys == nil {
		return false, false
	}
	k := keys.Key(kept.KeyID)
	var now passwordDigest
	_ = json.Unmarshal(newPasswordDigest(k, password), &now)
	return now.MAC != kept.MAC, false
}

// due reports whether rotate_at has passed on the provider's clock.
func (r *refreshTokenResource) due(rotateAt types.String) bool {
	if rotateAt.IsNull() {
		return false
	}
	at, err := time.Parse(time.RFC3339, rotateAt.ValueString())
	if err != nil {
		return false // rotateAtFor wrote it, so it parses
	}
	now := time.Now
	if r.data != nil && r.data.now != nil {
		now = r.data.now
	}
	return !now().Before(at)
}

// rotateAtFor returns issued_at plus rotate_after, or null without rotate_after.
func rotateAtFor(issuedAt, rotateAfter types.String) (types.String, error) {
	if rotateAfter.IsNull() || issuedAt.IsNull() || issuedAt.IsUnknown() {
		return types.StringNull(), nil
	}
	issued, err := time.Parse(time.RFC3339, issuedAt.ValueString())
	if err != nil {
		return types.StringNull(), fmt.Errorf("issued_at %q in the state is not an RFC 3339 time stamp; replace the resource", issuedAt.ValueString())
	}
	after, err := duration.Parse(rotateAfter.ValueString())
	if err != nil {
		return types.StringNull(), fmt.Errorf("rotate_after %q is not a duration", rotateAfter.ValueString())
	}
	return types.StringValue(issued.Add(after).UTC().Format(time.RFC3339)), nil
}
