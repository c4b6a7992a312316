package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/payme-community/terraform-provider-payme/internal/duration"
)

// durationValidator accepts a duration (see package duration) within
// [min, max]. Its limits are also what each description states, through
// limits, so the two cannot drift apart.
type durationValidator struct {
	min, max time.Duration
	example  string
}

var _ validator.String = durationValidator{}

// limits is the sentence each duration attribute's description ends with.
func (v durationValidator) limits() string {
	return fmt.Sprintf("It must be between `%s` and `%s`, written with the units `d` (24 hours), `h`, `m`, `s`, `ms`, `us` "+
		"and `ns`, alone or combined as in `1h30m` or `1d12h`.", duration.Format(v.min), duration.Format(v.max))
}

func (v durationValidator) Description(ctx context.Context) string { return v.MarkdownDescription(ctx) }

func (v durationValidator) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("value must be a duration between %s and %s, such as %s",
		duration.Format(v.min), duration.Format(v.max), v.example)
}

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	d, err := duration.Parse(s)
	switch {
	case err != nil:
		// The parser's own examples may be out of this attribute's range,
		// so the advice is built from the range and its example.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("The value %q is not a duration: write a number and a unit, d (24 hours), h, m or s (there is no "+
				"unit for months or years: write 30d or 365d). %s must be between %s and %s, such as %s.",
				s, req.Path, duration.Format(v.min), duration.Format(v.max), v.example))
	case d < v.min || d > v.max:
		resp.Diagnostics.AddAttributeError(req.Path, "Duration Out of Range",
			fmt.Sprintf("The value %q is out of range: %s must be between %s and %s, such as %s.", s, req.Path, duration.Format(v.min), duration.Format(v.max), v.example))
	}
}
