// Command genshapes writes the model package's shape table: the XML shapes
// of the CloudFront 2020-05-31 operations keyfront serves, and the HTTP
// status of every error the model defines, read from the AWS API model that botocore
// ships (control-api.md §0). Run it through go generate in model:
//
//	go generate ./model
//
// The model is found with python3 (the botocore package's data directory)
// unless -model names the service-2.json(.gz) file. The output is committed
// so that builds need neither python nor botocore.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// operations are the operations whose request and response payloads the
// table covers (control-api.md §2).
var operations = []string{
	"CreatePublicKey", "GetPublicKey", "GetPublicKeyConfig", "ListPublicKeys", "UpdatePublicKey", "DeletePublicKey",
	"CreateKeyGroup", "GetKeyGroup", "GetKeyGroupConfig", "ListKeyGroups", "UpdateKeyGroup", "DeleteKeyGroup",
	"CreateDistribution", "CreateDistributionWithTags", "GetDistribution", "GetDistributionConfig",
	"ListDistributions", "UpdateDistribution", "DeleteDistribution", "ListDistributionsByKeyGroup",
	"CreateOriginAccessControl", "GetOriginAccessControl", "GetOriginAccessControlConfig",
	"ListOriginAccessControls", "UpdateOriginAccessControl", "DeleteOriginAccessControl",
	"CreateInvalidation", "GetInvalidation", "ListInvalidations",
	"ListTagsForResource", "TagResource", "UntagResource",
}

// modelShape is the part of a model shape the table needs. Members keeps
// the model's member order, which json.Unmarshal into a map would lose.
type modelShape struct {
	Type     string
	Required []string
	Members  []modelMember
	Member   *modelMember // lists
	Enum     []string
	Min, Max *float64
	Pattern  string
	Error    *struct{ HTTPStatusCode int }
	Exc      bool
}

type modelMember struct {
	Name         string
	Shape        string
	LocationName string
	Location     string
}

func main() {
	modelPath := flag.String("model", "", "botocore cloudfront 2020-05-31 service-2.json(.gz); default: found with python3")
	out := flag.String("o", "shapes_gen.go", "output file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("genshapes: ")

	if *modelPath == "" {
		p, err := findModel()
		if err != nil {
			log.Fatal(err)
		}
		*modelPath = p
	}
	raw, err := readModel(*modelPath)
	if err != nil {
		log.Fatal(err)
	}
	src, err := generate(raw)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
}

func findModel() (string, error) {
	cmd := exec.Command("python3", "-c", "import botocore,os;print(os.path.dirname(botocore.__file__))")
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("locating botocore with python3 (pass -model instead): %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(b)), "data", "cloudfront", "2020-05-31", "service-2.json.gz"), nil
}

func readModel(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return io.ReadAll(zr)
	}
	return b, nil
}

func generate(raw []byte) ([]byte, error) {
	var model struct {
		Metadata   struct{ APIVersion, Protocol string }
		Operations map[string]struct {
			HTTP   struct{ Method, RequestURI string }
			Input  *struct{ Shape string }
			Output *struct{ Shape string }
		}
		Shapes map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &model); err != nil {
		return nil, err
	}
	if model.Metadata.APIVersion != "2020-05-31" || model.Metadata.Protocol != "rest-xml" {
		return nil, fmt.Errorf("model is %s/%s, want 2020-05-31/rest-xml", model.Metadata.APIVersion, model.Metadata.Protocol)
	}
	shapes := map[string]*modelShape{}
	for name, r := range model.Shapes {
		s, err := parseShape(r)
		if err != nil {
			return nil, fmt.Errorf("shape %s: %v", name, err)
		}
		shapes[name] = s
	}

	// Roots: the payload members of each operation's input and output.
	var roots []string
	for _, op := range operations {
		o, ok := model.Operations[op]
		if !ok {
			return nil, fmt.Errorf("operation %s not in the model", op)
		}
		for _, io := range []*struct{ Shape string }{o.Input, o.Output} {
			if io == nil {
				continue
			}
			st := shapes[io.Shape]
			for _, m := range st.Members {
				if m.Location == "" {
					roots = append(roots, m.Shape)
				}
			}
		}
	}
	reach := map[string]bool{}
	var walk func(string) error
	walk = func(n string) error {
		if reach[n] {
			return nil
		}
		s, ok := shapes[n]
		if !ok {
			return fmt.Errorf("shape %s not in the model", n)
		}
		reach[n] = true
		switch s.Type {
		case "structure":
			for _, m := range s.Members {
				if err := walk(m.Shape); err != nil {
					return err
				}
			}
		case "list":
			return walk(s.Member.Shape)
		case "string", "boolean", "integer", "long", "timestamp":
		default:
			return fmt.Errorf("shape %s has type %s, which the codec does not handle", n, s.Type)
		}
		return nil
	}
	for _, r := range roots {
		if err := walk(r); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(reach))
	for n := range reach {
		names = append(names, n)
	}
	sort.Strings(names)

	sum := sha256.Sum256(raw)
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by genshapes from the AWS API model of CloudFront 2020-05-31 (botocore service-2.json, sha256 %s). DO NOT EDIT.\n\n", hex.EncodeToString(sum[:8]))
	b.WriteString("package model\n\n")
	b.WriteString("// Shape IDs, one per shape reachable from the payloads of the operations\n// keyfront serves.\nconst (\n\tShNone ShapeID = iota\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%s\n", ident(n))
	}
	b.WriteString(")\n\n")
	b.WriteString("// shapes is the table the XML codec walks, indexed by ShapeID. Members are\n// in model order.\nvar shapes = [...]shape{\n")
	for _, n := range names {
		s := shapes[n]
		fmt.Fprintf(&b, "\t%s: {name: %q, kind: %s", ident(n), n, kindName(s.Type))
		switch s.Type {
		case "structure":
			req := map[string]bool{}
			for _, r := range s.Required {
				req[r] = true
			}
			b.WriteString(", members: []member{")
			for i, m := range s.Members {
				if i > 0 {
					b.WriteString(", ")
				}
				xmlName := m.Name
				if m.LocationName != "" {
					xmlName = m.LocationName
				}
				fmt.Fprintf(&b, "{%q, %s, %v}", xmlName, ident(m.Shape), req[m.Name])
			}
			b.WriteString("}")
		case "list":
			itemName := s.Member.LocationName
			if itemName == "" {
				itemName = "member" // rest-xml default
			}
			fmt.Fprintf(&b, ", item: %s, itemName: %q", ident(s.Member.Shape), itemName)
		}
		if len(s.Enum) > 0 {
			b.WriteString(", enum: []string{")
			for i, e := range s.Enum {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(strconv.Quote(e))
			}
			b.WriteString("}")
		}
		if s.Min != nil && *s.Min > 0 {
			fmt.Fprintf(&b, ", min: %d", int(*s.Min))
		}
		if s.Max != nil {
			fmt.Fprintf(&b, ", max: %d", int(*s.Max))
		}
		if s.Pattern != "" {
			fmt.Fprintf(&b, ", pattern: %q", s.Pattern)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")

	var errNames []string
	for n, s := range shapes {
		if s.Exc && s.Error != nil {
			errNames = append(errNames, n)
		}
	}
	sort.Strings(errNames)
	b.WriteString("// ErrorStatus is the HTTP status of every error the model defines.\nvar ErrorStatus = map[string]int{\n")
	for _, n := range errNames {
		fmt.Fprintf(&b, "\t%q: %d,\n", n, shapes[n].Error.HTTPStatusCode)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

func ident(name string) string {
	return "Sh" + strings.ToUpper(name[:1]) + name[1:]
}

func kindName(t string) string {
	return map[string]string{
		"structure": "kindStructure", "list": "kindList", "string": "kindString",
		"boolean": "kindBoolean", "integer": "kindInteger", "long": "kindLong", "timestamp": "kindTimestamp",
	}[t]
}

// parseShape decodes one shape, keeping the order of its members.
func parseShape(raw json.RawMessage) (*modelShape, error) {
	var s struct {
		Type      string
		Required  []string
		Member    *modelMember
		Enum      []string
		Min, Max  *float64
		Pattern   string
		Error     *struct{ HTTPStatusCode int }
		Exception bool
		Members   json.RawMessage
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	out := &modelShape{Type: s.Type, Required: s.Required, Member: s.Member, Enum: s.Enum,
		Min: s.Min, Max: s.Max, Pattern: s.Pattern, Error: s.Error, Exc: s.Exception}
	if len(s.Members) == 0 {
		return out, nil
	}
	d := json.NewDecoder(bytes.NewReader(s.Members))
	if _, err := d.Token(); err != nil { // {
		return nil, err
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return nil, err
		}
		var m modelMember
		if err := d.Decode(&m); err != nil {
			return nil, err
		}
		m.Name = t.(string)
		out.Members = append(out.Members, m)
	}
	return out, nil
}
