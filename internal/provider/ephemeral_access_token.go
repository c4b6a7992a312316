package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/payme-community/terraform-provider-payme/internal/duration"
	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
)

var (
	_ ephemeral.EphemeralResource                     = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigure        = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithConfigValidators = (*accessTokenEphemeral)(nil)
	_ ephemeral.EphemeralResourceWithRenew            = (*accessTokenEphemeral)(nil)
)

const (
	defaultMinValidity = 5 * time.Minute
	// renewLead is how long before expiry Terraform is asked to call Renew,
	// so the warning arrives while the token still works.
	renewLead = time.Minute
	// privateExpiresAt keys the expiry in the ephemeral resource's private
	// data, where Renew finds it.
	privateExpiresAt = "expires_at"
)

var minValidityLimits = durationValidator{min: 0, max: 24 * time.Hour, example: "5m"}

// NewAccessTokenEphemeralResource returns the payme_access_token ephemeral resource.
func NewAccessTokenEphemeralResource() ephemeral.EphemeralResource {
	return &accessTokenEphemeral{}
}

type accessTokenEphemeral struct {
	data *providerData
}

// accessTokenConfig is what Open reads of its configuration, attribute by
// attribute: decoding a whole model costs the framework a regular
// expression compiled per field (see ModifyPlan of payme_refresh_token),
// and Open runs for every block of every plan and apply. Read and written
// this way, an open costs half the CPU and allocations.
type accessTokenConfig struct {
	Scopes                                                  types.Set
	Username, Password, RefreshToken, MinValidity, Merchant types.String
}

func readAccessTokenConfig(ctx context.Context, config tfsdk.Config) (accessTokenConfig, diag.Diagnostics) {
	var c accessTokenConfig
	return c, getAttributes(ctx, config, attribute{"scopes", &c.Scopes}, attribute{"username", &c.Username},
		attribute{"password", &c.Password}, attribute{"refresh_token", &c.RefreshToken},
		attribute{"min_validity", &c.MinValidity}, attribute{"merchant", &c.Merchant})
}

// accessTokenResult is what Open adds to the result, which the framework
// starts as a copy of the configuration.
type accessTokenResult struct {
	AccessToken, TokenType, AuthorizationHeader, ExpiresAt, GrantType types.String
	GrantedScopes                                                     types.Set
	ExpiresIn                                                         types.Int64
}

func (r accessTokenResult) setIn(ctx context.Context, result attributeSetter) diag.Diagnostics {
	return setAttributes(ctx, result,
		attribute{"access_token", r.AccessToken}, attribute{"token_type", r.TokenType},
		attribute{"authorization_header", r.AuthorizationHeader}, attribute{"granted_scopes", r.GrantedScopes},
		attribute{"expires_in", r.ExpiresIn}, attribute{"expires_at", r.ExpiresAt}, attribute{"grant_type", r.GrantType})
}

func (e *accessTokenEphemeral) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (e *accessTokenEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Obtains a short-lived Pay-me access token from Pay-me's `/token` endpoint, for other resources " +
			"and providers to use, without ever writing it to the plan or the state. The grant follows from the arguments: " +
			"none of `username`, `password` and `refresh_token` means the client credentials grant; `username` or " +
			"`password` means the password grant; `refresh_token` means the refresh-token grant.\n\n" +
			"Instances with the same arguments and provider configuration share one token within one provider process, " +
			"so any number of them cost one request to Pay-me per process; `terraform apply` starts one process to plan " +
			"and one to apply, so it makes two (see Sharing and expiry below). An access token cannot be revoked, so closing this ephemeral resource does nothing; " +
			"it never asks for `offline_access`, which would leave a refresh token behind that nothing revokes " +
			"(use `payme_refresh_token` for that). Needs Terraform 1.11 or later, or OpenTofu 1.11 or later " +
			"(Terraform 1.10, the first with ephemeral resources, is not tested).",
		Attributes: map[string]schema.Attribute{
			"merchant": schema.StringAttribute{
				MarkdownDescription: merchantDescription + " Tokens are shared only between instances of the same merchant.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes to ask for, such as `create:token` and `post:charges`, sent to Pay-me as one " +
					"space-separated string. Names Pay-me does not document are allowed. `offline_access` is not: a refresh " +
					"token belongs in a `payme_refresh_token` resource, which revokes it on destroy.",
				Required:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					scopesValidator{refuseOfflineAccess: true},
					setvalidator.ValueStringsAre(scopeNameValidator{}),
				},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "The merchant user for the password grant, at most 100 characters; requires " +
					"`password`, unless `refresh_token` is set: then it is sent with the refresh-token grant.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxCredentialLength)},
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "The merchant user's password for the password grant, at most 100 characters. " +
					"Requires `username`. Pass it from a variable declared with `ephemeral = true`.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxCredentialLength)},
			},
			"refresh_token": schema.StringAttribute{
				MarkdownDescription: "A refresh token, for example from `payme_refresh_token`, to use the refresh-token grant. " +
					"Conflicts with `password`; `username` may be set with it and is then sent too.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, paymeauth.MaxTokenLength)},
			},
			"min_validity": schema.StringAttribute{
				MarkdownDescription: "How long the token must stay valid, as a duration such as `5m` (the default) or `1h`. " +
					"A token already obtained in this run is reused only while it has at least this long to live, and a " +
					"newly issued token that lives less than this is an error. " + minValidityLimits.limits(),
				Optional:   true,
				Validators: []validator.String{minValidityLimits},
			},
			"access_token": schema.StringAttribute{
				MarkdownDescription: "The access token.",
				Computed:            true,
				Sensitive:           true,
			},
			"token_type": schema.StringAttribute{
				MarkdownDescription: "The token type Pay-me answered with, `Bearer` so far.",
				Computed:            true,
			},
			"authorization_header": schema.StringAttribute{
				MarkdownDescription: "The value for an HTTP `Authorization` header: the token type, a space and the access token.",
				Computed:            true,
				Sensitive:           true,
			},
			"granted_scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes Pay-me granted, which can differ from those asked for.",
				Computed:            true,
				ElementType:         types.StringType,
			},
			"expires_in": schema.Int64Attribute{
				MarkdownDescription: "The token's lifetime in seconds, as Pay-me answered when it was issued.",
				Computed:            true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token expires, as an RFC 3339 time stamp.",
				Computed:            true,
			},
			"grant_type": schema.StringAttribute{
				MarkdownDescription: "The grant used: `client_credentials`, `password` or `refresh_token`.",
				Computed:            true,
			},
		},
	}
}

func (e *accessTokenEphemeral) ConfigValidators(context.Context) []ephemeral.ConfigValidator {
	return []ephemeral.ConfigValidator{
		grantConflictValidator{},
		pairValidator{user: "username", password: "password", unless: "refresh_token"},
	}
}

func (e *accessTokenEphemeral) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.data, resp.Diagnostics = toProviderData(req.ProviderData)
}

func (e *accessTokenEphemeral) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	m, diags := readAccessTokenConfig(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if e.data != nil && (!e.data.configured || m.Merchant.IsUnknown()) {
		// The provider configuration holds values only known at apply, such
		// as credentials from another resource. The results are unknown for
		// now, like any value that depends on them; Terraform opens the
		// resource again during apply, with the provider fully configured.
		// (OpenTofu refuses unknown results here: see the docs.)
		unknown := accessTokenResult{AccessToken: types.StringUnknown(), TokenType: types.StringUnknown(),
			AuthorizationHeader: types.StringUnknown(), ExpiresAt: types.StringUnknown(), GrantType: types.StringUnknown(),
			GrantedScopes: types.SetUnknown(types.StringType), ExpiresIn: types.Int64Unknown()}
		resp.Diagnostics.Append(unknown.setIn(ctx, &resp.Result)...)
		return
	}
	client, _ := e.data.forMerchant(m.Merchant, &resp.Diagnostics)
	if client == nil {
		return
	}

	minValidity := defaultMinValidity
	if !m.MinValidity.IsNull() {
		minValidity, _ = duration.Parse(m.MinValidity.ValueString()) // checked by its validator
	}
	tr := paymeauth.TokenRequest{
		Grant:        paymeauth.GrantClientCredentials,
		Scopes:       scopeList(ctx, m.Scopes, &resp.Diagnostics),
		Username:     m.Username.ValueString(),
		Password:     m.Password.ValueString(),
		RefreshToken: m.RefreshToken.ValueString(),
		MinValidity:  minValidity,
	}
	switch {
	case tr.RefreshToken != "":
		tr.Grant = paymeauth.GrantRefreshToken
	case tr.Username != "" || tr.Password != "":
		tr.Grant = paymeauth.GrantPassword
	}
	if resp.Diagnostics.HasError() {
		return
	}

	tok, err := client.Token(ctx, tr)
	if err != nil {
		e.data.addPaymeError(&resp.Diagnostics, "obtain a Pay-me access token", err)
		return
	}
	addMintedWarning(&resp.Diagnostics, tok.Minted)
	if tr.Grant == paymeauth.GrantRefreshToken {
		warnRotated(&resp.Diagnostics, "payme_access_token", tr.RefreshToken, tok)
	}
	if left := tok.ExpiresAt.Sub(tok.IssuedAt); !tok.FromCache && left < minValidity {
		resp.Diagnostics.AddAttributeError(path.Root("min_validity"), "Access Token Too Short-Lived",
			fmt.Sprintf("Pay-me issued an access token that is valid for %s, less than min_validity (%s). "+
				"Lower min_validity, or ask Pay-me why its tokens live so briefly.", left, minValidity))
		return
	}

	result := accessTokenResult{
		AccessToken:         types.StringValue(tok.AccessToken),
		TokenType:           types.StringValue(tok.TokenType),
		AuthorizationHeader: types.StringValue(tok.TokenType + " " + tok.AccessToken),
		GrantedScopes:       scopeSet(tok.Scopes),
		ExpiresIn:           types.Int64Value(tok.ExpiresIn),
		ExpiresAt:           types.StringValue(tok.ExpiresAt.UTC().Format(time.RFC3339)),
		GrantType:           types.StringValue(string(tr.Grant)),
	}
	resp.Diagnostics.Append(result.setIn(ctx, &resp.Result)...)

	resp.RenewAt = tok.ExpiresAt.Add(-renewLead)
	expiresAt, _ := json.Marshal(result.ExpiresAt.ValueString())
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateExpiresAt, expiresAt)...)
}

// Renew cannot hand Terraform a new token (the framework keeps the value
// opened first), so it warns while the token still works instead of letting
// later calls fail with a bare 401. Terraform 1.11 does not display warnings
// from Renew, so the same text also goes to the log at WARN.
func (e *accessTokenEphemeral) Renew(ctx context.Context, req ephemeral.RenewRequest, resp *ephemeral.RenewResponse) {
	raw, diags := req.Private.GetKey(ctx, privateExpiresAt)
	resp.Diagnostics.Append(diags...)
	summary, detail := renewWarning(raw)
	tflog.Warn(ctx, summary+": "+detail)
	resp.Diagnostics.AddWarning(summary, detail)
}

// renewWarning explains, from the expiry Open kept in private data, that
// the token cannot be renewed.
func renewWarning(expiresAtJSON []byte) (summary, detail string) {
	when := "soon"
	var at string
	if json.Unmarshal(expiresAtJSON, &at) == nil && at != "" {
		when = "at " + at
	}
	return "Pay-me Access Token About to Expire",
		fmt.Sprintf("The payme_access_token opened for this run expires %s and cannot be renewed in place. "+
			"Anything that uses it after then will be refused by Pay-me. Run Terraform again to get a fresh token, "+
			"or raise min_validity so that a run never outlives its token.", when)
}
