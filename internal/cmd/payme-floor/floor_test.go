package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	paymeprovider "github.com/payme-community/terraform-provider-payme/internal/provider"
)

// TestFloorHasTheProvidersSchemas: the floor serves every resource and
// ephemeral resource of the provider under its name and with its schema,
// so the two cannot drift.
func TestFloorHasTheProvidersSchemas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ours := paymeprovider.New("test")()
	floor := newFloor(paymeprovider.New("test"), nil, unavoidable{})()
	oursEph, ok := ours.(provider.ProviderWithEphemeralResources)
	if !ok {
		t.Fatal("the provider has no ephemeral resources")
	}
	floorEph, ok := floor.(provider.ProviderWithEphemeralResources)
	if !ok {
		t.Fatal("the floor has no ephemeral resources")
	}
	if len(floor.Resources(ctx)) != len(ours.Resources(ctx)) || len(floorEph.EphemeralResources(ctx)) != len(oursEph.EphemeralResources(ctx)) {
		t.Fatal("the floor and the provider serve different numbers of resources")
	}
	for i, f := range floor.Resources(ctx) {
		r, fl := ours.Resources(ctx)[i](), f()
		var rm, fm resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "payme"}, &rm)
		fl.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "payme"}, &fm)
		var rs, fs resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &rs)
		fl.Schema(ctx, resource.SchemaRequest{}, &fs)
		if rm.TypeName != fm.TypeName || !rs.Schema.Type().Equal(fs.Schema.Type()) || rs.Schema.Version != fs.Schema.Version {
			t.Errorf("resource %s: the floor's is %s with another schema", rm.TypeName, fm.TypeName)
		}
	}
	for i, f := range floorEph.EphemeralResources(ctx) {
		r, fl := oursEph.EphemeralResources(ctx)[i](), f()
		var rm, fm ephemeral.MetadataResponse
		r.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "payme"}, &rm)
		fl.Metadata(ctx, ephemeral.MetadataRequest{ProviderTypeName: "payme"}, &fm)
		var rs, fs ephemeral.SchemaResponse
		r.Schema(ctx, ephemeral.SchemaRequest{}, &rs)
		fl.Schema(ctx, ephemeral.SchemaRequest{}, &fs)
		if rm.TypeName != fm.TypeName || !rs.Schema.Type().Equal(fs.Schema.Type()) {
			t.Errorf("ephemeral resource %s: the floor's is %s with another schema", rm.TypeName, fm.TypeName)
		}
	}
}

// TestFloorPaysWhereTheProviderDoes: the floor's Create, Read, Update and
// Delete each make the derivation they are given, as the provider's seal or
// open a token, and Create and Delete wait as for a Pay-me call; given
// nothing, they pay nothing.
func TestFloorPaysWhereTheProviderDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const wait = 20 * time.Millisecond
	for _, pays := range []bool{true, false} {
		calls := 0
		var paid unavoidable
		if pays {
			paid = unavoidable{derive: func() { calls++ }, wait: wait}
		}
		for _, f := range newFloor(paymeprovider.New("test"), nil, paid)().Resources(ctx) {
			r := f()
			var sr resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &sr)
			typ, ok := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
			if !ok {
				t.Fatal("a resource's schema is not an object")
			}
			nulls := map[string]tftypes.Value{}
			for name, at := range typ.AttributeTypes {
				nulls[name] = tftypes.NewValue(at, nil)
			}
			plan := tfsdk.Plan{Raw: tftypes.NewValue(typ, nulls)}
			start := time.Now()
			r.Create(ctx, resource.CreateRequest{Plan: plan}, &resource.CreateResponse{})
			r.Read(ctx, resource.ReadRequest{}, &resource.ReadResponse{})
			r.Update(ctx, resource.UpdateRequest{Plan: plan}, &resource.UpdateResponse{})
			r.Delete(ctx, resource.DeleteRequest{}, &resource.DeleteResponse{})
			if took := time.Since(start); pays && took < 2*wait {
				t.Errorf("Create and Delete took %s in all, want at least two waits of %s", took, wait)
			}
		}
		if want := map[bool]int{true: 4, false: 0}[pays]; calls != want {
			t.Errorf("paying: %v; the floor derived %d times, want %d", pays, calls, want)
		}
	}
}

// TestMadeUp: values the plan leaves unknown are made up with their type;
// known and null ones are kept.
func TestMadeUp(t *testing.T) {
	t.Parallel()
	set := tftypes.Set{ElementType: tftypes.String}
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "n": tftypes.Number, "b": tftypes.Bool, "s": set,
		"m": tftypes.Map{ElementType: tftypes.String}, "kept": tftypes.String, "null": tftypes.String,
	}}
	unknown := func(t tftypes.Type) tftypes.Value { return tftypes.NewValue(t, tftypes.UnknownValue) }
	in := tftypes.NewValue(typ, map[string]tftypes.Value{
		"id": unknown(tftypes.String), "n": unknown(tftypes.Number), "b": unknown(tftypes.Bool), "s": unknown(set),
		"m": unknown(tftypes.Map{ElementType: tftypes.String}), "kept": tftypes.NewValue(tftypes.String, "mine"),
		"null": tftypes.NewValue(tftypes.String, nil),
	})
	out := (*heldValues)(nil).madeUp(in, known)
	if !out.IsFullyKnown() {
		t.Fatalf("unknown values remain: %s", out)
	}
	var attrs map[string]tftypes.Value
	if err := out.As(&attrs); err != nil {
		t.Fatal(err)
	}
	var kept string
	if err := attrs["kept"].As(&kept); err != nil || kept != "mine" || !attrs["null"].IsNull() {
		t.Errorf("known values changed: kept %q, null %s", kept, attrs["null"])
	}
}

// TestMadeUpFromCaptured: with captured values, an unknown attribute takes
// the captured value of its name (null included), and one not captured a
// made-up value.
func TestMadeUpFromCaptured(t *testing.T) {
	t.Parallel()
	typ := tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"sealed": tftypes.String, "plain": tftypes.String, "other": tftypes.String,
	}}
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	in := tftypes.NewValue(typ, map[string]tftypes.Value{"sealed": unknown, "plain": unknown, "other": unknown})
	held := &heldValues{Attributes: map[string]json.RawMessage{"sealed": []byte(`"pmseal1.c0000deadbeef.AAAA"`), "plain": []byte(`null`)}}
	var attrs map[string]tftypes.Value
	if err := held.madeUp(in, known).As(&attrs); err != nil {
		t.Fatal(err)
	}
	var sealed, other string
	if err := attrs["sealed"].As(&sealed); err != nil || sealed != "pmseal1.c0000deadbeef.AAAA" {
		t.Errorf("sealed = %q, want the captured value", sealed)
	}
	if !attrs["plain"].IsNull() {
		t.Errorf("plain = %s, want the captured null", attrs["plain"])
	}
	if err := attrs["other"].As(&other); err != nil || other == "" {
		t.Errorf("other = %q, want a made-up value", other)
	}
}

// TestLoadHeld: the captured private state is decoded once, at load, into
// each key's JSON value; a private state that does not decode fails the load.
func TestLoadHeld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, private string) string {
		p := filepath.Join(dir, name)
		body := `{"attributes": {"id": "sha256:0011223344556677"}, "private": "` + private + `"}`
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	digest := `{"password_digest":"eyJraWQiOiJjIn0="}` // the JSON value {"kid":"c"}, base64 as the framework keeps it
	h, err := loadHeld(write("good.json", base64.StdEncoding.EncodeToString([]byte(digest))))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(h.private["password_digest"]); got != `{"kid":"c"}` {
		t.Errorf("private password_digest = %q, want its JSON value", got)
	}
	if _, err := loadHeld(write("bad.json", "not base64!")); err == nil {
		t.Error("a private state that is not base64 loaded")
	}
	if h, err := loadHeld(""); h != nil || err != nil {
		t.Errorf("no file: %v, %v; want nothing", h, err)
	}
}

// TestUnavoidableFromEnv: the floor derives only when asked, waits what
// PAYME_FLOOR_WAIT says, and refuses a wait that is not a duration.
func TestUnavoidableFromEnv(t *testing.T) {
	// Not parallel: it sets the process's environment.
	for _, c := range []struct {
		derive, wait string
		want         time.Duration
		derives, ok  bool
	}{
		{"", "", 0, false, true},
		{"1", "50ms", 50 * time.Millisecond, true, true},
		{"", "0s", 0, false, true},
		{"", "fifty", 0, false, false},
	} {
		t.Setenv("PAYME_FLOOR_DERIVE", c.derive)
		t.Setenv("PAYME_FLOOR_WAIT", c.wait)
		u, err := unavoidableFromEnv()
		if (err == nil) != c.ok || u.wait != c.want || (u.derive != nil) != c.derives {
			t.Errorf("DERIVE=%q WAIT=%q: wait %s, derives %v, error %v", c.derive, c.wait, u.wait, u.derive != nil, err)
		}
	}
}
