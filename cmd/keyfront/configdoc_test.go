package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/configuration.md from the Config struct")

// TestConfigurationDoc checks that docs/configuration.md is exactly what
// the Config struct, its defaults, the KEYFRONT_* variables and serve's
// flags say; run `go test ./cmd/keyfront -run ConfigurationDoc -update-docs`
// after changing them.
func TestConfigurationDoc(t *testing.T) {
	got := configurationDoc(t)
	path := filepath.Join("..", "..", "docs", "configuration.md")
	if *updateDocs {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with -update-docs)", err)
	}
	if got != string(want) {
		t.Errorf("docs/configuration.md is out of date with cmd/keyfront/config.go: run go test ./cmd/keyfront -run ConfigurationDoc -update-docs")
	}
}

// configurationDoc renders the reference from config.go's doc comments and
// the live defaults, variables and flags.
func configurationDoc(t *testing.T) string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "config.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]string{} // Go field name → doc comment
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "Config" {
			return true
		}
		var last string
		for _, field := range ts.Type.(*ast.StructType).Fields.List {
			doc := strings.Join(strings.Fields(field.Doc.Text()), " ")
			if doc == "" {
				doc = last // fields declared in a group share the comment above them
			}
			last = doc
			for _, name := range field.Names {
				docs[name.Name] = doc
			}
		}
		return false
	})
	env := map[string]string{}
	for _, e := range envVars {
		var probe Config
		e.set(&probe, "x")
		for i, v := 0, reflect.ValueOf(probe); i < v.NumField(); i++ {
			if !v.Field(i).IsZero() {
				env[reflect.TypeOf(probe).Field(i).Name] = e.name
			}
		}
	}
	flags := map[string]string{}
	for _, fl := range serveFlags {
		var probe Config
		fl.set(&probe, "x")
		for i, v := 0, reflect.ValueOf(probe); i < v.NumField(); i++ {
			if !v.Field(i).IsZero() {
				flags[reflect.TypeOf(probe).Field(i).Name] = "--" + fl.name
			}
		}
	}

	var b strings.Builder
	b.WriteString("# Configuration\n\n")
	b.WriteString("<!-- Generated from cmd/keyfront/config.go by TestConfigurationDoc; do not edit. -->\n\n")
	b.WriteString("`keyfront serve` takes each setting from, in order of precedence: its flag, its\n")
	b.WriteString("`KEYFRONT_*` environment variable, the YAML file named by `--config` (unknown keys\n")
	b.WriteString("are errors), and the default below.\n\n")
	b.WriteString("| config key | flag | environment | default | meaning |\n|---|---|---|---|---|\n")
	def := reflect.ValueOf(defaultConfig())
	typ := def.Type()
	for i := 0; i < typ.NumField(); i++ {
		fd := typ.Field(i)
		key := strings.Split(fd.Tag.Get("yaml"), ",")[0]
		val := def.Field(i)
		dflt := "—"
		switch {
		case fd.Type.Kind() == reflect.Struct:
			dflt = "CloudFront's quotas"
		case !val.IsZero() && fd.Type.Kind() == reflect.Slice:
			dflt = "`" + strings.Join(val.Interface().([]string), ",") + "`"
		case !val.IsZero():
			dflt = fmt.Sprintf("`%v`", val.Interface())
		}
		cell := func(s string) string {
			if s == "" {
				return "—"
			}
			return "`" + s + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", key, cell(flags[fd.Name]), cell(env[fd.Name]), dflt, docs[fd.Name])
	}
	b.WriteString("\n`quotas` has the keys `public_keys`, `key_groups`, `distributions` and\n")
	b.WriteString("`distributions_per_key_group`; 0 keeps CloudFront's limit.\n\n")
	b.WriteString("`--demo` (flag only) sets up a demonstration distribution on first start; see the README.\n")
	return b.String()
}
