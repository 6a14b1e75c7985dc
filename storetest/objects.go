package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"keyfront"
)

// testObjects runs the keyfront.ObjectTx tests, or skips them when the
// store's transactions do not implement it (a configuration-only store).
//
// What they pin down beyond the interface's documentation: keys are
// ordered and compared as bytes, so "a/" < "a0" < "b" < "é"; ObjectQuery's
// After is exclusive and may name no object; a nil and an empty Metadata
// map are the same; DeleteUpload takes the upload's parts with it;
// PutBucket on an existing bucket keeps its objects.
func testObjects(t *testing.T, open func(*testing.T) keyfront.Store) {
	s := open(t)
	supported := true
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		_, supported = tx.(keyfront.ObjectTx)
		return nil
	})
	if !supported {
		t.Skip("the store's Tx does not implement keyfront.ObjectTx")
	}
	t.Run("Bucket", func(t *testing.T) { testBuckets(t, open(t)) })
	t.Run("Object", func(t *testing.T) { testObjectRecords(t, open(t)) })
	t.Run("ObjectList", func(t *testing.T) { testObjectList(t, open(t)) })
	t.Run("Upload", func(t *testing.T) { testUploads(t, open(t)) })
	t.Run("BodiesInUse", func(t *testing.T) { testBodiesInUse(t, open(t)) })
}

// oupdate and oview are update and view for an ObjectTx.
func oupdate(t *testing.T, s keyfront.Store, fn func(ctx context.Context, tx keyfront.ObjectTx) error) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return fn(ctx, tx.(keyfront.ObjectTx)) })
}

func oview(t *testing.T, s keyfront.Store, fn func(ctx context.Context, tx keyfront.ObjectTx) error) {
	t.Helper()
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error { return fn(ctx, tx.(keyfront.ObjectTx)) })
}

func bucket(name string) *keyfront.Bucket {
	return &keyfront.Bucket{Name: name, CreationDate: base, Region: "us-east-1"}
}

func object(bucket, key string, i int) *keyfront.Object {
	return &keyfront.Object{
		Bucket: bucket, Key: key, BodyID: fmt.Sprintf("body-%s-%d", key, i), Size: int64(100 + i),
		ETag: fmt.Sprintf("%032x", i), LastModified: base.Add(time.Duration(i) * time.Second),
		Headers: keyfront.ObjectHeaders{ContentType: "text/plain"},
	}
}

// normObject makes a nil and an empty Metadata or PartSizes compare
// equal.
func normObject(o *keyfront.Object) *keyfront.Object {
	if o == nil {
		return nil
	}
	c := *o
	if len(c.Headers.Metadata) == 0 {
		c.Headers.Metadata = nil
	}
	if len(c.PartSizes) == 0 {
		c.PartSizes = nil
	}
	return &c
}

func keysOf(objs []*keyfront.Object) []string {
	return idsOf(objs, func(o *keyfront.Object) string { return o.Key })
}

func testBuckets(t *testing.T, s keyfront.Store) {
	withPolicy := bucket("policy-bucket")
	withPolicy.Policy = []byte(`{"Version":"2012-10-17","Statement":[]}` + "\n\x00\xff")
	withPolicy.Region = "eu-west-3"
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		return errors.Join(tx.PutBucket(ctx, bucket("b-2")), tx.PutBucket(ctx, bucket("a-1")), tx.PutBucket(ctx, withPolicy))
	})
	oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		got, err := tx.GetBucket(ctx, withPolicy.Name)
		if err != nil {
			return err
		}
		if d := diff(got, withPolicy); d != "" {
			t.Errorf("bucket with policy: %s", d)
		}
		got, err = tx.GetBucket(ctx, "a-1")
		if err != nil {
			return err
		}
		if got.Policy != nil {
			t.Errorf("bucket without policy: Policy = %q, want nil", got.Policy)
		}
		all, err := tx.ListBuckets(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		names := idsOf(all, func(b *keyfront.Bucket) string { return b.Name })
		if want := []string{"a-1", "b-2", "policy-bucket"}; !slices.Equal(names, want) {
			t.Errorf("ListBuckets = %q, want %q", names, want)
		}
		page, err := tx.ListBuckets(ctx, keyfront.Page{Marker: "a-1", Limit: 1})
		if err != nil {
			return err
		}
		if names := idsOf(page, func(b *keyfront.Bucket) string { return b.Name }); !slices.Equal(names, []string{"b-2"}) {
			t.Errorf("ListBuckets after a-1, limit 1 = %q", names)
		}
		_, err = tx.GetBucket(ctx, "missing")
		wantCode(t, "GetBucket missing", err, keyfront.ENOTFOUND)
		return nil
	})

	// Replacing a bucket (a new policy) keeps its objects; a bucket with
	// objects or uploads cannot be deleted.
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		if err := tx.PutObject(ctx, object("a-1", "k", 1)); err != nil {
			return err
		}
		b := bucket("a-1")
		b.Policy = []byte("{}")
		if err := tx.PutBucket(ctx, b); err != nil {
			return err
		}
		if _, err := tx.GetObject(ctx, "a-1", "k"); err != nil {
			t.Errorf("object after PutBucket: %v", err)
		}
		wantCode(t, "DeleteBucket with an object", tx.DeleteBucket(ctx, "a-1"), keyfront.ECONFLICT)
		if err := tx.PutUpload(ctx, &keyfront.Upload{ID: "u1", Bucket: "b-2", Key: "k", Initiated: base}); err != nil {
			return err
		}
		wantCode(t, "DeleteBucket with an upload", tx.DeleteBucket(ctx, "b-2"), keyfront.ECONFLICT)
		wantCode(t, "DeleteBucket missing", tx.DeleteBucket(ctx, "missing"), keyfront.ENOTFOUND)
		return tx.DeleteBucket(ctx, withPolicy.Name)
	})
	oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		_, err := tx.GetBucket(ctx, withPolicy.Name)
		wantCode(t, "GetBucket after DeleteBucket", err, keyfront.ENOTFOUND)
		for _, name := range []string{"a-1", "b-2"} {
			if _, err := tx.GetBucket(ctx, name); err != nil {
				t.Errorf("bucket %s after a refused DeleteBucket: %v", name, err)
			}
		}
		err = tx.PutBucket(ctx, bucket("in-view"))
		if err == nil {
			t.Errorf("PutBucket inside View succeeded")
		}
		return nil
	})
}

func testObjectRecords(t *testing.T, s keyfront.Store) {
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error { return tx.PutBucket(ctx, bucket("bkt")) })
	full := &keyfront.Object{
		Bucket: "bkt", Key: "dir/ünï cödé+%2F?.txt", BodyID: "0123456789abcdef0123456789abcdef",
		Size: 5 << 30, ETag: "d41d8cd98f00b204e9800998ecf8427e-3", LastModified: base,
		Headers: keyfront.ObjectHeaders{
			ContentType: "text/html; charset=utf-8", ContentEncoding: "gzip",
			ContentDisposition: `attachment; filename="x.html"`, ContentLanguage: "de-CH",
			CacheControl: "max-age=60", Expires: "Thu, 01 Dec 2094 16:00:00 GMT",
			Metadata: map[string]string{"color": "blue", "unicode": "ü\"<>"},
		},
		Checksum:  keyfront.Checksum{Algorithm: "SHA256", Value: "abc=-3", Type: "COMPOSITE"},
		PartSizes: []int64{5 << 20, 5 << 20, 1},
	}
	tests := []struct {
		name string
		o    *keyfront.Object
	}{
		{"every field", full},
		{"minimal", &keyfront.Object{Bucket: "bkt", Key: "k", BodyID: "b", ETag: "e", LastModified: base}},
		{"empty metadata", &keyfront.Object{Bucket: "bkt", Key: "m", BodyID: "c", LastModified: base,
			Headers: keyfront.ObjectHeaders{Metadata: map[string]string{}}}},
		{"hostile key", object("bkt", "../../etc/passwd", 1)},
		{"leading slash", object("bkt", "/a//b/", 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error { return tx.PutObject(ctx, tt.o) })
			oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
				got, err := tx.GetObject(ctx, tt.o.Bucket, tt.o.Key)
				if err != nil {
					return err
				}
				if d := diff(normObject(got), normObject(tt.o)); d != "" {
					t.Errorf("GetObject: %s", d)
				}
				return nil
			})
		})
	}

	// Replace, copies, not found, delete.
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		repl := object("bkt", "k", 7)
		if err := tx.PutObject(ctx, repl); err != nil {
			return err
		}
		got, err := tx.GetObject(ctx, "bkt", "k")
		if err != nil {
			return err
		}
		if d := diff(normObject(got), normObject(repl)); d != "" {
			t.Errorf("replaced object: %s", d)
		}
		got.Headers.ContentType = "changed"
		again, err := tx.GetObject(ctx, "bkt", full.Key)
		if err != nil {
			return err
		}
		again.Headers.Metadata["color"] = "changed"
		again.PartSizes[0] = 1
		wantCode(t, "PutObject without bucket", tx.PutObject(ctx, object("nobucket", "k", 1)), keyfront.ENOTFOUND)
		_, err = tx.GetObject(ctx, "bkt", "missing")
		wantCode(t, "GetObject missing", err, keyfront.ENOTFOUND)
		_, err = tx.GetObject(ctx, "other", "k")
		wantCode(t, "GetObject other bucket", err, keyfront.ENOTFOUND)
		if err := tx.DeleteObject(ctx, "bkt", "m"); err != nil {
			return err
		}
		wantCode(t, "DeleteObject twice", tx.DeleteObject(ctx, "bkt", "m"), keyfront.ENOTFOUND)
		return nil
	})
	oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		got, err := tx.GetObject(ctx, "bkt", full.Key)
		if err != nil {
			return err
		}
		if d := diff(normObject(got), normObject(full)); d != "" {
			t.Errorf("after mutating a returned object: %s", d)
		}
		_, err = tx.GetObject(ctx, "bkt", "m")
		wantCode(t, "GetObject after delete", err, keyfront.ENOTFOUND)
		return nil
	})
}

func testObjectList(t *testing.T, s keyfront.Store) {
	// In byte order. "a/" sorts before "a0" ('/' < '0'), and the
	// multi-byte keys after every ASCII one.
	keys := []string{"a", "a/", "a/b", "a/b/c", "a/c", "a0", "b", "b\x7f", "é", "é/x", "\U0010FFFF"}
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		if err := errors.Join(tx.PutBucket(ctx, bucket("list")), tx.PutBucket(ctx, bucket("other"))); err != nil {
			return err
		}
		// Put in reverse so that insertion order cannot pass for key order.
		for i := len(keys) - 1; i >= 0; i-- {
			if err := tx.PutObject(ctx, object("list", keys[i], i)); err != nil {
				return err
			}
		}
		return tx.PutObject(ctx, object("other", "a/z", 0))
	})
	tests := []struct {
		name string
		q    keyfront.ObjectQuery
		want []string
	}{
		{"all", keyfront.ObjectQuery{}, keys},
		{"limit", keyfront.ObjectQuery{Limit: 3}, keys[:3]},
		{"prefix a/", keyfront.ObjectQuery{Prefix: "a/"}, []string{"a/", "a/b", "a/b/c", "a/c"}},
		{"prefix a", keyfront.ObjectQuery{Prefix: "a"}, keys[:6]},
		{"prefix é", keyfront.ObjectQuery{Prefix: "é"}, []string{"é", "é/x"}},
		{"prefix with no match", keyfront.ObjectQuery{Prefix: "zz"}, nil},
		{"after exact key", keyfront.ObjectQuery{After: "a/b"}, keys[3:]},
		{"after no key", keyfront.ObjectQuery{After: "a/bb"}, keys[4:]},
		{"after a common prefix", keyfront.ObjectQuery{Prefix: "a", After: "a/\xff"}, []string{"a0"}},
		{"after and prefix and limit", keyfront.ObjectQuery{Prefix: "a/", After: "a/", Limit: 2}, []string{"a/b", "a/b/c"}},
		{"after beyond prefix", keyfront.ObjectQuery{Prefix: "a/", After: "b"}, nil},
		{"after 0xFF", keyfront.ObjectQuery{After: "\xff"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
				got, err := tx.ListObjects(ctx, "list", tt.q)
				if err != nil {
					return err
				}
				if g := keysOf(got); !slices.Equal(g, tt.want) {
					t.Errorf("ListObjects(%#v) = %q, want %q", tt.q, g, tt.want)
				}
				return nil
			})
		})
	}
	oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		_, err := tx.ListObjects(ctx, "missing", keyfront.ObjectQuery{})
		wantCode(t, "ListObjects missing bucket", err, keyfront.ENOTFOUND)
		_, err = tx.ListObjects(ctx, "list", keyfront.ObjectQuery{Limit: -1})
		wantCode(t, "ListObjects negative limit", err, keyfront.EINVALID)
		return nil
	})
}

func testUploads(t *testing.T, s keyfront.Store) {
	up := func(id, key string) *keyfront.Upload {
		return &keyfront.Upload{ID: id, Bucket: "mp", Key: key, Initiated: base,
			Headers:           keyfront.ObjectHeaders{ContentType: "video/mp4", Metadata: map[string]string{"a": "b"}},
			ChecksumAlgorithm: "CRC32", ChecksumType: "COMPOSITE"}
	}
	part := func(upload string, n int) *keyfront.Part {
		return &keyfront.Part{UploadID: upload, Number: n, BodyID: fmt.Sprintf("%s-part-%d", upload, n),
			Size: 5 << 20, ETag: fmt.Sprintf("%032d", n), LastModified: base.Add(time.Duration(n) * time.Millisecond),
			Checksum: keyfront.Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "COMPOSITE"}}
	}
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		if err := tx.PutBucket(ctx, bucket("mp")); err != nil {
			return err
		}
		for _, u := range []*keyfront.Upload{up("u3", "b"), up("u1", "a"), up("u2", "a"), up("u4", "c/d")} {
			if err := tx.PutUpload(ctx, u); err != nil {
				return err
			}
		}
		for _, n := range []int{3, 1, 10000, 2} {
			if err := tx.PutPart(ctx, part("u1", n)); err != nil {
				return err
			}
		}
		wantCode(t, "PutUpload without bucket", tx.PutUpload(ctx, &keyfront.Upload{ID: "x", Bucket: "nobucket", Key: "k"}), keyfront.ENOTFOUND)
		wantCode(t, "PutPart without upload", tx.PutPart(ctx, part("nope", 1)), keyfront.ENOTFOUND)
		return tx.PutPart(ctx, part("u2", 1))
	})
	oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		got, err := tx.GetUpload(ctx, "u1")
		if err != nil {
			return err
		}
		if d := diff(got, up("u1", "a")); d != "" {
			t.Errorf("GetUpload: %s", d)
		}
		ids := func(q keyfront.UploadQuery) []string {
			us, err := tx.ListUploads(ctx, "mp", q)
			if err != nil {
				t.Errorf("ListUploads(%+v): %v", q, err)
			}
			return idsOf(us, func(u *keyfront.Upload) string { return u.ID })
		}
		for _, tt := range []struct {
			q    keyfront.UploadQuery
			want []string
		}{
			{keyfront.UploadQuery{}, []string{"u1", "u2", "u3", "u4"}},
			{keyfront.UploadQuery{Limit: 1}, []string{"u1"}},
			{keyfront.UploadQuery{KeyMarker: "a"}, []string{"u3", "u4"}},
			{keyfront.UploadQuery{KeyMarker: "a", IDMarker: "u1"}, []string{"u2", "u3", "u4"}},
			{keyfront.UploadQuery{Prefix: "c/"}, []string{"u4"}},
		} {
			if g := ids(tt.q); !slices.Equal(g, tt.want) {
				t.Errorf("ListUploads(%+v) = %q, want %q", tt.q, g, tt.want)
			}
		}
		p, err := tx.GetPart(ctx, "u1", 10000)
		if err != nil {
			return err
		}
		if d := diff(p, part("u1", 10000)); d != "" {
			t.Errorf("GetPart: %s", d)
		}
		parts, err := tx.ListParts(ctx, "u1", 0, 0)
		if err != nil {
			return err
		}
		nums := func(ps []*keyfront.Part) []int {
			var out []int
			for _, p := range ps {
				out = append(out, p.Number)
			}
			return out
		}
		if g := nums(parts); !slices.Equal(g, []int{1, 2, 3, 10000}) {
			t.Errorf("ListParts = %v", g)
		}
		parts, err = tx.ListParts(ctx, "u1", 2, 1)
		if err != nil {
			return err
		}
		if g := nums(parts); !slices.Equal(g, []int{3}) {
			t.Errorf("ListParts after 2, limit 1 = %v", g)
		}
		_, err = tx.ListParts(ctx, "nope", 0, 0)
		wantCode(t, "ListParts missing upload", err, keyfront.ENOTFOUND)
		_, err = tx.GetPart(ctx, "u1", 4)
		wantCode(t, "GetPart missing", err, keyfront.ENOTFOUND)
		return nil
	})
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		if err := tx.DeleteUpload(ctx, "u1"); err != nil {
			return err
		}
		wantCode(t, "DeleteUpload twice", tx.DeleteUpload(ctx, "u1"), keyfront.ENOTFOUND)
		_, err := tx.GetPart(ctx, "u1", 1)
		wantCode(t, "GetPart after DeleteUpload", err, keyfront.ENOTFOUND)
		if _, err := tx.GetPart(ctx, "u2", 1); err != nil {
			t.Errorf("another upload's part after DeleteUpload: %v", err)
		}
		return nil
	})
}

func testBodiesInUse(t *testing.T, s keyfront.Store) {
	oupdate(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		o := object("bodies", "k", 1)
		o.BodyID = "obj-body"
		return errors.Join(
			tx.PutBucket(ctx, bucket("bodies")),
			tx.PutObject(ctx, o),
			tx.PutUpload(ctx, &keyfront.Upload{ID: "u", Bucket: "bodies", Key: "k", Initiated: base}),
			tx.PutPart(ctx, &keyfront.Part{UploadID: "u", Number: 1, BodyID: "part-body", LastModified: base}),
		)
	})
	// More IDs than one query's parameters, to cross any batching.
	ids := []string{"obj-body", "part-body"}
	for i := range 1200 {
		ids = append(ids, fmt.Sprintf("unused-%d", i))
	}
	oview(t, s, func(ctx context.Context, tx keyfront.ObjectTx) error {
		used, err := tx.BodiesInUse(ctx, ids)
		if err != nil {
			return err
		}
		if len(used) != 2 || !used["obj-body"] || !used["part-body"] {
			t.Errorf("BodiesInUse = %v, want obj-body and part-body", used)
		}
		return nil
	})
}
