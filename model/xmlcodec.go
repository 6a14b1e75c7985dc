package model

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
	// Namespace is the XML namespace of every CloudFront 2020-05-31
	// response's root element.
	Namespace = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
	// XMLHeader starts every response body: declaration plus newline (§1).
	XMLHeader = `<?xml version="1.0"?>` + "\n"
	// timeFormat is how timestamps are emitted (§4).
	timeFormat = "2006-01-02T15:04:05.000Z"
)

// Node is a value of a model shape.
type Node struct {
	shape  ShapeID
	fields []*Node // structure: one per member, nil when absent
	items  []*Node // list
	text   string  // scalar, in canonical form
	raw    []byte  // if set, the element's canonical XML, emitted as is
}

// NewNode returns an empty value of shape sid.
func NewNode(sid ShapeID) *Node {
	n := &Node{shape: sid}
	if s := &shapes[sid]; s.kind == kindStructure {
		n.fields = make([]*Node, len(s.members))
	}
	return n
}

func (n *Node) sh() *shape { return &shapes[n.shape] }

// index returns the member index of name; a name the shape does not have
// is a programming error.
func (n *Node) index(name string) int {
	i := n.sh().memberIndex(name)
	if i < 0 {
		panic(fmt.Sprintf("model: shape %s has no member %s", n.sh().name, name))
	}
	return i
}

// Get returns the member called name, or nil if it is absent or n is nil.
func (n *Node) Get(name string) *Node {
	if n == nil || n.fields == nil {
		return nil
	}
	return n.fields[n.index(name)]
}

// Has reports whether member name is present.
func (n *Node) Has(name string) bool { return n.Get(name) != nil }

// Set sets member name to c and returns c.
func (n *Node) Set(name string, c *Node) *Node {
	n.fields[n.index(name)] = c
	return c
}

// Ensure returns member name, creating an empty value if it is absent.
func (n *Node) Ensure(name string) *Node {
	i := n.index(name)
	if n.fields[i] == nil {
		n.fields[i] = NewNode(n.sh().members[i].shape)
	}
	return n.fields[i]
}

// SetText sets scalar member name to text.
func (n *Node) SetText(name, text string) *Node {
	i := n.index(name)
	c := NewNode(n.sh().members[i].shape)
	c.text = text
	n.fields[i] = c
	return c
}

// SetBool sets boolean member name.
func (n *Node) SetBool(name string, v bool) { n.SetText(name, strconv.FormatBool(v)) }

// SetInt sets integer or long member name.
func (n *Node) SetInt(name string, v int64) { n.SetText(name, strconv.FormatInt(v, 10)) }

// SetTime sets timestamp member name, emitted in UTC to the millisecond.
func (n *Node) SetTime(name string, t time.Time) { n.SetText(name, t.UTC().Format(timeFormat)) }

// DefaultText sets scalar member name to text unless it is present.
func (n *Node) DefaultText(name, text string) {
	if !n.Has(name) {
		n.SetText(name, text)
	}
}

// Str returns scalar member name, "" when absent.
func (n *Node) Str(name string) string {
	if c := n.Get(name); c != nil {
		return c.text
	}
	return ""
}

// Bool returns boolean member name, false when absent.
func (n *Node) Bool(name string) bool { return n.Str(name) == "true" }

// Int returns integer or long member name and whether it is present.
func (n *Node) Int(name string) (int64, bool) {
	c := n.Get(name)
	if c == nil {
		return 0, false
	}
	v, err := strconv.ParseInt(c.text, 10, 64)
	return v, err == nil
}

// ItemsOf returns the items of the wrapper member name's Items list: for
// example n.ItemsOf("Origins") is the Origin values. Nil-safe.
func (n *Node) ItemsOf(name string) []*Node {
	w := n.Get(name)
	if w == nil {
		return nil
	}
	if l := w.Get("Items"); l != nil {
		return l.items
	}
	return nil
}

// TextsOf returns the texts of a wrapper's Items list of scalars.
func (n *Node) TextsOf(name string) []string {
	items := n.ItemsOf(name)
	if items == nil {
		return nil
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.text
	}
	return out
}

// SetQuantityItems fills a {Quantity, Items} wrapper with scalar items.
func (w *Node) SetQuantityItems(texts []string) {
	w.SetInt("Quantity", int64(len(texts)))
	if len(texts) == 0 {
		w.Set("Items", nil)
		return
	}
	l := w.Ensure("Items")
	l.items = l.items[:0]
	for _, t := range texts {
		l.items = append(l.items, &Node{shape: l.sh().item, text: t})
	}
}

// SetItems fills a {Quantity?, Items} wrapper with structure items.
func (w *Node) SetItems(items []*Node) {
	if w.sh().memberIndex("Quantity") >= 0 {
		w.SetInt("Quantity", int64(len(items)))
	}
	if len(items) == 0 {
		w.Set("Items", nil)
		return
	}
	w.Ensure("Items").items = items
}

// SetList sets list member name to scalar items; an empty list removes it.
func (n *Node) SetList(name string, texts []string) {
	if len(texts) == 0 {
		n.Set(name, nil)
		return
	}
	l := n.Ensure(name)
	l.items = l.items[:0]
	for _, t := range texts {
		l.items = append(l.items, &Node{shape: l.sh().item, text: t})
	}
}

// Text returns a scalar's text; "" for nil.
func (n *Node) Text() string {
	if n == nil {
		return ""
	}
	return n.text
}

// List returns a list's items; nil for nil.
func (n *Node) List() []*Node {
	if n == nil {
		return nil
	}
	return n.items
}

// Texts returns the texts of a list of scalars; nil for nil.
func (n *Node) Texts() []string {
	if n == nil || len(n.items) == 0 {
		return nil
	}
	out := make([]string, len(n.items))
	for i, it := range n.items {
		out[i] = it.text
	}
	return out
}

// RawNode returns a value of shape sid that is emitted as raw, an element
// already in canonical form without attributes (a stored
// DistributionConfig).
func RawNode(sid ShapeID, raw []byte) *Node { return &Node{shape: sid, raw: raw} }

// CopyMembersFrom sets each member of n that src's shape also has, under
// the same name and of the same shape (or both strings), to src's value;
// absent members of src are left alone. Summaries are built this way from
// the configurations they summarise.
func (n *Node) CopyMembersFrom(src *Node) {
	ss := src.sh()
	for i, m := range n.sh().members {
		j := ss.memberIndex(m.name)
		if j < 0 || src.fields[j] == nil {
			continue
		}
		c := src.fields[j]
		if c.shape != m.shape && !(shapes[c.shape].kind == kindString && shapes[m.shape].kind == kindString) {
			continue
		}
		n.fields[i] = c
	}
}

// ---- decoding ----

// Decode decodes body, whose root element must be rootName, as shape
// root. Syntax errors are MalformedInput; otherwise the first validation
// fault is returned (InvalidArgument, InconsistentQuantities or
// MalformedInput for structural misuse), after the whole document has been
// checked for well-formedness (control-api.md §10 check order).
func Decode(body []byte, root ShapeID, rootName string) (*Node, error) {
	return decode(body, root, rootName, true)
}

// decode is Decode; when strict is false, only syntax and structure
// errors fail and the model's value rules (types, enums, lengths, patterns,
// Quantity/Items, required members) are not applied, so that what a store
// holds is read as it was accepted (decodeStored).
func decode(body []byte, root ShapeID, rootName string, strict bool) (*Node, error) {
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
	if strict && dec.invalid != nil {
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
func (dec *decoder) decode(sid ShapeID, path string) (*Node, error) {
	switch shapes[sid].kind {
	case kindStructure:
		return dec.decodeStruct(sid, path)
	case kindList:
		return dec.decodeList(sid, path)
	}
	return dec.decodeScalar(sid, path)
}

func (dec *decoder) decodeStruct(sid ShapeID, path string) (*Node, error) {
	n := NewNode(sid)
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
func (dec *decoder) finishStruct(n *Node, path string) {
	s := n.sh()
	qi, ii := s.memberIndex("Quantity"), s.memberIndex("Items")
	if qi >= 0 && ii >= 0 && s.members[ii].shape != ShNone && shapes[s.members[ii].shape].kind == kindList {
		count := 0
		if l := n.fields[ii]; l != nil {
			count = len(l.items)
		}
		if q := n.fields[qi]; q == nil {
			n.SetInt("Quantity", int64(count))
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

func (dec *decoder) decodeList(sid ShapeID, path string) (*Node, error) {
	n := NewNode(sid)
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

func (dec *decoder) checkListSize(items []*Node, sid ShapeID, path string) {
	s := &shapes[sid]
	if s.min > 0 && len(items) < s.min {
		dec.fault("InvalidArgument", "%s must hold at least %d %s.", path, s.min, plural(s.min, s.itemName))
	}
	if s.max > 0 && len(items) > s.max {
		dec.fault("InvalidArgument", "%s may hold at most %d %s.", path, s.max, plural(s.max, s.itemName))
	}
}

func (dec *decoder) decodeScalar(sid ShapeID, path string) (*Node, error) {
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
			return &Node{shape: sid, text: c}, nil
		}
	}
}

// canonicalScalar checks text against shape sid and returns its canonical
// form, or a message saying what is wrong.
func canonicalScalar(sid ShapeID, text string) (string, string) {
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

var patterns sync.Map // ShapeID → *regexp.Regexp

// patternOf compiles the shape's pattern once. Smithy patterns are not
// anchored.
func patternOf(sid ShapeID) *regexp.Regexp {
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

// MarshalRoot returns the response body for n as root element name:
// declaration, newline, root with xmlns, no indentation (§1).
func MarshalRoot(name string, n *Node) []byte {
	b := make([]byte, 0, 512)
	b = append(b, XMLHeader...)
	return appendElement(b, name, n, true)
}

// marshalElement returns n's canonical XML without declaration or xmlns,
// the form a DistributionConfig is stored in.
func marshalElement(name string, n *Node) []byte {
	return appendElement(nil, name, n, false)
}

func appendElement(b []byte, name string, n *Node, root bool) []byte {
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
		b = append(b, ` xmlns="`+Namespace+`"`...)
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
		b = AppendEscaped(b, n.text)
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
	b = append(b, ` xmlns="`+Namespace+`"`...)
	return append(b, raw[i:]...)
}

// zeroNode is what a required member absent from a value is emitted as:
// never an empty number or boolean (§1, §13).
func zeroNode(sid ShapeID) *Node {
	n := NewNode(sid)
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

// AppendEscaped appends text escaped for XML character data: &, <, > and
// CR (which parsers would otherwise fold into LF). Characters XML 1.0 does
// not allow are replaced with U+FFFD. Newlines stay literal, as in the PEM
// of a public key (§3.1).
func AppendEscaped(b []byte, s string) []byte {
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
