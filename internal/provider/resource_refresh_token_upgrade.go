package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// refreshTokenModelV0 is the state of schema version 0, which kept the
// refresh token in plaintext.
type refreshTokenModelV0 struct {
	ID                types.String `tfsdk:"id"`
	Username          types.String `tfsdk:"username"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
	Scopes            types.Set    `tfsdk:"scopes"`
	Keepers           types.Map    `tfsdk:"keepers"`
	RotateAfter       types.String `tfsdk:"rotate_after"`
	RevokeOnDestroy   types.Bool   `tfsdk:"revoke_on_destroy"`
	RefreshToken      types.String `tfsdk:"refresh_token"`
	GrantedScopes     types.Set    `tfsdk:"granted_scopes"`
	IssuedAt          types.String `tfsdk:"issued_at"`
	IssuedAtUnix      types.Int64  `tfsdk:"issued_at_unix"`
	RotateAt          types.String `tfsdk:"rotate_at"`
}

// refreshTokenSchemaV0 is schema version 0, types only: all an upgrade needs.
func refreshTokenSchemaV0() *schema.Schema {
	str := func(sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, Sensitive: sensitive}
	}
	strings := schema.SetAttribute{Optional: true, Computed: true, ElementType: types.StringType}
	return &schema.Schema{Attributes: map[string]schema.Attribute{
		"id":                  str(false),
		"username":            str(false),
		"password_wo":         schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true},
		"password_wo_version": schema.Int64Attribute{Optional: true},
		"scopes":              strings,
		"keepers":             schema.MapAttribute{Optional: true, ElementType: types.StringType},
		"rotate_after":        str(false),
		"revoke_on_destroy":   schema.BoolAttribute{Optional: true, Computed: true},
		"refresh_token":       str(true),
		"granted_scopes":      strings,
		"issued_at":           str(false),
		"issued_at_unix":      schema.Int64Attribute{Computed: true},
		"rotate_at":           str(false),
	}}
}

// UpgradeState turns a state of version 0 into the sealed form. It never
// calls Pay-me and never makes a new token. Without keys (a provider
// configuration not known yet) the plaintext stays where it was, and the
// next Read seals it; nothing is lost either way.
func (r *refreshTokenResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {PriorSchema: refreshTokenSchemaV0(), StateUpgrader: r.upgradeFromV0},
	}
}

func (r *refreshTokenResource) upgradeFromV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	var old refreshTokenModelV0
	resp.Diagnostics.Append(req.State.Get(ctx, &old)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m := refreshTokenModel{
		ID: old.ID, Username: old.Username, PasswordWO: types.StringNull(), PasswordWOVersion: old.PasswordWOVersion,
		Scopes: old.Scopes, Keepers: old.Keepers, RotateAfter: old.RotateAfter, RevokeOnDestroy: old.RevokeOnDestroy,
		StorePlaintext: types.BoolValue(false), Sealed: types.StringNull(), RefreshToken: old.RefreshToken,
		GrantedScopes: old.GrantedScopes, IssuedAt: old.IssuedAt, IssuedAtUnix: old.IssuedAtUnix, RotateAt: old.RotateAt,
		Merchant: types.StringNull(),
	}
	var keys *seal.Ring
	if r.data != nil {
		keys = r.data.keys
	}
	// The token is in plaintext here: settling seals it, opening nothing.
	held, err := m.held().settle(keys, old.ID.ValueString(), false, false)
	m.hold(held)
	if err != nil || held.Sealed.IsNull() {
		tflog.Info(ctx, "upgraded a Pay-me refresh token's state without a sealing key; the next refresh seals it",
			map[string]any{"id": old.ID.ValueString()})
	} else {
		tflog.Info(ctx, "sealed a Pay-me refresh token while upgrading its state", map[string]any{"id": old.ID.ValueString()})
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
