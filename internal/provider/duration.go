package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// durationValidator accepts a Go duration string within [min, max].
type durationValidator struct {
	min, max time.Duration
	example  string
}

var _ validator.String = durationValidator{}

func (v durationValidator) Description(ctx context.Context) string { return v.MarkdownDescription(ctx) }

func (v durationValidator) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("value must be a duration between %s and %s, such as %s", v.min, v.max, v.example)
}

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf("The value %q is not a duration. Use a number with a unit (h, m or s), such as %s.", s, v.example))
	case d < v.min || d > v.max:
		resp.Diagnostics.AddAttributeError(req.Path, "Duration out of range",
			fmt.Sprintf("The value %q is out of range: use a duration between %s and %s, such as %s.", s, v.min, v.max, v.example))
	}
}
