package provider

// Many merchants in one provider configuration: the merchants setting, its
// checks, and the client and sealing keys of each merchant.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
	"github.com/payme-community/terraform-provider-payme/internal/seal"
)

// settingMerchants names the merchants setting; its environment variable
// holds a JSON object of the same shape as the attribute.
var settingMerchants = stringSetting{"merchants", "PAYME_MERCHANTS", "Invalid Pay-me Merchants", func(s string) error {
	_, err := parseMerchants(s)
	return err
}}

// A merchant's credentials are checked as the default ones are, but named
// after the argument and the variable they come in by.
var (
	settingMerchantID     = stringSetting{"merchants", settingMerchants.env, settingClientID.title, checkCredential}
	settingMerchantSecret = stringSetting{"merchants", settingMerchants.env, settingClientSecret.title, checkCredential}
)

// credentials are one merchant's client_id and client_secret.
type credentials struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// merchantModel is one element of the merchants attribute.
type merchantModel struct {
	ClientID     types.String `tfsdk:"client_id"`
	ClientSecret types.String `tfsdk:"client_secret"`
}

// configMerchants reads the merchants attribute, reporting false while a
// name's credentials are unknown.
func configMerchants(ctx context.Context, v types.Map, diags *diag.Diagnostics) (map[string]credentials, bool) {
	var elems map[string]merchantModel
	diags.Append(v.ElementsAs(ctx, &elems, false)...)
	out := make(map[string]credentials, len(elems))
	for name, e := range elems {
		if e.ClientID.IsUnknown() || e.ClientSecret.IsUnknown() {
			return nil, false
		}
		out[name] = credentials{ClientID: e.ClientID.ValueString(), ClientSecret: e.ClientSecret.ValueString()}
	}
	return out, true
}

// parseMerchants reads PAYME_MERCHANTS. Its errors never quote the text,
// which holds secrets.
func parseMerchants(s string) (map[string]credentials, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	var out map[string]credentials
	if err := dec.Decode(&out); err != nil || dec.More() {
		return nil, errors.New(`is not a JSON object of merchants: use {"name": {"client_id": "...", "client_secret": "..."}, ...}`)
	}
	for _, name := range slices.Sorted(maps.Keys(out)) {
		c := out[name]
		if err := checkMerchant(name, c.ClientID != "", c.ClientSecret != "", out); err != nil {
			return nil, err
		}
		for attr, v := range map[string]string{"client_id": c.ClientID, "client_secret": c.ClientSecret} {
			if err := checkCredential(v); err != nil {
				return nil, fmt.Errorf("has a %s for the merchant %q that %s", attr, name, strings.TrimPrefix(err.Error(), "is "))
			}
		}
	}
	return out, nil
}

// checkMerchant refuses a merchant name or a merchant without both
// credentials; the error names the merchants that are complete.
func checkMerchant[V any](name string, hasID, hasSecret bool, all map[string]V) error {
	switch {
	case strings.TrimSpace(name) == "" || strings.TrimSpace(name) != name:
		return fmt.Errorf("has a merchant named %q: name merchants with a non-empty word without surrounding white space, such as \"shop\"", name)
	case !hasID || !hasSecret:
		return fmt.Errorf("has the merchant %q without both client_id and client_secret: set both for every merchant (the others are %s)",
			name, namesList(slices.DeleteFunc(slices.Sorted(maps.Keys(all)), func(n string) bool { return n == name })))
	}
	return nil
}

// namesList quotes names for a sentence.
func namesList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// merchantsValidator checks the merchants attribute at validate time, with
// the same rule as PAYME_MERCHANTS. Unknown elements are skipped.
type merchantsValidator struct{}

var _ validator.Map = merchantsValidator{}

func (merchantsValidator) Description(ctx context.Context) string {
	return merchantsValidator{}.MarkdownDescription(ctx)
}

func (merchantsValidator) MarkdownDescription(context.Context) string {
	return "every merchant must have both client_id and client_secret"
}

func (merchantsValidator) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	for _, name := range slices.Sorted(maps.Keys(elems)) {
		obj, ok := elems[name].(types.Object)
		if !ok || obj.IsUnknown() || obj.IsNull() {
			continue
		}
		set := func(a string) bool { v, ok := obj.Attributes()[a]; return ok && !v.IsNull() }
		unknown := func(a string) bool { v, ok := obj.Attributes()[a]; return ok && v.IsUnknown() }
		if unknown("client_id") || unknown("client_secret") {
			continue
		}
		if err := checkMerchant(name, set("client_id"), set("client_secret"), elems); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(name), "Invalid Pay-me Merchant",
				fmt.Sprintf("The value of merchants %s.", err))
		}
	}
}

// merchant is one merchant's client and sealing keys, built on first use:
// a provider that holds many merchants derives only the keys a run needs.
type merchant struct {
	build  func(*diag.Diagnostics) (*paymeauth.Client, *seal.Ring)
	once   sync.Once
	client *paymeauth.Client
	keys   *seal.Ring
	diags  diag.Diagnostics
}

func (m *merchant) get(diags *diag.Diagnostics) (*paymeauth.Client, *seal.Ring) {
	m.once.Do(func() { m.client, m.keys = m.build(&m.diags) })
	diags.Append(m.diags...)
	return m.client, m.keys
}

// merchantsFor prepares one merchant per configured name, each with its own
// client (so caches never mix merchants) and its own credential-derived key
// beside the dedicated sealing_key, by the same builders as the default.
func (p *paymeProvider) merchantsFor(s settings, userAgent string) map[string]*merchant {
	out := make(map[string]*merchant, len(s.merchants.value))
	for name, c := range s.merchants.value {
		ms := s
		ms.clientID.value, ms.clientSecret.value = c.ClientID, c.ClientSecret
		out[name] = &merchant{build: func(diags *diag.Diagnostics) (*paymeauth.Client, *seal.Ring) {
			cfg := p.clientConfig(ms)
			cfg.UserAgent = userAgent
			client, err := paymeauth.New(cfg)
			if err != nil {
				diags.AddError("Cannot Create the Pay-me Client", fmt.Sprintf("The client of the merchant %q: %s.", name, err))
				return nil, nil
			}
			return client, sealingKeys(ms, diags)
		}}
	}
	return out
}

// clientIDs are the client IDs whose credentials derive sealing keys: the
// default one and every merchant's, for the diagnostic of a missing key.
func (s settings) clientIDs() []string {
	var ids []string
	if s.clientID.value != "" {
		ids = append(ids, s.clientID.value)
	}
	for _, name := range slices.Sorted(maps.Keys(s.merchants.value)) {
		ids = append(ids, s.merchants.value[name].ClientID)
	}
	return ids
}

// checkMerchantName says what is wrong with a merchant argument, at plan,
// before any Pay-me call; nil for a usable name or one not known yet.
func (d *providerData) checkMerchantName(name types.String) error {
	switch {
	case d == nil || !d.configured || name.IsUnknown():
		return nil
	case name.IsNull() && d.client == nil:
		return fmt.Errorf("merchant is not set, and the provider has no default client_id and client_secret. "+
			"Set merchant to one of the provider's merchants: %s", namesList(d.merchantNames()))
	case name.IsNull():
		return nil
	case len(d.merchants) == 0:
		return fmt.Errorf("merchant = %q names a merchant, but the provider configures none, only the default "+
			"client_id and client_secret. Remove merchant to use them, or add %q to the provider's merchants (or PAYME_MERCHANTS)",
			name.ValueString(), name.ValueString())
	case d.merchants[name.ValueString()] == nil:
		return fmt.Errorf("merchant = %q names no merchant of the provider configuration. Use one of %s, or remove "+
			"merchant to use the default client_id and client_secret", name.ValueString(), namesList(d.merchantNames()))
	}
	return nil
}

func (d *providerData) merchantNames() []string { return slices.Sorted(maps.Keys(d.merchants)) }

// addMerchantError reports checkMerchantName's error on the merchant argument.
func addMerchantError(diags *diag.Diagnostics, err error) {
	diags.AddAttributeError(path.Root("merchant"), "Invalid Pay-me Merchant", err.Error()+".")
}

// forMerchant returns the client and sealing keys of the named merchant
// (null for the default credentials), or records why there are none.
func (d *providerData) forMerchant(name types.String, diags *diag.Diagnostics) (*paymeauth.Client, *seal.Ring) {
	if !d.ready(diags) {
		return nil, nil
	}
	if err := d.checkMerchantName(name); err != nil {
		addMerchantError(diags, err)
		return nil, nil
	}
	if name.IsNull() {
		return d.client, d.keys
	}
	return d.merchants[name.ValueString()].get(diags)
}

// ringFor finds the sealing keys holding the key identifier: the default
// ones first, then each merchant's, derived only as far as needed, so the
// opener needs no merchant argument.
func (d *providerData) ringFor(kid string) *seal.Ring {
	if d.keys != nil && d.keys.Key(kid) != nil {
		return d.keys
	}
	for _, name := range d.merchantNames() {
		var ignored diag.Diagnostics
		if _, keys := d.merchants[name].get(&ignored); keys != nil && keys.Key(kid) != nil {
			return keys
		}
	}
	return nil
}

// open opens a sealed refresh token with whichever configured key sealed it.
func (d *providerData) open(sealed, id string) (string, error) {
	kid, err := seal.KeyID(sealed)
	if err != nil {
		return "", err
	}
	keys := d.ringFor(kid)
	if keys == nil {
		return "", &seal.UnknownKeyError{KeyID: kid}
	}
	token, _, err := keys.Open(sealed, id)
	return token, err
}
