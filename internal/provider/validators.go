package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ validator.String = stringSetting{}
	_ validator.Int64  = maxRetriesValidator{}
)

func (s stringSetting) Description(ctx context.Context) string { return s.MarkdownDescription(ctx) }

func (s stringSetting) MarkdownDescription(context.Context) string {
	return "value must be a valid " + s.attr
}

func (s stringSetting) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := s.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, s.title,
			fmt.Sprintf("The value of %s %s. (It can also come from the %s environment variable, used when %s is not set here.)",
				req.Path, err, s.env, s.attr))
	}
}

type maxRetriesValidator struct{}

func (maxRetriesValidator) Description(ctx context.Context) string {
	return maxRetriesValidator{}.MarkdownDescription(ctx)
}

func (maxRetriesValidator) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("value must be between 0 and %d", maxRetriesLimit)
}

func (maxRetriesValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkMaxRetries(req.ConfigValue.ValueInt64()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Maximum Retries",
			fmt.Sprintf("The value of max_retries %s. (It can also come from the %s environment variable, used when max_retries is not set here.)",
				err, settingMaxRetries.env))
	}
}

// pairValidator refuses one half of the password grant without the other,
// at validate time, instead of letting Pay-me refuse it at apply in
// Spanish. user and password are the attribute names as the object spells
// them; unless names an attribute that makes a lone user fine (the
// refresh-token grant also sends username).
type pairValidator struct {
	user, password, unless string
}

var (
	_ resource.ConfigValidator  = pairValidator{}
	_ ephemeral.ConfigValidator = pairValidator{}
)

func (v pairValidator) Description(ctx context.Context) string { return v.MarkdownDescription(ctx) }

func (v pairValidator) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("%s and %s must be set together", v.user, v.password)
}

func (v pairValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(v.validate(ctx, req.Config)...)
}

func (v pairValidator) ValidateEphemeralResource(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	resp.Diagnostics.Append(v.validate(ctx, req.Config)...)
}

func (v pairValidator) validate(ctx context.Context, cfg tfsdk.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	state := func(name string) (set, unknown bool) {
		var val types.String // every attribute paired here is a string
		diags.Append(cfg.GetAttribute(ctx, path.Root(name), &val)...)
		return !val.IsNull(), val.IsUnknown()
	}
	user, userUnknown := state(v.user)
	pass, passUnknown := state(v.password)
	lone, loneUnknown := false, false
	if v.unless != "" {
		lone, loneUnknown = state(v.unless)
	}
	if diags.HasError() || userUnknown || passUnknown || loneUnknown {
		return diags
	}
	switch {
	case user && !pass && !lone:
		diags.AddAttributeError(path.Root(v.password), "Incomplete Password Grant",
			fmt.Sprintf("%s is set but %s is not. Pay-me's password grant needs both the merchant user and that user's "+
				"password, and refuses one without the other. Add %s (for example from a variable declared with "+
				"ephemeral = true), or remove %s.", v.user, v.password, v.password, v.user))
	case pass && !user && !lone: // with refresh_token, grantConflictValidator says more
		diags.AddAttributeError(path.Root(v.user), "Incomplete Password Grant",
			fmt.Sprintf("%s is set but %s is not. Pay-me's password grant needs both the merchant user and that user's "+
				"password, and refuses one without the other. Add %s with the merchant user the password belongs to, "+
				"or remove %s.", v.password, v.user, v.user, v.password))
	}
	return diags
}

// grantConflictValidator refuses password together with refresh_token on
// payme_access_token: each selects a different grant.
type grantConflictValidator struct{}

var _ ephemeral.ConfigValidator = grantConflictValidator{}

func (grantConflictValidator) Description(ctx context.Context) string {
	return grantConflictValidator{}.MarkdownDescription(ctx)
}

func (grantConflictValidator) MarkdownDescription(context.Context) string {
	return "password and refresh_token must not be set together"
}

func (grantConflictValidator) ValidateEphemeralResource(ctx context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	var password, refresh types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("password"), &password)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("refresh_token"), &refresh)...)
	// Either may turn out null once known.
	if resp.Diagnostics.HasError() || password.IsNull() || refresh.IsNull() || password.IsUnknown() || refresh.IsUnknown() {
		return
	}
	resp.Diagnostics.AddAttributeError(path.Root("password"), "Conflicting Grants",
		"password and refresh_token are both set, but each selects a different grant: password the password grant, "+
			"refresh_token the refresh-token grant, and one request uses one grant. To use the refresh token, remove "+
			"password (username may stay: it is sent with the refresh-token grant). To log in with the user's password, "+
			"remove refresh_token.")
}
