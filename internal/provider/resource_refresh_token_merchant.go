package provider

// payme_refresh_token's merchant: the argument, and the plan-time rules that
// no token is made for a merchant the provider does not hold, and none is
// stranded by removing its merchant.

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// merchantDescription is the merchant argument's description on both objects.
const merchantDescription = "The name of one of the provider's `merchants`, whose credentials are used; unset, the " +
	"provider's `client_id` and `client_secret` are. An unknown name is an error at plan, before any call to Pay-me."

func merchantAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: merchantDescription + " The name is kept in the state (never the merchant's secret); the " +
			"token is revoked with that merchant's credentials, and changing it creates a new token.",
		Optional:      true,
		Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
		PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

// checkKeptMerchant refuses, at plan, to go on with a token issued for a
// merchant the provider no longer holds: its revocation needs that
// merchant's credentials.
func (r *refreshTokenResource) checkKeptMerchant(merchant, id types.String, diags *diag.Diagnostics) {
	if r.data.checkMerchantName(merchant) == nil {
		return
	}
	diags.AddAttributeError(path.Root("merchant"), "Pay-me Merchant Removed", fmt.Sprintf(
		"The refresh token %s was issued for %s, which the provider configuration no longer holds (its merchants: %s), "+
			"so the token could not be revoked and would stay live at Pay-me. Put the merchant back (in merchants or "+
			"PAYME_MERCHANTS) until this token is destroyed, and remove it afterwards; to forget the token without "+
			"revoking it, run terraform state rm on this resource.",
		id.ValueString(), merchantLabel(merchant), namesList(r.data.merchantNames())))
}

// checkPlannedMerchant refuses, at plan, a merchant the provider does not
// hold, before any call to Pay-me.
func (r *refreshTokenResource) checkPlannedMerchant(merchant types.String, diags *diag.Diagnostics) {
	if err := r.data.checkMerchantName(merchant); err != nil {
		addMerchantError(diags, err)
	}
}

// merchantLabel names a merchant in a sentence.
func merchantLabel(name types.String) string {
	if name.IsNull() {
		return "the default client_id and client_secret"
	}
	return fmt.Sprintf("the merchant %q", name.ValueString())
}
