package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// floorProvider has the provider's schema and configures nothing.
type floorProvider struct {
	real provider.Provider
	held *heldValues
	paid unavoidable
}

// unavoidable is what every plugin doing the provider's job pays, which the
// floor pays too where the measured provider does: the sealing key's
// derivation (Argon2id from the client secret, without a sealing_key), and
// the wait for Pay-me's answer to each call.
type unavoidable struct {
	derive func()        // nil: no derivation
	wait   time.Duration // per Pay-me call: one in Create (the token), one in Delete (the revocation)
}

// deriveKey makes the derivation, if there is one to make.
func (u unavoidable) deriveKey() {
	if u.derive != nil {
		u.derive()
	}
}

// call waits as a Pay-me call would.
func (u unavoidable) call() { time.Sleep(u.wait) }

// heldValues are one real resource's values, as a state file holds them:
// the floor's resources hold the same, because Terraform's own work per
// resource (plans, state copies and writes) grows with what it holds. make
// bench captures them from a token the provider created; without them the
// floor makes short values up.
type heldValues struct {
	Attributes map[string]json.RawMessage `json:"attributes"`
	Private    string                     `json:"private"` // base64 of the private state's JSON

	private map[string][]byte // Private decoded: each key's JSON value
	once    sync.Once
	values  map[string]tftypes.Value // Attributes decoded with the resource's type, on first use
}

// decoded returns the captured attributes as values of the resource type
// typ, decoding them once as Terraform's state is decoded.
func (h *heldValues) decoded(typ tftypes.Type) map[string]tftypes.Value {
	h.once.Do(func() {
		obj, err := json.Marshal(h.Attributes)
		if err != nil {
			return
		}
		v, err := (&tfprotov6.RawState{JSON: obj}).UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{
			ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
		})
		if err == nil {
			_ = v.As(&h.values)
		}
	})
	return h.values
}

// loadHeld reads the values PAYME_FLOOR_VALUES names; nil without it.
func loadHeld(path string) (*heldValues, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path) //nolint:gosec // a file the benchmark harness wrote
	if err != nil {
		return nil, err
	}
	var h heldValues
	err = json.Unmarshal(b, &h)
	if err == nil && h.Private != "" {
		var raw []byte
		if raw, err = base64.StdEncoding.DecodeString(h.Private); err == nil {
			err = json.Unmarshal(raw, &h.private) // each key's JSON value, base64 in the state
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &h, nil
}

var (
	_ provider.Provider                       = floorProvider{}
	_ provider.ProviderWithEphemeralResources = floorProvider{}
)

// newFloor wraps the real provider's factory: every schema comes from it,
// every behaviour is replaced but what paid names (see floorResource).
func newFloor(provide func() provider.Provider, held *heldValues, paid unavoidable) func() provider.Provider {
	return func() provider.Provider { return floorProvider{real: provide(), held: held, paid: paid} }
}

func (p floorProvider) Metadata(ctx context.Context, req provider.MetadataRequest, resp *provider.MetadataResponse) {
	p.real.Metadata(ctx, req, resp)
}

func (p floorProvider) Schema(ctx context.Context, req provider.SchemaRequest, resp *provider.SchemaResponse) {
	p.real.Schema(ctx, req, resp)
}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p floorProvider) Resources(ctx context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, f := range p.real.Resources(ctx) {
		out = append(out, func() resource.Resource { return floorResource{real: f(), held: p.held, paid: p.paid} })
	}
	return out
}

func (p floorProvider) EphemeralResources(ctx context.Context) []func() ephemeral.EphemeralResource {
	withEph, ok := p.real.(provider.ProviderWithEphemeralResources)
	if !ok {
		return nil
	}
	var out []func() ephemeral.EphemeralResource
	for _, f := range withEph.EphemeralResources(ctx) {
		out = append(out, func() ephemeral.EphemeralResource { return floorEphemeral{real: f()} })
	}
	return out
}

func (p floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// floorResource has a real resource's type name and schema (its validators,
// defaults and plan modifiers included, as they are part of the schema) and
// none of its methods: no ModifyPlan, no state upgrade, no request. It pays
// what paid names where the provider's methods do: Create, Read, Update and
// Delete derive the sealing key (once per process), and Create and Delete
// wait as for a Pay-me call.
type floorResource struct {
	real resource.Resource
	held *heldValues
	paid unavoidable
}

func (r floorResource) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	r.real.Metadata(ctx, req, resp)
}

func (r floorResource) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	r.real.Schema(ctx, req, resp)
}

// Create makes up every value the plan leaves unknown, and holds the
// captured private state.
func (r floorResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.paid.deriveKey()
	r.paid.call()
	resp.State.Raw = r.held.madeUp(req.Plan.Raw, known)
	if r.held == nil {
		return
	}
	for k, v := range r.held.private {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, k, v)...)
	}
}

// Read keeps the state as it is.
func (r floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	r.paid.deriveKey()
}

func (r floorResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.paid.deriveKey()
	resp.State.Raw = r.held.madeUp(req.Plan.Raw, known)
}

// Delete does nothing else; the framework removes the state.
func (r floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
	r.paid.deriveKey()
	r.paid.call()
}

func known(_ string, v tftypes.Value) bool { return v.IsKnown() }

// floorEphemeral has a real ephemeral resource's type name and schema, and
// opens with values made up for every computed-only attribute.
type floorEphemeral struct{ real ephemeral.EphemeralResource }

func (e floorEphemeral) Metadata(ctx context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	e.real.Metadata(ctx, req, resp)
}

func (e floorEphemeral) Schema(ctx context.Context, req ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	e.real.Schema(ctx, req, resp)
}

func (floorEphemeral) Open(_ context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	attrs := req.Config.Schema.GetAttributes()
	resp.Result.Raw = (*heldValues)(nil).madeUp(req.Config.Raw, func(name string, _ tftypes.Value) bool {
		a, ok := attrs[name]
		return !ok || !a.IsComputed() || a.IsOptional()
	})
}

// madeUp replaces each top-level attribute of obj that keep refuses with
// the captured value of that name, or else a value of its type: a string, a
// positive number, false, an empty collection.
func (h *heldValues) madeUp(obj tftypes.Value, keep func(string, tftypes.Value) bool) tftypes.Value {
	var attrs map[string]tftypes.Value
	if err := obj.As(&attrs); err != nil {
		return obj
	}
	for name, v := range attrs {
		if keep(name, v) {
			continue
		}
		attrs[name] = value(v.Type())
		if h == nil {
			continue
		}
		if _, ok := h.Attributes[name]; ok {
			if captured, ok := h.decoded(obj.Type())[name]; ok {
				attrs[name] = captured
			}
		}
	}
	return tftypes.NewValue(obj.Type(), attrs)
}

func value(t tftypes.Type) tftypes.Value {
	switch {
	case t.Is(tftypes.String):
		return tftypes.NewValue(t, "floor")
	case t.Is(tftypes.Number):
		return tftypes.NewValue(t, 3600)
	case t.Is(tftypes.Bool):
		return tftypes.NewValue(t, false)
	case t.Is(tftypes.Set{}), t.Is(tftypes.List{}):
		return tftypes.NewValue(t, []tftypes.Value{})
	case t.Is(tftypes.Map{}):
		return tftypes.NewValue(t, map[string]tftypes.Value{})
	}
	return tftypes.NewValue(t, nil)
}
