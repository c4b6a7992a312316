package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// smallWords stay lower case inside a Title Case title.
var smallWords = map[string]bool{
	"a": true, "an": true, "and": true, "as": true, "at": true, "by": true, "for": true, "from": true,
	"in": true, "of": true, "on": true, "or": true, "the": true, "to": true, "with": true,
}

// titleCaseError says what is wrong with a diagnostic title, or "".
func titleCaseError(title string) string {
	words := strings.Fields(title)
	if len(words) == 0 {
		return "the title is empty"
	}
	for i, w := range words {
		first := []rune(w)[0]
		switch {
		case !unicode.IsLetter(first) || unicode.IsUpper(first):
		case i > 0 && smallWords[w]:
		default:
			return strconv.Quote(w) + " is not capitalized"
		}
	}
	return ""
}

func TestTitleCaseError(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"Corrupt State":                       true,
		"Pay-me Access Token About to Expire": true,
		"Duration Out of Range":               true,
		"Access Token Too Short-Lived":        true,
		"Corrupt state":                       false,
		"Invalid max_retries":                 false,
		"of Pay-me":                           false,
		"":                                    false,
	}
	for title, ok := range cases {
		if got := titleCaseError(title) == ""; got != ok {
			t.Errorf("titleCaseError(%q) ok = %v, want %v", title, got, ok)
		}
	}
}

// TestDiagnosticTitles reads the provider's production code and holds every
// diagnostic title written there to Title Case: the first argument of
// AddError and AddWarning, the second of AddAttributeError and
// AddAttributeWarning, a string assigned to a variable named title or
// summary or returned as one, and the title of each provider setting. A
// title built from pieces is checked by its literal pieces.
func TestDiagnosticTitles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var titles []string
	at := map[string]string{}
	add := func(e ast.Expr) {
		for _, lit := range literals(e) {
			titles = append(titles, lit)
			at[lit] = fset.Position(e.Pos()).String()
		}
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				switch {
				case !ok:
				case (sel.Sel.Name == "AddError" || sel.Sel.Name == "AddWarning") && len(n.Args) == 2:
					add(n.Args[0])
				case (sel.Sel.Name == "AddAttributeError" || sel.Sel.Name == "AddAttributeWarning") && len(n.Args) == 3:
					add(n.Args[1])
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && (id.Name == "title" || id.Name == "summary") && i < len(n.Rhs) {
						add(n.Rhs[i])
					}
				}
			case *ast.FuncDecl:
				checkNamedReturns(n, add)
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "stringSetting" && len(n.Elts) == 4 {
					add(n.Elts[2])
				}
			}
			return true
		})
	}
	if len(titles) < 30 {
		t.Fatalf("found only %d titles; the scan no longer sees how the code writes them", len(titles))
	}
	for _, title := range titles {
		if msg := titleCaseError(title); msg != "" && !strings.HasSuffix(title, " ") {
			t.Errorf("%s: diagnostic title %q is not in Title Case: %s", at[title], title, msg)
		}
	}
}

// checkNamedReturns adds the first result of every return in a function
// whose first result is named title or summary.
func checkNamedReturns(fn *ast.FuncDecl, add func(ast.Expr)) {
	res := fn.Type.Results
	if fn.Body == nil || res == nil || len(res.List) == 0 || len(res.List[0].Names) == 0 {
		return
	}
	if name := res.List[0].Names[0].Name; name != "title" && name != "summary" {
		return
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) > 0 {
			add(r.Results[0])
		}
		return true
	})
}

// literals returns the string literals an expression is built from: the
// expression itself, or the pieces of a concatenation.
func literals(e ast.Expr) []string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(e.Value); err == nil && e.Kind == token.STRING {
			return []string{s}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return append(literals(e.X), literals(e.Y)...)
		}
	}
	return nil
}
