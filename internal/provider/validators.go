package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ validator.String = stringSetting{}
	_ validator.Int64  = maxRetriesValidator{}
)

func (s stringSetting) Description(ctx context.Context) string { return s.MarkdownDescription(ctx) }

func (s stringSetting) MarkdownDescription(context.Context) string {
	return "value must be a valid " + s.attr
}

func (s stringSetting) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := s.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, s.title,
			fmt.Sprintf("The value of %s %s. (It can also come from the %s environment variable, used when %s is not set here.)",
				s.attr, err, s.env, s.attr))
	}
}

type maxRetriesValidator struct{}

func (maxRetriesValidator) Description(ctx context.Context) string {
	return maxRetriesValidator{}.MarkdownDescription(ctx)
}

func (maxRetriesValidator) MarkdownDescription(context.Context) string {
	return fmt.Sprintf("value must be between 0 and %d", maxRetriesLimit)
}

func (maxRetriesValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkMaxRetries(req.ConfigValue.ValueInt64()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid max_retries",
			fmt.Sprintf("The value of max_retries %s. (It can also come from the %s environment variable, used when max_retries is not set here.)",
				err, envMaxRetries))
	}
}
