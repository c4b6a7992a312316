package provider

import (
	"context"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

var (
	_ resource.Resource                     = (*refreshTokenResource)(nil)
	_ resource.ResourceWithConfigure        = (*refreshTokenResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*refreshTokenResource)(nil)
	_ resource.ResourceWithUpgradeState     = (*refreshTokenResource)(nil)
	_ resource.ResourceWithConfigValidators = (*refreshTokenResource)(nil)
	_ resource.ResourceWithImportState      = (*refreshTokenResource)(nil)
)

var rotateAfterLimits = durationValidator{min: time.Minute, max: 3650 * 24 * time.Hour, example: "30d"}

// NewRefreshTokenResource returns the payme_refresh_token resource.
func NewRefreshTokenResource() resource.Resource {
	return &refreshTokenResource{}
}

type refreshTokenResource struct {
	data *providerData
}

type refreshTokenModel struct {
	ID                types.String `tfsdk:"id"`
	Username          types.String `tfsdk:"username"`
	PasswordWO        types.String `tfsdk:"password_wo"`
	PasswordWOVersion types.Int64  `tfsdk:"password_wo_version"`
	Scopes            types.Set    `tfsdk:"scopes"`
	Keepers           types.Map    `tfsdk:"keepers"`
	RotateAfter       types.String `tfsdk:"rotate_after"`
	RevokeOnDestroy   types.Bool   `tfsdk:"revoke_on_destroy"`
	StorePlaintext    types.Bool   `tfsdk:"store_plaintext_refresh_token"`
	Sealed            types.String `tfsdk:"sealed_refresh_token"`
	RefreshToken      types.String `tfsdk:"refresh_token"`
	GrantedScopes     types.Set    `tfsdk:"granted_scopes"`
	IssuedAt          types.String `tfsdk:"issued_at"`
	IssuedAtUnix      types.Int64  `tfsdk:"issued_at_unix"`
	RotateAt          types.String `tfsdk:"rotate_at"`
	Merchant          types.String `tfsdk:"merchant"`
}

func (r *refreshTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_refresh_token"
}

func (r *refreshTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: 1,
		MarkdownDescription: "A Pay-me refresh token, obtained with the password grant and the `offline_access` scope, " +
			"and revoked through Pay-me's `/revoke` endpoint when the resource is destroyed. Use it to seed a secrets " +
			"store with a long-lived credential. The state holds the token only sealed (`sealed_refresh_token`, " +
			"encrypted with AES-256-GCM under the provider's sealing key); the ephemeral resource " +
			"`payme_refresh_token_secret` opens it, without calling Pay-me, for write-only arguments such as " +
			"`secret_string_wo`, `data_json_wo` or `data_wo`.\n\n" +
			"Terraform never calls Pay-me to read the token back: Pay-me has no endpoint for that, and using a refresh " +
			"token could rotate it. For the same reason the resource cannot be imported. " +
			"`password_wo` needs Terraform 1.11 or later, or OpenTofu 1.11 or later.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "A fingerprint of the refresh token: `sha256:` and the first 16 hex digits of its " +
					"SHA-256 digest. It identifies the token in logs and plans without revealing it.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"merchant": merchantAttribute(),
			"username": schema.StringAttribute{
				MarkdownDescription: "The merchant user, at most 100 characters, sent with the password grant and with " +
					"the revocation. Requires `password_wo`. Changing it creates a new token.",
				Optional:      true,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, maxCredentialLength)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"password_wo": schema.StringAttribute{
				MarkdownDescription: "The merchant user's password, at most 100 characters; requires `username`. Write-only: it is sent to " +
					"Pay-me but never stored in the plan or the state. The resource keeps an HMAC of it under the sealing " +
					"key in its private state, so changing the password plans a new token even without " +
					"`password_wo_version`.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxCredentialLength)},
			},
			"password_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Any number; changing it creates a new token with the current `password_wo`. " +
					"When it is set, only it decides: a changed password alone then plans nothing.",
				Optional:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
				Validators:    []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("password_wo"))},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes the refresh token is for, such as `create:token` and `post:charges`. " +
					"`offline_access` is always added to the request, so it need not be written (writing it changes nothing). " +
					"Changing any other scope creates a new token.",
				Required:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					scopesValidator{},
					setvalidator.ValueStringsAre(scopeNameValidator{}),
				},
				PlanModifiers: []planmodifier.Set{setplanmodifier.RequiresReplaceIf(scopesChanged,
					"Changing the scopes, other than adding or removing offline_access, creates a new token.",
					"Changing the scopes, other than adding or removing `offline_access`, creates a new token.")},
			},
			"keepers": schema.MapAttribute{
				MarkdownDescription: "Arbitrary values that, when changed, create a new token. Use them to tie the " +
					"token's life to something else, such as a deployment's version.",
				Optional:      true,
				ElementType:   types.StringType,
				PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
			},
			"rotate_after": schema.StringAttribute{
				MarkdownDescription: "How long the token is kept before it is replaced, as a duration such as `30d`. " +
					"Once `issued_at` plus this has passed, the next plan proposes a new token; with " +
					"`create_before_destroy`, the new one exists before the old one is revoked. Changing it updates " +
					"the resource in place. " + rotateAfterLimits.limits(),
				Optional:   true,
				Validators: []validator.String{rotateAfterLimits},
			},
			"revoke_on_destroy": schema.BoolAttribute{
				MarkdownDescription: "Whether destroying the resource revokes the token at Pay-me (the default, `true`). " +
					"With `false`, destroy only forgets it. Changing it updates the resource in place.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"store_plaintext_refresh_token": schema.BoolAttribute{
				MarkdownDescription: "Whether `refresh_token` holds the token in plaintext (default `false`). Only for sinks " +
					"without a write-only argument: with `true`, anyone who can read the state, a state backup or " +
					"`terraform show -json` holds a live payment credential, exactly as in providers without sealing. " +
					"Changing it updates the resource in place, without a new token.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
			},
			"sealed_refresh_token": schema.StringAttribute{
				MarkdownDescription: "The refresh token, sealed: `pmseal1.`, the identifier of the sealing key, a dot, and " +
					"the AES-256-GCM ciphertext in base64url, bound to `id`. Pass it with `id` to the " +
					"`payme_refresh_token_secret` ephemeral resource to use the token. When an older key sealed it, every " +
					"refresh seals it again under the current key; `terraform plan` does not save that and warns until " +
					"`terraform apply -refresh-only` (or any apply) has.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"refresh_token": schema.StringAttribute{
				MarkdownDescription: "The refresh token in plaintext, only with `store_plaintext_refresh_token = true`; " +
					"null otherwise. Prefer `payme_refresh_token_secret`.",
				Computed:      true,
				Sensitive:     true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"granted_scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes Pay-me granted, which can differ from those asked for.",
				Computed:            true,
				ElementType:         types.StringType,
				PlanModifiers:       []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
			},
			"issued_at": schema.StringAttribute{
				MarkdownDescription: "When the token was issued, as an RFC 3339 time stamp.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"issued_at_unix": schema.Int64Attribute{
				MarkdownDescription: "When the token was issued, in seconds since the Unix epoch. It changes exactly when " +
					"the token does, which makes it a good value for a secrets store's `*_wo_version` argument.",
				Computed:      true,
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"rotate_at": schema.StringAttribute{
				MarkdownDescription: "When the token is due for replacement (`issued_at` plus `rotate_after`), as an " +
					"RFC 3339 time stamp; null without `rotate_after`.",
				Computed: true,
			},
		},
	}
}

// scopesChanged ignores offline_access, which every request carries anyway.
// Scopes not known yet (the set, or any of its elements) plan a new token:
// they may differ once known, and Update cannot change a token's scopes.
func scopesChanged(ctx context.Context, req planmodifier.SetRequest, resp *setplanmodifier.RequiresReplaceIfFuncResponse) {
	if !fullyKnown(req.PlanValue) || !fullyKnown(req.StateValue) {
		resp.RequiresReplace = true
		return
	}
	var diags = &resp.Diagnostics
	resp.RequiresReplace = !slices.Equal(
		scopeList(ctx, req.StateValue, diags, offlineAccess),
		scopeList(ctx, req.PlanValue, diags, offlineAccess))
}

func (r *refreshTokenResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{pairValidator{user: "username", password: "password_wo"}}
}

// ImportState refuses in the provider's words, not the framework's: a
// token Terraform did not obtain cannot be checked without using it.
func (r *refreshTokenResource) ImportState(_ context.Context, _ resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.AddError("Import Not Supported",
		"A payme_refresh_token cannot be imported. Pay-me has no endpoint that reads a refresh token back, and "+
			"using the token to check it could rotate it, so the provider cannot take over a token it did not obtain. "+
			"Remove the import block (or skip terraform import) and let terraform apply create a new token; "+
			"revoke the old one at Pay-me if nothing else uses it.")
}

func (r *refreshTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data, resp.Diagnostics = toProviderData(req.ProviderData)
}

func (r *refreshTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan refreshTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var password types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	scopes := scopeList(ctx, plan.Scopes, &resp.Diagnostics, offlineAccess)
	client, keys := r.data.forMerchant(plan.Merchant, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	tok, err := client.Token(ctx, paymeauth.TokenRequest{
		Grant:    paymeauth.GrantPassword,
		Scopes:   scopes,
		Username: plan.Username.ValueString(),
		Password: password.ValueString(),
	})
	if err != nil {
		r.data.addPaymeError(&resp.Diagnostics, "create a Pay-me refresh token", err)
		return
	}
	addMintedWarning(&resp.Diagnostics, tok.Minted)

	issued := tok.IssuedAt.UTC().Truncate(time.Second)
	plan.ID = types.StringValue(seal.Fingerprint(tok.RefreshToken))
	plan.PasswordWO = types.StringNull()
	plan.hold(holdToken(keys, plan.ID.ValueString(), tok.RefreshToken, plan.StorePlaintext.ValueBool()))
	plan.GrantedScopes = scopeSet(tok.Scopes)
	plan.IssuedAt = types.StringValue(issued.Format(time.RFC3339))
	plan.IssuedAtUnix = types.Int64Value(issued.Unix())
	plan.RotateAt, err = rotateAtFor(plan.IssuedAt, plan.RotateAfter)
	if err != nil {
		// Unreachable with a validated rotate_after; the token is live, so
		// it is still saved rather than lost.
		plan.RotateAt = types.StringNull()
	}
	tflog.Info(ctx, "created Pay-me refresh token", map[string]any{"id": plan.ID.ValueString()})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePasswordDigest, newPasswordDigest(keys.Current(), password))...)
}

// Read never calls Pay-me: Pay-me cannot tell whether a refresh token is
// still live without using it, and using it might rotate it. It only brings
// the state to heldToken's rule: it seals a token that an upgrade left in
// plaintext, and seals again under the current key a token sealed under an
// older one. Without keys (a provider configuration not known yet) it keeps
// the state as it is.
func (r *refreshTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil || !r.data.configured {
		return
	}
	stored, diags := readStoredToken(ctx, req.State)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A merchant no longer configured leaves the state as it is; the plan
	// says what to do about it.
	var missing diag.Diagnostics
	_, keys := r.data.forMerchant(stored.Merchant, &missing)
	if keys == nil {
		return
	}
	id := stored.ID.ValueString()
	before := stored.Held
	after, err := before.settle(keys, id, stored.StorePlaintext.ValueBool(), true)
	if err != nil {
		r.data.addSealDiag(&resp.Diagnostics, diag.SeverityWarning, nil, id, "seal the refresh token again under the current key", err)
		return
	}
	if after == before {
		return
	}
	if !before.Sealed.IsNull() && after.Sealed != before.Sealed {
		r.data.warnResealed(&resp.Diagnostics, id, before.Sealed.ValueString())
	}
	tflog.Info(ctx, "sealed a Pay-me refresh token under the current key", map[string]any{"id": id, "key": keys.Current().ID()})
	resp.Diagnostics.Append(after.setIn(ctx, &resp.State)...)
}

// Update handles the arguments that do not need a new token.
func (r *refreshTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan refreshTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var err error
	plan.PasswordWO = types.StringNull()
	plan.RotateAt, err = rotateAtFor(plan.IssuedAt, plan.RotateAfter)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("issued_at"), "Corrupt State", err.Error())
		return
	}
	_, keys := r.data.forMerchant(plan.Merchant, &resp.Diagnostics)
	if keys == nil {
		return
	}
	var state refreshTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	held, err := state.held().settle(keys, plan.ID.ValueString(), plan.StorePlaintext.ValueBool(), false)
	if err != nil {
		r.data.addSealDiag(&resp.Diagnostics, diag.SeverityError, nil, plan.ID.ValueString(), "store the refresh token as configured", err)
		return
	}
	plan.hold(held)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	var password types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password_wo"), &password)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privatePasswordDigest, newPasswordDigest(keys.Current(), password))...)
}

// Delete revokes the token. Any failure other than Pay-me saying the token
// is already invalid keeps the resource in state, so that a later destroy
// can finish the job and no live token is forgotten.
func (r *refreshTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	stored, diags := readStoredToken(ctx, req.State)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := stored.ID.ValueString()
	if !stored.RevokeOnDestroy.ValueBool() {
		tflog.Info(ctx, "forgetting Pay-me refresh token without revoking it", map[string]any{"id": id})
		return
	}
	client, keys := r.data.forMerchant(stored.Merchant, &resp.Diagnostics)
	if client == nil || keys == nil {
		return
	}
	token, err := stored.Held.token(keys, id)
	if err != nil {
		r.data.addSealDiag(&resp.Diagnostics, diag.SeverityError, nil, id,
			"revoke the Pay-me refresh token (it stays in the state, and live at Pay-me, until a destroy can open it)", err)
		return
	}
	r.data.revokeRefreshToken(ctx, &resp.Diagnostics, client, stored.Username.ValueString(), id, token, revokeByDestroy)
}
