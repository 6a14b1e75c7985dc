package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// The policy is read into a small ordered tree rather than into Go structs so
// that fields are seen in document order (the first error S3-style is the
// first one in the text), unknown fields can be named, and a key that occurs
// twice in one object can be refused instead of silently keeping the last.

type kind uint8

const (
	kString kind = iota + 1
	kNumber
	kBool
	kNull
	kArray
	kObject
)

type node struct {
	kind kind
	str  string // string value, number text, or "true"/"false"
	arr  []*node
	obj  []field
}

type field struct {
	key string
	val *node
}

// get returns the value of key in an object node, or nil.
func (n *node) get(key string) *node {
	for _, f := range n.obj {
		if f.key == key {
			return f.val
		}
	}
	return nil
}

// text renders a scalar for error messages; composite values render as their
// JSON kind.
func (n *node) text() string {
	switch n.kind {
	case kString, kNumber, kBool:
		return n.str
	case kNull:
		return "null"
	case kArray:
		return "[…]"
	default:
		return "{…}"
	}
}

// decodeTree parses doc, which json.Compact has already found to be one valid
// JSON value, into a tree. It fails only on a repeated key.
func decodeTree(doc []byte) (*node, *Error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, e := readValue(dec, doc, "")
	if e != nil {
		return nil, e
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, syntaxError(doc, dec.InputOffset())
	}
	return n, nil
}

func readValue(dec *json.Decoder, doc []byte, path string) (*node, *Error) {
	tok, err := dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, syntaxError(doc, se.Offset)
		}
		return nil, syntaxError(doc, dec.InputOffset())
	}
	switch t := tok.(type) {
	case string:
		return &node{kind: kString, str: t}, nil
	case json.Number:
		return &node{kind: kNumber, str: t.String()}, nil
	case bool:
		return &node{kind: kBool, str: strconv.FormatBool(t)}, nil
	case nil:
		return &node{kind: kNull}, nil
	case json.Delim:
		if t == '[' {
			n := &node{kind: kArray}
			for dec.More() {
				v, e := readValue(dec, doc, indexPath(path, len(n.arr)))
				if e != nil {
					return nil, e
				}
				n.arr = append(n.arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntaxError(doc, dec.InputOffset())
			}
			return n, nil
		}
		n := &node{kind: kObject}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, syntaxError(doc, dec.InputOffset())
			}
			key, _ := kt.(string)
			sub := joinPath(path, key)
			if n.get(key) != nil {
				// RFC 8259 §4 leaves repeated names to the implementation;
				// refusing them keeps the policy from meaning one thing to
				// a reader and another to the evaluator.
				return nil, newError(MsgInvalidJSON, sub, "duplicate key")
			}
			v, e := readValue(dec, doc, sub)
			if e != nil {
				return nil, e
			}
			n.obj = append(n.obj, field{key: key, val: v})
		}
		if _, err := dec.Token(); err != nil {
			return nil, syntaxError(doc, dec.InputOffset())
		}
		return n, nil
	}
	return nil, syntaxError(doc, dec.InputOffset())
}

// joinPath appends an object key to a path: Statement[0].Effect, or
// Condition.StringEquals["aws:SourceArn"] for keys that are not identifiers.
func joinPath(path, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// syntaxError reports invalid JSON at a byte offset as line and column.
func syntaxError(doc []byte, off int64) *Error {
	if off < 0 {
		off = 0
	}
	if off > int64(len(doc)) {
		off = int64(len(doc))
	}
	line, col := 1, 1
	for _, c := range doc[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return newError(MsgInvalidJSON, "offset "+strconv.FormatInt(off, 10)+
		" (line "+strconv.Itoa(line)+", column "+strconv.Itoa(col)+")", "")
}
