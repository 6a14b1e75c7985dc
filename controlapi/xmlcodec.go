package controlapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The model-driven XML codec. Requests are decoded into a tree of nodes
// guided by the shape table (order- and namespace-insensitive, unknown
// elements skipped, types, enums, lengths and Quantity/Items checked;
// control-api.md §1, §8), and responses are emitted from such trees in
// model member order with required members always present (§1, §13).

const (
	xmlNamespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
	// xmlHeader starts every response body: declaration plus newline (§1).
	xmlHeader = `<?xml version="1.0"?>` + "\n"
	// timeFormat is how timestamps are emitted (§4).
	timeFormat = "2006-01-02T15:04:05.000Z"
)

// node is a value of a model shape.
type node struct {
	shape  shapeID
	fields []*node // structure: one per member, nil when absent
	items  []*node // list
	text   string  // scalar, in canonical form
	raw    []byte  // if set, the element's canonical XML, emitted as is
}

// newNode returns an empty value of shape sid.
func newNode(sid shapeID) *node {
	n := &node{shape: sid}
	if s := &shapes[sid]; s.kind == kindStructure {
		n.fields = make([]*node, len(s.members))
	}
	return n
}

func (n *node) sh() *shape { return &shapes[n.shape] }

// index returns the member index of name; a name the shape does not have
// is a programming error.
func (n *node) index(name string) int {
	i := n.sh().memberIndex(name)
	if i < 0 {
		panic(fmt.Sprintf("controlapi: shape %s has no member %s", n.sh().name, name))
	}
	return i
}

// get returns the member called name, or nil if it is absent or n is nil.
func (n *node) get(name string) *node {
	if n == nil || n.fields == nil {
		return nil
	}
	return n.fields[n.index(name)]
}

// has reports whether member name is present.
func (n *node) has(name string) bool { return n.get(name) != nil }

// set sets member name to c and returns c.
func (n *node) set(name string, c *node) *node {
	n.fields[n.index(name)] = c
	return c
}

// ensure returns member name, creating an empty value if it is absent.
func (n *node) ensure(name string) *node {
	i := n.index(name)
	if n.fields[i] == nil {
		n.fields[i] = newNode(n.sh().members[i].shape)
	}
	return n.fields[i]
}

// setText sets scalar member name to text.
func (n *node) setText(name, text string) *node {
	i := n.index(name)
	c := newNode(n.sh().members[i].shape)
	c.text = text
	n.fields[i] = c
	return c
}

func (n *node) setBool(name string, v bool)      { n.setText(name, strconv.FormatBool(v)) }
func (n *node) setInt(name string, v int64)      { n.setText(name, strconv.FormatInt(v, 10)) }
func (n *node) setTime(name string, t time.Time) { n.setText(name, t.UTC().Format(timeFormat)) }

// defaultText sets scalar member name to text unless it is present.
func (n *node) defaultText(name, text string) {
	if !n.has(name) {
		n.setText(name, text)
	}
}

// str returns scalar member name, "" when absent.
func (n *node) str(name string) string {
	if c := n.get(name); c != nil {
		return c.text
	}
	return ""
}

// boolean returns boolean member name, false when absent.
func (n *node) boolean(name string) bool { return n.str(name) == "true" }

// integer returns integer or long member name and whether it is present.
func (n *node) integer(name string) (int64, bool) {
	c := n.get(name)
	if c == nil {
		return 0, false
	}
	v, err := strconv.ParseInt(c.text, 10, 64)
	return v, err == nil
}

// itemsOf returns the items of the wrapper member name's Items list: for
// example n.itemsOf("Origins") is the Origin values. Nil-safe.
func (n *node) itemsOf(name string) []*node {
	w := n.get(name)
	if w == nil {
		return nil
	}
	if l := w.get("Items"); l != nil {
		return l.items
	}
	return nil
}

// textsOf returns the texts of a wrapper's Items list of scalars.
func (n *node) textsOf(name string) []string {
	items := n.itemsOf(name)
	if items == nil {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.text
	}
	return out
}

// setQuantityItems fills a {Quantity, Items} wrapper with scalar items.
func setQuantityItems(w *node, texts []string) {
	w.setInt("Quantity", int64(len(texts)))
	if len(texts) == 0 {
		w.set("Items", nil)
		return
	}
	l := w.ensure("Items")
	l.items = l.items[:0]
	for _, t := range texts {
		l.items = append(l.items, &node{shape: l.sh().item, text: t})
	}
}

// setItems fills a {Quantity?, Items} wrapper with structure items.
func setItems(w *node, items []*node) {
	if w.sh().memberIndex("Quantity") >= 0 {
		w.setInt("Quantity", int64(len(items)))
	}
	if len(items) == 0 {
		w.set("Items", nil)
		return
	}
	w.ensure("Items").items = items
}

// ---- decoding ----

// decodeXML decodes body, whose root element must be rootName, as shape
// root. Syntax errors are MalformedInput; otherwise the first validation
// fault is returned (InvalidArgument, InconsistentQuantities or
// MalformedInput for structural misuse), after the whole document has been
// checked for well-formedness (control-api.md §10 check order).
func decodeXML(body []byte, root shapeID, rootName string) (*node, error) {
	dec := &decoder{d: xml.NewDecoder(bytes.NewReader(body))}
	dec.d.Strict = true
	var start xml.StartElement
	for {
		tok, err := dec.d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, errorf("MalformedInput", "The request body holds no XML element; expected <%s>.", rootName)
			}
			return nil, malformed(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			start = se
			break
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			return nil, errorf("MalformedInput", "Unexpected text before the root element <%s>.", rootName)
		}
	}
	if start.Name.Local != rootName {
		return nil, errorf("MalformedInput", "Unexpected root element <%s>; this operation takes <%s>.", start.Name.Local, rootName)
	}
	n, err := dec.decode(root, rootName)
	if err != nil {
		return nil, err
	}
	for {
		tok, err := dec.d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return nil, errorf("MalformedInput", "Unexpected element <%s> after the root element.", t.Name.Local)
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, errorf("MalformedInput", "Unexpected text after the root element.")
			}
		}
	}
	if dec.invalid != nil {
		return nil, dec.invalid
	}
	return n, nil
}

func malformed(err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return errorf("MalformedInput", "The XML you provided was not well-formed: line %d: %s.", se.Line, se.Msg)
	}
	return errorf("MalformedInput", "The XML you provided was not well-formed: %v.", err)
}

type decoder struct {
	d *xml.Decoder
	// invalid is the first validation fault; decoding goes on so that a
	// later syntax error still wins.
	invalid error
}

func (dec *decoder) fault(code, format string, args ...any) {
	if dec.invalid == nil {
		dec.invalid = errorf(code, format, args...)
	}
}

// decode decodes the element whose start tag was just read as shape sid.
// path names the element for messages ("DistributionConfig.Origins.Items[0].Id").
func (dec *decoder) decode(sid shapeID, path string) (*node, error) {
	switch shapes[sid].kind {
	case kindStructure:
		return dec.decodeStruct(sid, path)
	case kindList:
		return dec.decodeList(sid, path)
	}
	return dec.decodeScalar(sid, path)
}

func (dec *decoder) decodeStruct(sid shapeID, path string) (*node, error) {
	n := newNode(sid)
	s := &shapes[sid]
	for {
		tok, err := dec.d.Token()
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			i := s.memberIndex(t.Name.Local)
			if i < 0 {
				// Unknown elements are ignored (§1).
				if err := dec.d.Skip(); err != nil {
					return nil, malformed(err)
				}
				continue
			}
			m := s.members[i]
			c, err := dec.decode(m.shape, path+"."+m.name)
			if err != nil {
				return nil, err
			}
			if n.fields[i] != nil {
				dec.fault("MalformedInput", "%s.%s appears more than once.", path, m.name)
			}
			n.fields[i] = c
		case xml.EndElement:
			dec.finishStruct(n, path)
			return n, nil
		}
	}
}

// finishStruct fills a missing Quantity from its Items, checks the pair,
// and checks required members (§8).
func (dec *decoder) finishStruct(n *node, path string) {
	s := n.sh()
	qi, ii := s.memberIndex("Quantity"), s.memberIndex("Items")
	if qi >= 0 && ii >= 0 && s.members[ii].shape != shNone && shapes[s.members[ii].shape].kind == kindList {
		count := 0
		if l := n.fields[ii]; l != nil {
			count = len(l.items)
		}
		if q := n.fields[qi]; q == nil {
			n.setInt("Quantity", int64(count))
		} else if v, err := strconv.ParseInt(q.text, 10, 64); err == nil && v != int64(count) {
			dec.fault("InconsistentQuantities", "The value of Quantity and the size of Items don't match: %s.Quantity is %d but %s.Items holds %d %s.",
				path, v, path, count, plural(count, shapes[s.members[ii].shape].itemName))
		}
	}
	for i, m := range s.members {
		if !m.required || n.fields[i] != nil {
			continue
		}
		if shapes[m.shape].kind == kindList {
			// An absent list is an empty one; its size is checked below.
			dec.checkListSize(nil, m.shape, path+"."+m.name)
			continue
		}
		dec.fault("InvalidArgument", "%s.%s is required.", path, m.name)
	}
}

func plural(n int, item string) string {
	if n == 1 {
		return item
	}
	return item + " elements"
}

func (dec *decoder) decodeList(sid shapeID, path string) (*node, error) {
	n := newNode(sid)
	s := &shapes[sid]
	for {
		tok, err := dec.d.Token()
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != s.itemName {
				if err := dec.d.Skip(); err != nil {
					return nil, malformed(err)
				}
				continue
			}
			c, err := dec.decode(s.item, fmt.Sprintf("%s[%d]", path, len(n.items)))
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, c)
		case xml.EndElement:
			dec.checkListSize(n.items, sid, path)
			return n, nil
		}
	}
}

func (dec *decoder) checkListSize(items []*node, sid shapeID, path string) {
	s := &shapes[sid]
	if s.min > 0 && len(items) < s.min {
		dec.fault("InvalidArgument", "%s must hold at least %d %s.", path, s.min, plural(s.min, s.itemName))
	}
	if s.max > 0 && len(items) > s.max {
		dec.fault("InvalidArgument", "%s may hold at most %d %s.", path, s.max, plural(s.max, s.itemName))
	}
}

func (dec *decoder) decodeScalar(sid shapeID, path string) (*node, error) {
	var text []byte
	for {
		tok, err := dec.d.Token()
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			text = append(text, t...)
		case xml.StartElement:
			dec.fault("MalformedInput", "%s must hold text, not the element <%s>.", path, t.Name.Local)
			if err := dec.d.Skip(); err != nil {
				return nil, malformed(err)
			}
		case xml.EndElement:
			c, msg := canonicalScalar(sid, string(text))
			if msg != "" {
				dec.fault("InvalidArgument", "%s: %s", path, msg)
			}
			return &node{shape: sid, text: c}, nil
		}
	}
}

// canonicalScalar checks text against shape sid and returns its canonical
// form, or a message saying what is wrong.
func canonicalScalar(sid shapeID, text string) (string, string) {
	s := &shapes[sid]
	switch s.kind {
	case kindBoolean:
		v, err := strconv.ParseBool(strings.TrimSpace(text))
		if err != nil {
			return text, fmt.Sprintf("%q is not a boolean; use true or false.", text)
		}
		return strconv.FormatBool(v), ""
	case kindInteger, kindLong:
		bits := 32
		if s.kind == kindLong {
			bits = 64
		}
		v, err := strconv.ParseInt(strings.TrimSpace(text), 10, bits)
		if err != nil {
			return text, fmt.Sprintf("%q is not a %d-bit integer.", text, bits)
		}
		return strconv.FormatInt(v, 10), ""
	case kindTimestamp:
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(text))
		if err != nil {
			return text, fmt.Sprintf("%q is not an ISO 8601 timestamp.", text)
		}
		return t.UTC().Format(timeFormat), ""
	}
	if len(s.enum) > 0 && !contains(s.enum, text) {
		return text, fmt.Sprintf("%q is not one of %s.", text, strings.Join(s.enum, ", "))
	}
	n := utf8.RuneCountInString(text)
	if s.min > 0 && n < s.min {
		return text, fmt.Sprintf("%q is shorter than %d characters.", text, s.min)
	}
	if s.max > 0 && n > s.max {
		return text, fmt.Sprintf("the value is longer than %d characters.", s.max)
	}
	if s.pattern != "" && !patternOf(sid).MatchString(text) {
		return text, fmt.Sprintf("%q does not match the pattern %s.", text, s.pattern)
	}
	return text, ""
}

var patterns sync.Map // shapeID → *regexp.Regexp

// patternOf compiles the shape's pattern once. Smithy patterns are not
// anchored.
func patternOf(sid shapeID) *regexp.Regexp {
	if re, ok := patterns.Load(sid); ok {
		return re.(*regexp.Regexp)
	}
	re := regexp.MustCompile(shapes[sid].pattern)
	patterns.Store(sid, re)
	return re
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ---- emitting ----

// marshalRoot returns the response body for n as root element name:
// declaration, newline, root with xmlns, no indentation (§1).
func marshalRoot(name string, n *node) []byte {
	b := make([]byte, 0, 512)
	b = append(b, xmlHeader...)
	return appendElement(b, name, n, true)
}

// marshalElement returns n's canonical XML without declaration or xmlns,
// the form a DistributionConfig is stored in.
func marshalElement(name string, n *node) []byte {
	return appendElement(nil, name, n, false)
}

func appendElement(b []byte, name string, n *node, root bool) []byte {
	if n.raw != nil {
		if root {
			return withNamespace(b, n.raw)
		}
		return append(b, n.raw...)
	}
	s := n.sh()
	if s.kind == kindList {
		if len(n.items) == 0 {
			return b // empty lists are omitted, never <Items/> (§8)
		}
	}
	b = append(b, '<')
	b = append(b, name...)
	if root {
		b = append(b, ` xmlns="`+xmlNamespace+`"`...)
	}
	b = append(b, '>')
	switch s.kind {
	case kindStructure:
		for i, m := range s.members {
			c := n.fields[i]
			if c == nil {
				if !m.required {
					continue
				}
				c = zeroNode(m.shape)
			}
			b = appendElement(b, m.name, c, false)
		}
	case kindList:
		for _, it := range n.items {
			b = appendElement(b, s.itemName, it, false)
		}
	default:
		b = appendEscaped(b, n.text)
	}
	b = append(b, "</"...)
	b = append(b, name...)
	return append(b, '>')
}

// withNamespace appends element raw (which has no attributes on its start
// tag) with the xmlns attribute added.
func withNamespace(b, raw []byte) []byte {
	i := bytes.IndexByte(raw, '>')
	if i < 0 || bytes.IndexByte(raw[:i], ' ') >= 0 {
		return append(b, raw...)
	}
	b = append(b, raw[:i]...)
	b = append(b, ` xmlns="`+xmlNamespace+`"`...)
	return append(b, raw[i:]...)
}

// zeroNode is what a required member absent from a value is emitted as:
// never an empty number or boolean (§1, §13).
func zeroNode(sid shapeID) *node {
	n := newNode(sid)
	switch shapes[sid].kind {
	case kindBoolean:
		n.text = "false"
	case kindInteger, kindLong:
		n.text = "0"
	case kindTimestamp:
		n.text = time.Unix(0, 0).UTC().Format(timeFormat)
	}
	return n
}

// appendEscaped appends text escaped for XML character data: &, <, > and
// CR (which parsers would otherwise fold into LF). Characters XML 1.0 does
// not allow are replaced with U+FFFD. Newlines stay literal, as in the PEM
// of a public key (§3.1).
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '\r':
			b = append(b, "&#xD;"...)
		case r == utf8.RuneError && size == 1, !xmlChar(r):
			b = append(b, "\uFFFD"...)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
