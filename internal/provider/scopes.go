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
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Scope",
			"A scope name is empty. Remove it, or use a name such as create:token or post:charges.")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Scope",
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

// fullyKnown reports a set that is known down to each element.
func fullyKnown(set types.Set) bool {
	return !set.IsUnknown() && !slices.ContainsFunc(set.Elements(), attr.Value.IsUnknown)
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

// scopesValidator says what a useless scope set means, in place of the
// framework's generic size and none-of messages. Ephemeral tokens refuse
// offline_access, which would leave a refresh token nothing revokes.
type scopesValidator struct {
	refuseOfflineAccess bool
}

var _ validator.Set = scopesValidator{}

func (v scopesValidator) Description(ctx context.Context) string { return v.MarkdownDescription(ctx) }

func (v scopesValidator) MarkdownDescription(context.Context) string {
	if v.refuseOfflineAccess {
		return "at least one scope, and not offline_access"
	}
	return "at least one scope"
}

func (v scopesValidator) ValidateSet(ctx context.Context, req validator.SetRequest, resp *validator.SetResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	if len(elems) == 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "No Scopes",
			"scopes is empty, but Pay-me issues tokens only for the scopes asked for, and always needs create:token. "+
				`Name the scopes the token is for, such as scopes = ["create:token", "post:charges"].`)
		return
	}
	if !v.refuseOfflineAccess {
		return
	}
	for _, e := range elems {
		if s, ok := e.(types.String); ok && !s.IsUnknown() && s.ValueString() == offlineAccess {
			resp.Diagnostics.AddAttributeError(req.Path, "Offline Access Not Allowed Here",
				"scopes includes offline_access, which makes Pay-me issue a refresh token as well. An ephemeral "+
					"payme_access_token keeps nothing that could revoke that refresh token later, so it would stay live "+
					"and unknown to Terraform. Remove offline_access from these scopes; to obtain a refresh token, use a "+
					"payme_refresh_token resource, which keeps the token in the state and revokes it on destroy.")
			return
		}
	}
}
