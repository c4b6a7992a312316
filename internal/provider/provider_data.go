package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// providerData is what Configure hands to every resource.
type providerData struct {
	// client is nil while the provider configuration holds unknown values,
	// which happens during plan when credentials come from other resources.
	client *paymeauth.Client
	// keys seal and open refresh tokens; nil exactly when client is.
	keys *seal.Ring
	// clientIDs are the client IDs whose credentials derive keys in keys,
	// for the diagnostic of a missing key.
	clientIDs []string
	now       func() time.Time
	// authURLFrom names the setting the auth URL came from, for the
	// diagnostics of failures that point at it.
	authURLFrom string
}

// toProviderData turns the value the framework passes to a resource's
// Configure into the provider's data, so each Configure is one line. A nil
// input means the provider is not configured yet, which is not an error.
func toProviderData(in any) (*providerData, diag.Diagnostics) {
	var diags diag.Diagnostics
	if in == nil {
		return nil, diags
	}
	d, ok := in.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("The provider handed over %T instead of its own data. This is a bug in the provider: please report it.", in))
		return nil, diags
	}
	return d, diags
}

// readyClient returns the client, or records why there is none.
func (d *providerData) readyClient(diags *diag.Diagnostics) *paymeauth.Client {
	if d == nil || d.client == nil {
		diags.AddError("Pay-me Provider Not Configured",
			"The provider configuration is not known yet, so Pay-me cannot be called. "+
				"Make sure every provider argument (or its environment variable) is known at apply time.")
		return nil
	}
	return d.client
}

// authURLFrom names the setting the auth URL came from, as a user would
// look for it.
func (p *paymeProvider) authURLFrom(m providerModel) string {
	if !m.AuthURL.IsNull() {
		return "auth_url in the provider configuration"
	}
	if _, ok := p.env(settingAuthURL.env); ok {
		return "the " + settingAuthURL.env + " environment variable"
	}
	if !m.Environment.IsNull() {
		return fmt.Sprintf("environment = %q in the provider configuration", m.Environment.ValueString())
	}
	if v, ok := p.env(settingEnvironment.env); ok {
		return fmt.Sprintf("the %s environment variable (%q)", settingEnvironment.env, v)
	}
	return "the provider configuration"
}

// readyKeys returns the sealing keys, or records why there are none.
func (d *providerData) readyKeys(diags *diag.Diagnostics) *seal.Ring {
	if d.readyClient(diags) == nil {
		return nil
	}
	return d.keys
}
