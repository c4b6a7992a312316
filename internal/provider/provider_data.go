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
	// configured is false while the provider configuration holds unknown
	// values, which happens during plan when credentials come from other
	// resources.
	configured bool
	// client is the default merchant's (client_id and client_secret); nil
	// when not configured, or when only merchants are configured.
	client *paymeauth.Client
	// keys seal and open the default merchant's refresh tokens; nil when
	// not configured, or without default credentials and sealing_key.
	keys *seal.Ring
	// merchants are the named merchants, each built on first use.
	merchants map[string]*merchant
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

// ready reports whether the provider is configured, or records why not.
func (d *providerData) ready(diags *diag.Diagnostics) bool {
	if d == nil || !d.configured {
		diags.AddError("Pay-me Provider Not Configured",
			"The provider configuration is not known yet, so Pay-me cannot be called. "+
				"Make sure every provider argument (or its environment variable) is known at apply time.")
		return false
	}
	return true
}
