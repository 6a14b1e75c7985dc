package model

//go:generate go run ./internal/genshapes -o shapes_gen.go

// ShapeID names a shape of the AWS API model: an index into shapes, the table genshapes writes from the AWS API model.
type ShapeID uint16

// shapeKind is a model shape's type.
type shapeKind uint8

const (
	kindStructure shapeKind = iota + 1
	kindList
	kindString
	kindBoolean
	kindInteger
	kindLong
	kindTimestamp
)

// member is one member of a structure: its XML element name, its shape and
// whether the model requires it.
type member struct {
	name     string
	shape    ShapeID
	required bool
}

// shape is one model shape. For lists, item is the shape of the repeated
// element and itemName its XML name; min and max bound a string's length
// or a list's size (max 0: unbounded); pattern is the model's regular
// expression, unanchored as in Smithy.
type shape struct {
	name     string
	kind     shapeKind
	members  []member
	item     ShapeID
	itemName string
	enum     []string
	min, max int
	pattern  string
}

// memberIndex returns the index of the member with XML name name, or -1.
func (s *shape) memberIndex(name string) int {
	for i := range s.members {
		if s.members[i].name == name {
			return i
		}
	}
	return -1
}
