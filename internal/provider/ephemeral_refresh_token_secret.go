package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

var (
	_ ephemeral.EphemeralResource              = (*refreshTokenSecretEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*refreshTokenSecretEphemeral)(nil)
)

// NewRefreshTokenSecretEphemeralResource returns the
// payme_refresh_token_secret ephemeral resource.
func NewRefreshTokenSecretEphemeralResource() ephemeral.EphemeralResource {
	return &refreshTokenSecretEphemeral{}
}

type refreshTokenSecretEphemeral struct {
	data *providerData
}

type refreshTokenSecretModel struct {
	ID           types.String `tfsdk:"id"`
	Sealed       types.String `tfsdk:"sealed_refresh_token"`
	RefreshToken types.String `tfsdk:"refresh_token"`
}

func (e *refreshTokenSecretEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_refresh_token_secret"
}

func (e *refreshTokenSecretEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Opens the sealed refresh token of a `payme_refresh_token` and hands it over as an ephemeral " +
			"value, for a secrets store's write-only argument (`secret_string_wo`, `data_json_wo`, `data_wo`) or the " +
			"`refresh_token` of `payme_access_token`. It opens the value locally with the provider's sealing keys and " +
			"never calls Pay-me, so the token appears in no plan and no state.\n\n" +
			"While the token is not known yet (on the first apply, or when it is being replaced), Terraform and OpenTofu " +
			"wait and open it during the apply, once the new token exists, so a sink gets the new token in the same apply. " +
			"Needs Terraform 1.11 or later, or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The `id` of the `payme_refresh_token`: its fingerprint, `sha256:` and 16 hex digits. " +
					"The sealed value is bound to it, so a sealed value opens only with the `id` of its own token.",
				Required:   true,
				Validators: []validator.String{fingerprintValidator{}},
			},
			"sealed_refresh_token": schema.StringAttribute{
				MarkdownDescription: "The `sealed_refresh_token` of the same `payme_refresh_token`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"refresh_token": schema.StringAttribute{
				MarkdownDescription: "The refresh token, in plaintext, as an ephemeral value.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func (e *refreshTokenSecretEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data, resp.Diagnostics = toProviderData(req.ProviderData)
}

func (e *refreshTokenSecretEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m refreshTokenSecretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.ID.IsUnknown() || m.Sealed.IsUnknown() || (e.data != nil && !e.data.configured) {
		// The token does not exist yet, or the provider configuration is
		// not known yet: the result is unknown until the apply opens it.
		tflog.Debug(ctx, "sealed refresh token or provider configuration not known yet; the result is unknown until the apply")
		m.RefreshToken = types.StringUnknown()
		resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
		return
	}
	if !e.data.ready(&resp.Diagnostics) {
		return
	}
	// Any merchant's key may have sealed it: the one with its identifier opens it.
	token, err := e.data.open(m.Sealed.ValueString(), m.ID.ValueString())
	switch {
	case errors.Is(err, seal.ErrTampered):
		// The likely cause here is the configuration, not the state: an id
		// and a sealed value from two resources.
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Refresh Token ID and Sealed Value Do Not Match",
			fmt.Sprintf("The sealed_refresh_token does not open with id %s: the two arguments come from different "+
				"payme_refresh_token resources (a sealed value opens only with the id of its own token). Pass the id "+
				"and the sealed_refresh_token of the same resource, such as payme_refresh_token.main.id and "+
				"payme_refresh_token.main.sealed_refresh_token. If they already are, the state was altered: restore "+
				"it from a backup.", m.ID.ValueString()))
		return
	case err != nil:
		at := path.Root("sealed_refresh_token")
		e.data.addSealDiag(&resp.Diagnostics, diag.SeverityError, &at, m.ID.ValueString(), "open the refresh token", err)
		return
	}
	tflog.Debug(ctx, "opened a sealed Pay-me refresh token", map[string]any{"id": m.ID.ValueString()})
	m.RefreshToken = types.StringValue(token)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// fingerprintValidator holds id to the form payme_refresh_token's id has,
// so that a wrong value is named for what it is before anything is opened.
type fingerprintValidator struct{}

var _ validator.String = fingerprintValidator{}

func (fingerprintValidator) Description(context.Context) string {
	return "value must be a payme_refresh_token id: sha256: and 16 hex digits"
}

func (v fingerprintValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (fingerprintValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || seal.IsFingerprint(req.ConfigValue.ValueString()) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Refresh Token ID",
		// The value is not repeated: a token passed by mistake would be shown.
		"The value of id is not the id of a payme_refresh_token, which is sha256: and 16 lowercase hex digits. "+
			"Pass the id of the same payme_refresh_token whose sealed_refresh_token is given, such as "+
			"payme_refresh_token.main.id.")
}
