// Package storetest is the conformance suite for keyfront.Store: what every
// implementation (sqlite/, and postgres/ to come) must do, written as tests
// each implementation runs from its own test package:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, o storetest.Options) keyfront.Store {
//			s, err := sqlite.OpenWith(t.Context(), filepath.Join(t.TempDir(), "keyfront.db"),
//				sqlite.Options{KeepRevisions: o.KeepRevisions})
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite pins down what the keyfront.Store and keyfront.Tx documentation
// says, and these points it leaves open:
//
//   - Lists are ordered by ID in byte order (Go's string comparison); a
//     Page.Marker need not be an existing ID. Invalidations are newest first
//     by CreateTime, then by ID descending; their Marker is an invalidation
//     ID, and one that names no invalidation of that distribution starts the
//     list from the newest.
//   - PutInvalidation and ListInvalidations return ENOTFOUND when the
//     distribution does not exist. PutDistribution on an existing ID keeps
//     the distribution's invalidations.
//   - Timestamps come back in UTC, within a millisecond of what was put
//     (times already on a millisecond come back equal).
//   - Distribution.Config comes back byte for byte, whatever the bytes.
//     Pointers (KeyGroup.Comment, Tag.Value) keep nil apart from a pointer
//     to "". Slices keep their order; a nil slice may come back empty and an
//     empty one nil.
//   - Put and Delete inside View fail, and write nothing.
//   - View sees one snapshot: commits made after its first read are
//     invisible to it (as under SQLite's WAL or PostgreSQL's REPEATABLE
//     READ), and neither other Views nor an Update in progress block it.
//   - An Update whose function returns an error or panics, or whose context
//     is cancelled before it commits, writes nothing; the error is returned
//     unchanged, the panic passed on, and cancellation satisfies
//     errors.Is(err, context.Canceled).
//   - Concurrent compare-and-swap Updates on one record: exactly one wins
//     per version, and no increment is lost.
//   - The change feed (keyfront.Revision): a store asked to keep K
//     revisions (Options.KeepRevisions) keeps the changes of at least the
//     last K and of none more than 2K behind, pruning by the time the
//     Update that leaves them behind commits. Revisions need not be
//     consecutive, but the suite asks from every revision and from the
//     numbers either side of each. Close ends the Waits in progress.
//   - Nodes are listed by ID like the other kinds; LastSeen is kept to the
//     millisecond.
//   - FindDistributions follows every Put and Delete of a distribution,
//     matches aliases without regard to ASCII case, and pages like the
//     lists.
//
// Durability across Close and a killed process depends on how a store is
// opened, so each implementation tests it in its own package.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"keyfront"
)

// Options are what a test asks of the store it opens.
type Options struct {
	// KeepRevisions, when not zero, asks for a store whose change log
	// keeps the changes of that many revisions (see the package
	// documentation); zero means the store's default.
	KeepRevisions int64
}

// Run runs the suite. open must return a new, empty store set up as o
// asks each time it is called, and arrange for it to be closed when t
// ends (t.Cleanup; the suite may have closed it already). Subtests may
// call open concurrently.
func Run(t *testing.T, openWith func(t *testing.T, o Options) keyfront.Store) {
	open := func(t *testing.T) keyfront.Store { return openWith(t, Options{}) }
	t.Run("PublicKey", func(t *testing.T) { testKind(t, open, publicKeys) })
	t.Run("KeyGroup", func(t *testing.T) { testKind(t, open, keyGroups) })
	t.Run("OriginAccessControl", func(t *testing.T) { testKind(t, open, originAccessControls) })
	t.Run("Distribution", func(t *testing.T) { testKind(t, open, distributions) })
	t.Run("FindDistributions", func(t *testing.T) { testFindDistributions(t, open) })
	t.Run("Invalidation", func(t *testing.T) { testInvalidations(t, open) })
	t.Run("Transaction", func(t *testing.T) { testTransactions(t, open) })
	t.Run("Objects", func(t *testing.T) { testObjects(t, open) })
	t.Run("Feed", func(t *testing.T) { testFeed(t, openWith) })
	t.Run("Node", func(t *testing.T) { testNodes(t, open) })
}

// update runs fn in s.Update and fails the test if it returns an error.
// The context has a deadline, so that a store that leaked its writer or
// deadlocked fails the test instead of hanging it.
func update(t *testing.T, s keyfront.Store, fn func(ctx context.Context, tx keyfront.Tx) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	if err := s.Update(ctx, func(tx keyfront.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// view runs fn in s.View and fails the test if it returns an error. Its
// context has a deadline, as update's does.
func view(t *testing.T, s keyfront.Store, fn func(ctx context.Context, tx keyfront.Tx) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLimit)
	defer cancel()
	if err := s.View(ctx, func(tx keyfront.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantCode fails the test unless err is a *keyfront.Error with that code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var kerr *keyfront.Error
	switch {
	case err == nil:
		t.Errorf("%s: error = nil, want code %q", what, code)
	case !errors.As(err, &kerr):
		t.Errorf("%s: error = %v (%T), want a *keyfront.Error with code %q", what, err, err, code)
	case kerr.Code != code:
		t.Errorf("%s: error = %v (code %q), want code %q", what, err, kerr.Code, code)
	}
}

// diff returns "" if got and want hold the same record, and otherwise both
// as JSON. A nil slice field and an empty one count as equal (see the
// package documentation); times count as equal when they are the same
// instant.
func diff(got, want any) string {
	g, w := render(got), render(want)
	if g == w {
		return ""
	}
	return "\n got: " + g + "\nwant: " + w
}

func render(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "nil"
		}
		rv = rv.Elem()
	}
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	if cp.Kind() == reflect.Struct {
		for i := range cp.NumField() {
			f := cp.Field(i)
			switch {
			case f.Kind() == reflect.Slice && f.IsNil():
				f.Set(reflect.MakeSlice(f.Type(), 0, 0))
			case f.Type() == reflect.TypeFor[time.Time]():
				f.Set(reflect.ValueOf(f.Interface().(time.Time).UTC()))
			}
		}
	}
	b, err := json.Marshal(cp.Interface())
	if err != nil {
		return "<" + err.Error() + ">"
	}
	// Config is the one []byte; base64 would hide what differs.
	if cfg := cp.FieldByName("Config"); cfg.IsValid() {
		return string(b) + " Config=" + jsonQuote(cfg.Bytes())
	}
	return string(b)
}

func jsonQuote(b []byte) string {
	q, _ := json.Marshal(string(b))
	return string(q)
}

func ptr[T any](v T) *T { return &v }

// base is the fixtures' clock: on a millisecond, in UTC, so that every
// store returns it exactly.
var base = time.Date(2024, time.May, 6, 7, 8, 9, 123_000_000, time.UTC)
