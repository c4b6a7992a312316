package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/actionvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

var (
	_ action.Action                     = (*revokeRefreshTokenAction)(nil)
	_ action.ActionWithConfigure        = (*revokeRefreshTokenAction)(nil)
	_ action.ActionWithConfigValidators = (*revokeRefreshTokenAction)(nil)
)

// revokeByAction: the action keeps nothing, so a revoke in doubt leaves
// only the advice to run it again.
var revokeByAction = revokeWords{
	afterInvalid: " Nothing else was changed.",
	inDoubt: "Nothing was changed and the token may still be live: run the action again once Pay-me answers, " +
		"and treat the token as live until it does.",
}

// NewRevokeRefreshTokenAction returns the payme_revoke_refresh_token action.
func NewRevokeRefreshTokenAction() action.Action {
	return &revokeRefreshTokenAction{}
}

type revokeRefreshTokenAction struct {
	data *providerData
}

type revokeRefreshTokenModel struct {
	Merchant     types.String `tfsdk:"merchant"`
	ID           types.String `tfsdk:"id"`
	Sealed       types.String `tfsdk:"sealed_refresh_token"`
	RefreshToken types.String `tfsdk:"refresh_token"`
	Username     types.String `tfsdk:"username"`
}

func (a *revokeRefreshTokenAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_revoke_refresh_token"
}

func (a *revokeRefreshTokenAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Revokes a Pay-me refresh token through Pay-me's `/revoke` endpoint, with the provider's " +
			"client credentials, for a token Terraform can no longer revoke by destroying its resource: one that leaked, " +
			"one from an older generation or another state, or one kept by `revoke_on_destroy = false`. It mints nothing, " +
			"changes no state and writes no store. Give either the sealed value with its fingerprint (`id` and " +
			"`sealed_refresh_token`, as a state or a backup of one holds them; the provider's sealing keys open it " +
			"locally), or the token itself (`refresh_token`). Progress messages name the token by its fingerprint only.\n\n" +
			"The outcome is the one a destroy reaches: revoked; already invalid (a warning, nothing left to do); or in " +
			"doubt, which fails the invocation so that the token is treated as live until Pay-me confirms. " +
			"Actions need Terraform 1.14 or later; OpenTofu has none (see the guide \"Incident: a refresh token leaked\").",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The fingerprint of the token, the `id` of the `payme_refresh_token` that held it. " +
					"Required with `sealed_refresh_token`, which is bound to it. With `refresh_token` it is optional, and " +
					"when set the token must have this fingerprint, so that the wrong token is never revoked.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"sealed_refresh_token": schema.StringAttribute{
				MarkdownDescription: "The `sealed_refresh_token` of the `payme_refresh_token` that held the token. " +
					"It opens only with a sealing key this provider is configured with (`sealing_key`, " +
					"`previous_sealing_keys`, or the key derived from the client credentials).",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("id")),
				},
			},
			"refresh_token": schema.StringAttribute{
				MarkdownDescription: "The refresh token itself, for a token that has no sealed value, such as one copied " +
					"from a leaked secret. Pass it from a variable declared with `sensitive = true`. Terraform cannot take " +
					"an ephemeral value here, nor mark an action argument sensitive itself: the value is kept in a saved " +
					"plan file like any other argument (never in the state), so prefer `terraform apply -invoke` without a " +
					"saved plan. The provider never shows the value; it names the token by its fingerprint.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, paymeauth.MaxTokenLength),
				},
			},
			"merchant": schema.StringAttribute{
				MarkdownDescription: merchantDescription + " A sealed value opens with any configured key, whichever merchant's.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "The merchant user sent with the revocation, as `payme_refresh_token` sends its " +
					"`username`. Optional, as in Pay-me's API.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxCredentialLength)},
			},
		},
	}
}

func (a *revokeRefreshTokenAction) ConfigValidators(context.Context) []action.ConfigValidator {
	return []action.ConfigValidator{
		actionvalidator.ExactlyOneOf(path.MatchRoot("sealed_refresh_token"), path.MatchRoot("refresh_token")),
	}
}

func (a *revokeRefreshTokenAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data, resp.Diagnostics = toProviderData(req.ProviderData)
}

func (a *revokeRefreshTokenAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m revokeRefreshTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, _ := a.data.forMerchant(m.Merchant, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id, token := m.ID.ValueString(), m.RefreshToken.ValueString()
	if m.RefreshToken.IsNull() {
		var ok bool
		if token, ok = a.data.openSealed(&resp.Diagnostics, id, m.Sealed.ValueString(), "revoke the refresh token"); !ok {
			return
		}
	} else if got := seal.Fingerprint(token); id == "" {
		id = got
	} else if got != id {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Refresh Token Does Not Match Its Fingerprint",
			fmt.Sprintf("The refresh_token given has the fingerprint %s, not %s, so it was not revoked. Check that the "+
				"variable holds the token you mean, or leave id out to revoke whatever token refresh_token holds.", got, id))
		return
	}

	resp.SendProgress(action.InvokeProgressEvent{Message: "Revoking the Pay-me refresh token " + id + "."})
	switch a.data.revokeRefreshToken(ctx, &resp.Diagnostics, client, m.Username.ValueString(), id, token, revokeByAction) {
	case revokeDone:
		resp.SendProgress(action.InvokeProgressEvent{Message: "Pay-me revoked the refresh token " + id + "."})
	case revokeAlreadyInvalid:
		resp.SendProgress(action.InvokeProgressEvent{Message: "Pay-me says the refresh token " + id +
			" was already invalid, revoked or unknown: nothing left to revoke."})
	case revokeInDoubt:
		// The error diagnostic says it all.
	}
}

// openSealed opens a sealed refresh token for an action, or records why it
// did not open, on the sealed_refresh_token argument.
func (d *providerData) openSealed(diags *diag.Diagnostics, id, sealed, doing string) (string, bool) {
	token, err := d.open(sealed, id)
	if err != nil {
		at := path.Root("sealed_refresh_token")
		d.addSealDiag(diags, diag.SeverityError, &at, id, doing, err)
		return "", false
	}
	return token, true
}
