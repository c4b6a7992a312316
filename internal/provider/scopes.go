package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// offlineAccess is the scope that makes Pay-me return a refresh token.
const offlineAccess = "offline_access"

// scopeNameValidator checks one scope name. Pay-me sends the scopes as one
// space-separated string, so white space inside a name would silently turn
// it into several scopes. Names Pay-me does not document are fine: the scope
// it answers with shows more exist.
type scopeNameValidator struct{}

var _ validator.String = scopeNameValidator{}

func (scopeNameValidator) Description(ctx context.Context) string {
	return scopeNameValidator{}.MarkdownDescription(ctx)
}

func (scopeNameValidator) MarkdownDescription(context.Context) string {
	return "each scope must be a non-empty name without white space"
}

func (scopeNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	switch {
	case s == "":
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid scope",
			"A scope name is empty. Remove it, or use a name such as create:token or post:charges.")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid scope",
			fmt.Sprintf("The scope %q contains white space, which would split it into several scopes. Write each scope as its own element of the set.", s))
	}
}

// scopeList returns the set's names sorted, so the same set always yields
// the same request (and the same cache entry), plus any extra names.
func scopeList(ctx context.Context, set types.Set, diags *diag.Diagnostics, extra ...string) []string {
	var names []string
	diags.Append(set.ElementsAs(ctx, &names, false)...)
	for _, e := range extra {
		if !slices.Contains(names, e) {
			names = append(names, e)
		}
	}
	slices.Sort(names)
	return names
}

// scopeSet turns scopes Pay-me granted into a set value. A set holds each
// name once: a duplicate from Pay-me would otherwise fail the apply with
// Terraform's "Duplicate Set Element" after the token was issued.
func scopeSet(names []string) types.Set {
	unique := slices.Compact(slices.Sorted(slices.Values(names)))
	elems := make([]attr.Value, 0, len(unique))
	for _, n := range unique {
		elems = append(elems, types.StringValue(n))
	}
	return types.SetValueMust(types.StringType, elems)
}
