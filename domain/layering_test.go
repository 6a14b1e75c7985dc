package domain_test

import (
	"go/build"
	"slices"
	"strings"
	"testing"
)

// planes are the packages that serve a protocol. No plane imports
// another, and the packages below them import none (DESIGN.md, "The store
// is the only channel between planes"; STYLE.md: if two planes need it,
// it is not in either).
var planes = []string{"keyfront/controlapi", "keyfront/edge", "keyfront/s3"}

// deps returns every keyfront package that path imports, directly or not,
// tests excluded.
func deps(tb testing.TB, path string) []string {
	tb.Helper()
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		pkg, err := build.Import(p, ".", 0)
		if err != nil {
			tb.Fatalf("importing %s: %v", p, err)
		}
		for _, imp := range pkg.Imports {
			if (imp == "keyfront" || strings.HasPrefix(imp, "keyfront/")) && !seen[imp] {
				seen[imp] = true
				walk(imp)
			}
		}
	}
	walk(path)
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

func TestNoPlaneImportsAnother(t *testing.T) {
	for _, pkg := range append([]string{"keyfront/model", "keyfront/domain"}, planes...) {
		t.Run(pkg, func(t *testing.T) {
			for _, dep := range deps(t, pkg) {
				if slices.Contains(planes, dep) {
					t.Errorf("%s imports the plane %s", pkg, dep)
				}
			}
		})
	}
}
