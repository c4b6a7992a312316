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

// ModifyPlan plans a create, an update or a destroy, each reading no more of
// the plan and state than it needs: decoding the whole model costs the
// framework a regular expression compiled per field (about 0.1 ms quiet),
// paid for every resource of every plan.
func (r *refreshTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	switch {
	case req.Plan.Raw.IsNull():
		r.planDestroy(ctx, req, resp)
	case req.State.Raw.IsNull():
		r.planCreate(ctx, req, resp)
	default:
		r.planUpdate(ctx, req, resp)
	}
}

// planCreate checks the merchant and plans the plaintext attribute; Create
// sets rotate_at.
func (r *refreshTokenResource) planCreate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var merchant types.String
	var plaintext types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("merchant"), &merchant)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("store_plaintext_refresh_token"), &plaintext)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.checkPlannedMerchant(merchant, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(planHeld(nil, plaintext).setIn(ctx, &resp.Plan)...)
	}
}

// planDestroy refuses to destroy a token whose merchant is gone, as its
// revocation needs that merchant's credentials.
func (r *refreshTokenResource) planDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	stored, diags := readStoredToken(ctx, req.State)
	resp.Diagnostics.Append(diags...)
	if !resp.Diagnostics.HasError() && stored.RevokeOnDestroy.ValueBool() {
		r.checkKeptMerchant(stored.Merchant, stored.ID, &resp.Diagnostics)
	}
}

// planUpdate plans the plaintext attribute, proposes a new token when the
// password changed, and derives rotate_at, proposing a new token once it
// has passed.
func (r *refreshTokenResource) planUpdate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	state, diags := readStoredToken(ctx, req.State)
	var issuedAt, merchant, rotateAfter types.String
	var plaintext types.Bool
	var passwordVersion types.Int64
	diags.Append(req.State.GetAttribute(ctx, path.Root("issued_at"), &issuedAt)...)
	diags.Append(getAttributes(ctx, req.Plan, attribute{"merchant", &merchant}, attribute{"rotate_after", &rotateAfter},
		attribute{"store_plaintext_refresh_token", &plaintext}, attribute{"password_wo_version", &passwordVersion})...)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.checkKeptMerchant(state.Merchant, state.ID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	r.checkPlannedMerchant(merchant, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(planHeld(&state.Held, plaintext).setIn(ctx, &resp.Plan)...)
	warnPlaintextOff(state.StorePlaintext, plaintext, state.ID, &resp.Diagnostics)
	if changed, unknown := r.passwordChanged(ctx, req, passwordVersion); changed {
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
	if rotateAfter.IsUnknown() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("rotate_at"), types.StringUnknown())...)
		return
	}
	rotateAt, err := rotateAtFor(issuedAt, rotateAfter)
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
func (r *refreshTokenResource) passwordChanged(ctx context.Context, req resource.ModifyPlanRequest, version types.Int64) (changed, unknown bool) {
	if !version.IsNull() {
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
