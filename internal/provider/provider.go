package provider

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/payme-community/terraform-provider-payme/internal/duration"
	"github.com/payme-community/terraform-provider-payme/internal/paymeauth"
)

var (
	_ provider.Provider                       = (*paymeProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*paymeProvider)(nil)
	_ provider.ProviderWithActions            = (*paymeProvider)(nil)
)

// New returns the provider factory that main hands to providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &paymeProvider{version: version, now: time.Now, lookupEnv: os.LookupEnv}
	}
}

type paymeProvider struct {
	version string
	// now, lookupEnv and retryWaitMin are fields so tests can move the clock,
	// supply environment variables without touching the process, and keep
	// retries fast.
	now          func() time.Time
	lookupEnv    func(string) (string, bool)
	retryWaitMin time.Duration
	// httpClient lets tests answer requests meant for Pay-me's real hosts.
	httpClient *http.Client
}

type providerModel struct {
	Environment    types.String `tfsdk:"environment"`
	AuthURL        types.String `tfsdk:"auth_url"`
	Audience       types.String `tfsdk:"audience"`
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	APIVersion     types.String `tfsdk:"api_version"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	SealingKey     types.String `tfsdk:"sealing_key"`
	PreviousKeys   types.List   `tfsdk:"previous_sealing_keys"`
	Merchants      types.Map    `tfsdk:"merchants"`
	// PreviousSecrets is read in sealing_keys.go.
	PreviousSecrets types.List `tfsdk:"previous_client_secrets"`
}

// stringSetting ties a string attribute to its environment variable and to
// the check that both the attribute validator and Configure apply, so a bad
// value reads the same whichever way it came in.
type stringSetting struct {
	attr  string
	env   string
	title string
	check func(string) error
}

var (
	settingEnvironment    = stringSetting{"environment", "PAYME_ENVIRONMENT", "Invalid Pay-me Environment", checkEnvironment}
	settingAuthURL        = stringSetting{"auth_url", "PAYME_AUTH_URL", "Invalid Pay-me Auth URL", checkAuthURL}
	settingAudience       = stringSetting{"audience", "PAYME_AUDIENCE", "Invalid Pay-me Audience", checkAudience}
	settingClientID       = stringSetting{"client_id", "PAYME_CLIENT_ID", "Invalid Pay-me Client ID", checkCredential}
	settingClientSecret   = stringSetting{"client_secret", "PAYME_CLIENT_SECRET", "Invalid Pay-me Client Secret", checkCredential}
	settingAPIVersion     = stringSetting{"api_version", "PAYME_API_VERSION", "Invalid Pay-me API Version", checkAPIVersion}
	settingRequestTimeout = stringSetting{"request_timeout", "PAYME_REQUEST_TIMEOUT", "Invalid Request Timeout", checkRequestTimeout}
	settingSealingKey     = stringSetting{"sealing_key", "PAYME_SEALING_KEY", "Invalid Sealing Key", checkSealingKey}
	settingPreviousKeys   = stringSetting{"previous_sealing_keys", "PAYME_PREVIOUS_SEALING_KEYS", "Invalid Previous Sealing Key", checkSealingKey}
)

// settingMaxRetries is no string validator (max_retries is a number), only
// the names its environment variable is resolved and reported under.
var settingMaxRetries = stringSetting{"max_retries", "PAYME_MAX_RETRIES", "Invalid Maximum Retries", func(s string) error {
	_, err := parseMaxRetries(s)
	return err
}}

func (p *paymeProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "payme"
	resp.Version = p.version
}

func (p *paymeProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Pay-me provider obtains and revokes credentials for [Pay-me](https://www.pay-me.com), " +
			"the payment gateway run by Alignet. Every argument is optional in the configuration and can come from an " +
			"environment variable instead; a value in the configuration wins over the environment.",
		Attributes: map[string]schema.Attribute{
			"environment": schema.StringAttribute{
				MarkdownDescription: "The Pay-me environment to use: `production`, `preproduction` or `development`. " +
					"It selects the auth base URL and the audience, each of which can be overridden. There is no default: " +
					"set `environment` or `auth_url` (here or through their environment variables), or the provider " +
					"refuses to start, so that credentials never go to production by accident. " +
					"Environment variable: `PAYME_ENVIRONMENT`.",
				Optional:   true,
				Validators: []validator.String{settingEnvironment},
			},
			"auth_url": schema.StringAttribute{
				MarkdownDescription: "The base URL of Pay-me's auth service, to which `/token` and `/revoke` are appended. " +
					"Defaults to the URL of the chosen `environment`; one of the two must be set. It must use `https://`; `http://` is accepted only for " +
					"loopback hosts, such as the local Pay-me sandbox. Environment variable: `PAYME_AUTH_URL`.",
				Optional:   true,
				Validators: []validator.String{settingAuthURL},
			},
			"audience": schema.StringAttribute{
				MarkdownDescription: "The audience sent with every request, which names the Pay-me APIs the tokens are for. " +
					"Defaults to the audience of the chosen `environment`, or to production's (`https://api.alignet.io`) " +
					"when only `auth_url` is set. Environment variable: `PAYME_AUDIENCE`.",
				Optional:   true,
				Validators: []validator.String{settingAudience},
			},
			"client_id": schema.StringAttribute{
				MarkdownDescription: "The client ID Pay-me assigned to the merchant, at most 100 characters. " +
					"Required, here or in the `PAYME_CLIENT_ID` environment variable.",
				Optional:   true,
				Validators: []validator.String{settingClientID},
			},
			"client_secret": schema.StringAttribute{
				MarkdownDescription: "The client secret Pay-me assigned to the merchant, at most 100 characters. " +
					"Required, here or in the `PAYME_CLIENT_SECRET` environment variable; prefer the environment variable " +
					"or an ephemeral value so the secret stays out of configuration files.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{settingClientSecret},
			},
			"api_version": schema.StringAttribute{
				MarkdownDescription: "The value of the `ALG-API-VERSION` header, digits only. Defaults to `" + defaultAPIVersion +
					"`, the version in Pay-me's current documentation (older pages use `1618440906`). An empty string " +
					"omits the header, as some of Pay-me's own clients do. Environment variable: `PAYME_API_VERSION`.",
				Optional:   true,
				Validators: []validator.String{settingAPIVersion},
			},
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP attempt may take, as a duration such as `30s` (the default) or `2m`, " +
					"more than `0s` and at most `" + duration.Format(maxRequestTimeout) + "`; the units are `d`, `h`, `m`, `s`, `ms`, `us` and `ns`. " +
					"A timed-out attempt counts as a temporary failure and is retried. " +
					"Environment variable: `PAYME_REQUEST_TIMEOUT`.",
				Optional:   true,
				Validators: []validator.String{settingRequestTimeout},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many times a request is retried after a temporary failure "+
					"(HTTP 429, a 5xx answer other than 501 Not Implemented, a network error or a timeout), with exponential backoff that honours "+
					"`Retry-After`. Defaults to %d; `0` disables retries; at most %d. Environment variable: `PAYME_MAX_RETRIES`.",
					defaultMaxRetries, maxRetriesLimit),
				Optional:   true,
				Validators: []validator.Int64{maxRetriesValidator{}},
			},
			"sealing_key": schema.StringAttribute{
				MarkdownDescription: "A dedicated key that seals refresh tokens in the state: a random value of 32 to 1024 " +
					"characters without white space or commas, with at least " + fmt.Sprint(minSealingKeyVariety) + " different " +
					"characters, none making up more than a quarter of it, such as the output of `openssl rand -base64 32`. " +
					"Without it, the key is derived from `client_id` and `client_secret` with Argon2id (the secret itself is " +
					"never stored); after a client secret rotation, `previous_client_secrets` keeps older tokens open. " +
					"Tokens sealed under the credential-derived key still open once a dedicated key is set. " +
					"Environment variable: `PAYME_SEALING_KEY`.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{settingSealingKey},
			},
			"previous_sealing_keys": schema.ListAttribute{
				MarkdownDescription: "Older sealing keys, which open tokens sealed before a key change but never seal, each " +
					"held to the rules of `sealing_key`. A token sealed under one of them is sealed again under the current " +
					"key whenever the state is refreshed, without calling Pay-me, and the plan warns about it until " +
					"`terraform apply -refresh-only` (or any apply) has saved that; once no plan warns, remove the old key. " +
					"Environment variable: `PAYME_PREVIOUS_SEALING_KEYS`, the keys separated by commas.",
				Optional:    true,
				Sensitive:   true,
				ElementType: types.StringType,
				Validators:  []validator.List{listvalidator.ValueStringsAre(settingPreviousKeys)},
			},
			"merchants": schema.MapNestedAttribute{
				MarkdownDescription: "The credentials of more merchants, keyed by a name you choose, such as `shop`. " +
					"`payme_refresh_token` and `payme_access_token` pick one with their `merchant` argument, so one provider " +
					"configuration and one `for_each` serve many merchants; objects without `merchant` use `client_id` and " +
					"`client_secret`, which are optional once merchants are set. Each merchant has its own client (its access " +
					"tokens are never shared with another merchant's) and, without `sealing_key`, its own sealing key derived " +
					"from its credentials. Remove a merchant only after destroying the tokens issued for it: a plan that still " +
					"holds one fails. Pass it from a variable declared with `ephemeral = true`. Environment variable: " +
					"`PAYME_MERCHANTS`, the same map as JSON, such as " +
					"`{\"shop\": {\"client_id\": \"...\", \"client_secret\": \"...\"}}`.",
				Optional: true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"client_id": schema.StringAttribute{
						MarkdownDescription: "The client ID Pay-me assigned to this merchant, at most 100 characters.",
						Optional:            true,
						Validators:          []validator.String{settingMerchantID},
					},
					"client_secret": schema.StringAttribute{
						MarkdownDescription: "The client secret Pay-me assigned to this merchant, at most 100 characters.",
						Optional:            true,
						Sensitive:           true,
						Validators:          []validator.String{settingMerchantSecret},
					},
				}},
				Validators: []validator.Map{merchantsValidator{}},
			},
			"previous_client_secrets": schema.ListAttribute{
				MarkdownDescription: "Client secrets of `client_id` that were rotated away, used only to derive the keys " +
					"that open tokens sealed under them; they are never sent to Pay-me. Without a `sealing_key`, the " +
					"sealing key is derived from the client credentials, so after a client secret rotation put the old " +
					"secret here, run `terraform apply -refresh-only` to seal every token again under the new secret's key, " +
					"then remove it (see the rotation guide). Environment variable: `PAYME_PREVIOUS_CLIENT_SECRETS`, the " +
					"secrets separated by commas.",
				Optional:    true,
				Sensitive:   true,
				ElementType: types.StringType,
				Validators:  []validator.List{listvalidator.ValueStringsAre(settingPreviousSecrets)},
			},
		},
	}
}

func (p *paymeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := &providerData{now: p.now}
	resp.ResourceData = data
	resp.EphemeralResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data

	s, known := p.resolveSettings(ctx, m, &resp.Diagnostics)
	s.require(known, &resp.Diagnostics)
	if !known || resp.Diagnostics.HasError() {
		// Values that come from other resources are unknown during plan; the
		// provider is configured again with known values before apply.
		return
	}
	userAgent := fmt.Sprintf("terraform-provider-payme/%s (+https://www.terraform.io) Terraform/%s", p.version, req.TerraformVersion)
	if s.clientID.value != "" {
		// Without default credentials (only merchants) there is no default
		// client, and no credential-derived default key.
		cfg := p.clientConfig(s)
		cfg.UserAgent = userAgent
		client, err := paymeauth.New(cfg)
		if err != nil {
			resp.Diagnostics.AddError("Cannot Create the Pay-me Client", err.Error())
			return
		}
		data.client = client
	}
	keys := sealingKeys(s, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	data.keys, data.merchants, data.authURLFrom = keys, p.merchantsFor(s, userAgent), s.authURLFrom()
	data.configured = true
	data.clientIDs = s.clientIDs()
}

// clientConfig turns resolved settings into the client's configuration.
func (p *paymeProvider) clientConfig(s settings) paymeauth.Config {
	return paymeauth.Config{
		BaseURL:      cmp.Or(s.authURL.value, environments[s.environment.value].authURL),
		Audience:     s.audience.value,
		ClientID:     s.clientID.value,
		ClientSecret: s.clientSecret.value,
		APIVersion:   s.apiVersion.value,
		Timeout:      s.requestTimeout.value,
		MaxRetries:   int(s.maxRetries.value),
		Now:          p.now,
		RetryWaitMin: p.retryWaitMin,
		HTTPClient:   p.httpClient,
	}
}

// require reports the settings that have no value from anywhere, among
// those known so far.
func (s settings) require(known bool, diags *diag.Diagnostics) {
	if s.environment.known && s.authURL.known && s.environment.value == "" && s.authURL.value == "" {
		addMissingEnvironment(diags)
	}
	if !known || (len(s.merchants.value) > 0 && s.clientID.value == "" && s.clientSecret.value == "") {
		// With merchants, the default credentials are optional.
		return
	}
	requireCredential(settingClientID, s.clientID.value, diags)
	requireCredential(settingClientSecret, s.clientSecret.value, diags)
}

// addEnvError reports a bad value that came from an environment variable,
// on the attribute it stands for.
func addEnvError(diags *diag.Diagnostics, attr, env, title string, err error) {
	diags.AddAttributeError(path.Root(attr), title,
		fmt.Sprintf("The value of the %s environment variable %s. Fix or unset the variable, or set %s in the provider configuration.", env, err, attr))
}

// env reads an environment variable. An empty variable counts as unset, as
// in most providers, except for api_version, where empty turns the header off.
func (p *paymeProvider) env(name string) (string, bool) {
	v, ok := p.lookupEnv(name)
	if v == "" && name != settingAPIVersion.env {
		return "", false
	}
	return v, ok
}

// addMissingEnvironment refuses to guess the Pay-me service: a silent
// production default would send credentials meant for a test service there.
func addMissingEnvironment(diags *diag.Diagnostics) {
	diags.AddAttributeError(path.Root("environment"), "Missing Pay-me Environment",
		"The provider does not know which Pay-me service to call, and it does not assume production, so that "+
			"credentials meant for a test service never reach it. Set environment to \"production\", \"preproduction\" "+
			"or \"development\" (or the PAYME_ENVIRONMENT environment variable), or set auth_url (or PAYME_AUTH_URL) "+
			"to another auth service, such as the local sandbox at http://127.0.0.1:8700.")
}

func requireCredential(s stringSetting, value string, diags *diag.Diagnostics) {
	if value != "" {
		return
	}
	diags.AddAttributeError(path.Root(s.attr), "Missing "+strings.TrimPrefix(s.title, "Invalid "),
		fmt.Sprintf("The provider needs a %s to call Pay-me. Set %s in the provider configuration or the %s environment variable.", s.attr, s.attr, s.env))
}

func (p *paymeProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewRefreshTokenResource}
}

func (p *paymeProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{NewAccessTokenEphemeralResource, NewRefreshTokenSecretEphemeralResource}
}

func (p *paymeProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}

func (p *paymeProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{NewRevokeRefreshTokenAction, NewVerifyCredentialsAction}
}
