package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// attribute is a top-level attribute's name and its value: a pointer to
// read it into (getAttributes), or the value to write (setAttributes).
type attribute struct {
	name  string
	value any
}

// attributeGetter is a plan, a state or a configuration.
type attributeGetter interface {
	GetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// attributeSetter is a plan, a state or an ephemeral result.
type attributeSetter interface {
	SetAttribute(context.Context, path.Path, any) diag.Diagnostics
}

// getAttributes reads attributes one by one, and setAttributes writes
// them: cheaper than decoding or encoding a whole model, which costs the
// framework a regular expression compiled per field (its issue 725), on
// paths every resource of every plan runs.
func getAttributes(ctx context.Context, from attributeGetter, attrs ...attribute) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, a := range attrs {
		diags.Append(from.GetAttribute(ctx, path.Root(a.name), a.value)...)
	}
	return diags
}

func setAttributes(ctx context.Context, into attributeSetter, attrs ...attribute) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, a := range attrs {
		diags.Append(into.SetAttribute(ctx, path.Root(a.name), a.value)...)
	}
	return diags
}
