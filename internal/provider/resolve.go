package provider

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// origin says where a provider setting's value came from.
type origin int

const (
	fromDefault origin = iota
	fromConfig
	fromEnv
)

// resolved is one provider setting: its value, where it came from, and
// whether it is known yet (a value fed from another resource is unknown
// during plan).
type resolved[T any] struct {
	value T
	from  origin
	known bool
}

// resolve is the one rule for every provider setting: the configuration
// wins, then the environment variable, then the default. config reads the
// configured value (false while part of it is unknown); parse reads and
// checks the environment variable, which no attribute validator sees, and
// its error is reported on the attribute.
func resolve[T any](p *paymeProvider, s stringSetting, v attr.Value, config func() (T, bool), parse func(string) (T, error), fallback T, diags *diag.Diagnostics) resolved[T] {
	switch {
	case v.IsUnknown():
		return resolved[T]{}
	case !v.IsNull():
		value, known := config()
		return resolved[T]{value: value, from: fromConfig, known: known}
	}
	e, ok := p.env(s.env)
	if !ok {
		return resolved[T]{value: fallback, from: fromDefault, known: true}
	}
	value, err := parse(e)
	if err != nil {
		addEnvError(diags, s.attr, s.env, s.title, err)
	}
	return resolved[T]{value: value, from: fromEnv, known: true}
}

// resolveString resolves a string setting checked by s.check.
func (p *paymeProvider) resolveString(s stringSetting, v types.String, fallback string, diags *diag.Diagnostics) resolved[string] {
	return resolve(p, s, v,
		func() (string, bool) { return v.ValueString(), true }, // checked by the attribute validator
		func(e string) (string, error) { return e, s.check(e) },
		fallback, diags)
}

// settings are the provider's arguments, each resolved once by resolve.
type settings struct {
	environment, authURL, audience, clientID, clientSecret, apiVersion resolved[string]
	requestTimeout                                                     resolved[time.Duration]
	maxRetries                                                         resolved[int64]
	sealingKey                                                         resolved[string]
	previousKeys, previousSecrets                                      resolved[[]string]
	merchants                                                          resolved[map[string]credentials]
}

// resolveSettings resolves every setting, and reports whether all are known.
func (p *paymeProvider) resolveSettings(ctx context.Context, m providerModel, diags *diag.Diagnostics) (settings, bool) {
	var s settings
	s.environment = p.resolveString(settingEnvironment, m.Environment, "", diags)
	s.authURL = p.resolveString(settingAuthURL, m.AuthURL, "", diags)
	// Without environment, an auth_url (a proxy or the sandbox) is paired
	// with production's audience: only the audience, never a host, comes
	// from a default.
	env := environments[cmp.Or(s.environment.value, audienceEnvironment)]
	s.audience = p.resolveString(settingAudience, m.Audience, env.audience, diags)
	s.clientID = p.resolveString(settingClientID, m.ClientID, "", diags)
	s.clientSecret = p.resolveString(settingClientSecret, m.ClientSecret, "", diags)
	s.apiVersion = p.resolveString(settingAPIVersion, m.APIVersion, defaultAPIVersion, diags)
	s.requestTimeout = resolve(p, settingRequestTimeout, m.RequestTimeout,
		func() (time.Duration, bool) {
			d, _ := parseRequestTimeout(m.RequestTimeout.ValueString())
			return d, true
		},
		parseRequestTimeout, defaultRequestTimeout, diags)
	s.maxRetries = resolve(p, settingMaxRetries, m.MaxRetries,
		func() (int64, bool) { return m.MaxRetries.ValueInt64(), true }, parseMaxRetries, defaultMaxRetries, diags)
	s.sealingKey = p.resolveString(settingSealingKey, m.SealingKey, "", diags)
	// Lists from the environment are checked entry by entry (listSetting).
	s.previousKeys.value, s.previousKeys.known = p.listSetting(ctx, settingPreviousKeys, m.PreviousKeys, diags)
	s.previousSecrets.value, s.previousSecrets.known = p.listSetting(ctx, settingPreviousSecrets, m.PreviousSecrets, diags)
	s.merchants = resolve(p, settingMerchants, m.Merchants,
		func() (map[string]credentials, bool) { return configMerchants(ctx, m.Merchants, diags) }, parseMerchants, nil, diags)

	known := true
	for _, k := range []bool{s.environment.known, s.authURL.known, s.audience.known, s.clientID.known, s.clientSecret.known,
		s.apiVersion.known, s.requestTimeout.known, s.maxRetries.known, s.sealingKey.known, s.previousKeys.known, s.previousSecrets.known, s.merchants.known} {
		known = known && k
	}
	return s, known
}

// authURLFrom names the setting the auth URL came from, as a user would
// look for it.
func (s settings) authURLFrom() string {
	switch {
	case s.authURL.from == fromConfig:
		return "auth_url in the provider configuration"
	case s.authURL.from == fromEnv:
		return "the " + settingAuthURL.env + " environment variable"
	case s.environment.from == fromConfig:
		return fmt.Sprintf("environment = %q in the provider configuration", s.environment.value)
	case s.environment.from == fromEnv:
		return fmt.Sprintf("the %s environment variable (%q)", settingEnvironment.env, s.environment.value)
	}
	return "the provider configuration"
}
