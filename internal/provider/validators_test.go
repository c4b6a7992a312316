package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestPairValidator covers the combinations, including values still
// unknown at plan (from another resource), which must never be refused.
func TestPairValidator(t *testing.T) {
	t.Parallel()
	const (
		set     = "set"
		null    = ""
		unknown = "unknown"
	)
	value := func(s string) tftypes.Value {
		switch s {
		case null:
			return tftypes.NewValue(tftypes.String, nil)
		case unknown:
			return tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		}
		return tftypes.NewValue(tftypes.String, s)
	}
	cases := []struct {
		user, password, refresh string
		wantPath                string // "" for no error
	}{
		{null, null, null, ""},
		{set, set, null, ""},
		{set, null, null, "password"},
		{null, set, null, "username"},
		{set, null, set, ""},      // the refresh grant sends username
		{null, set, set, ""},      // grantConflictValidator reports this one
		{unknown, null, null, ""}, // known only at apply
		{null, unknown, null, ""},
		{set, null, unknown, ""},
	}
	sch := schema.Schema{Attributes: map[string]schema.Attribute{
		"username":      schema.StringAttribute{Optional: true},
		"password":      schema.StringAttribute{Optional: true},
		"refresh_token": schema.StringAttribute{Optional: true},
	}}
	typ := sch.Type().TerraformType(context.Background())
	v := pairValidator{user: "username", password: "password", unless: "refresh_token"}
	for _, tc := range cases {
		name := "user=" + tc.user + ",password=" + tc.password + ",refresh=" + tc.refresh
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := tfsdk.Config{Schema: sch, Raw: tftypes.NewValue(typ, map[string]tftypes.Value{
				"username": value(tc.user), "password": value(tc.password), "refresh_token": value(tc.refresh),
			})}
			var resp ephemeral.ValidateConfigResponse
			v.ValidateEphemeralResource(context.Background(), ephemeral.ValidateConfigRequest{Config: cfg}, &resp)
			switch {
			case tc.wantPath == "" && resp.Diagnostics.HasError():
				t.Errorf("refused: %v", resp.Diagnostics)
			case tc.wantPath != "" && resp.Diagnostics.ErrorsCount() != 1:
				t.Errorf("got %d errors, want one on %s", resp.Diagnostics.ErrorsCount(), tc.wantPath)
			case tc.wantPath != "":
				d, ok := resp.Diagnostics.Errors()[0].(diag.DiagnosticWithPath)
				if !ok || !d.Path().Equal(path.Root(tc.wantPath)) {
					t.Errorf("error %v is not on %s", resp.Diagnostics.Errors()[0], tc.wantPath)
				}
			}
		})
	}
}
