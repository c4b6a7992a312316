package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/actionvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
)

var (
	_ action.Action                     = (*verifyCredentialsAction)(nil)
	_ action.ActionWithConfigure        = (*verifyCredentialsAction)(nil)
	_ action.ActionWithConfigValidators = (*verifyCredentialsAction)(nil)
)

// NewVerifyCredentialsAction returns the payme_verify_credentials action.
func NewVerifyCredentialsAction() action.Action {
	return &verifyCredentialsAction{}
}

type verifyCredentialsAction struct {
	data *providerData
}

type verifyCredentialsModel struct {
	Merchant types.String `tfsdk:"merchant"`
	Scopes   types.Set    `tfsdk:"scopes"`
	ID       types.String `tfsdk:"id"`
	Sealed   types.String `tfsdk:"sealed_refresh_token"`
	Username types.String `tfsdk:"username"`
}

func (a *verifyCredentialsAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_verify_credentials"
}

func (a *verifyCredentialsAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Proves that credentials work, and keeps nothing: it asks Pay-me for an access token with " +
			"the client-credentials grant and the provider's `client_id` and `client_secret`, and, given a sealed refresh " +
			"token (`id` and `sealed_refresh_token`), for another with the refresh-token grant. Progress messages report " +
			"the scopes Pay-me granted and when each token expires; the tokens themselves are dropped. A failure fails " +
			"the invocation with the same diagnostics as `payme_access_token`.\n\n" +
			"The client-credentials grant costs one request. The refresh-token grant costs one more, and uses the " +
			"refresh token: where Pay-me rotates refresh tokens (its documentation does not say whether it does), " +
			"the answer carries a new one and the verified token is retired. The action then warns, naming both " +
			"fingerprints, because it keeps no state and cannot hand the new token on. Actions need Terraform 1.14 or " +
			"later; OpenTofu has none (see the guide \"Verifying seeded credentials\").",
		Attributes: map[string]schema.Attribute{
			"scopes": schema.SetAttribute{
				MarkdownDescription: "The scopes to ask for, such as `create:token`; each grant asks for the same. " +
					"`offline_access` is refused: it would mint a refresh token that nothing revokes.",
				Required:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					scopesValidator{refuseOfflineAccess: true},
					setvalidator.ValueStringsAre(scopeNameValidator{}),
				},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The `id` (fingerprint) of the `payme_refresh_token` to verify too; requires " +
					"`sealed_refresh_token`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"sealed_refresh_token": schema.StringAttribute{
				MarkdownDescription: "The `sealed_refresh_token` of the same `payme_refresh_token`; requires `id`. The " +
					"provider opens it locally with its sealing keys and uses it in a refresh-token grant.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"merchant": schema.StringAttribute{
				MarkdownDescription: merchantDescription + " A sealed value opens with any configured key, whichever merchant's.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "The merchant user sent with the refresh-token grant; requires `sealed_refresh_token`.",
				Optional:            true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, maxCredentialLength),
					stringvalidator.AlsoRequires(path.MatchRoot("sealed_refresh_token")),
				},
			},
		},
	}
}

func (a *verifyCredentialsAction) ConfigValidators(context.Context) []action.ConfigValidator {
	return []action.ConfigValidator{
		actionvalidator.RequiredTogether(path.MatchRoot("id"), path.MatchRoot("sealed_refresh_token")),
	}
}

func (a *verifyCredentialsAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data, resp.Diagnostics = toProviderData(req.ProviderData)
}

func (a *verifyCredentialsAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var m verifyCredentialsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	client, _ := a.data.forMerchant(m.Merchant, &resp.Diagnostics)
	scopes := scopeList(ctx, m.Scopes, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	tok, err := client.Token(ctx, paymeauth.TokenRequest{Grant: paymeauth.GrantClientCredentials, Scopes: scopes})
	if err != nil {
		a.data.addPaymeError(&resp.Diagnostics, "verify the client credentials", err)
		return
	}
	addMintedWarning(&resp.Diagnostics, tok.Minted)
	resp.SendProgress(action.InvokeProgressEvent{Message: "The client credentials work: " + granted(tok)})
	if m.Sealed.IsNull() {
		return
	}

	id := m.ID.ValueString()
	token, ok := a.data.openSealed(&resp.Diagnostics, id, m.Sealed.ValueString(), "verify the refresh token")
	if !ok {
		return
	}
	tok, err = client.Token(ctx, paymeauth.TokenRequest{
		Grant: paymeauth.GrantRefreshToken, Scopes: scopes, Username: m.Username.ValueString(), RefreshToken: token,
	})
	switch {
	case err == nil:
	case errors.Is(err, paymeauth.ErrInvalidToken):
		addRefreshRefused(&resp.Diagnostics, id, err)
		return
	default:
		a.data.addPaymeError(&resp.Diagnostics, "verify the refresh token "+id, err)
		return
	}
	addMintedWarning(&resp.Diagnostics, tok.Minted)
	resp.SendProgress(action.InvokeProgressEvent{Message: "The refresh token " + id + " works: " + granted(tok)})
	warnRotated(&resp.Diagnostics, "payme_verify_credentials", token, tok)
}

// granted describes what a grant gave, without the token.
func granted(tok paymeauth.Token) string {
	reused := ""
	if tok.FromCache {
		reused = " (a token this provider obtained earlier in the same run, not a new request)"
	}
	return fmt.Sprintf("Pay-me granted the scopes %s; the access token expires at %s, %s after it was issued%s. "+
		"Nothing was kept.", strings.Join(tok.Scopes, " "), tok.ExpiresAt.UTC().Format(time.RFC3339),
		time.Duration(tok.ExpiresIn)*time.Second, reused)
}
