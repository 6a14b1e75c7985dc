package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"keyfront"
)

// kind describes one resource kind listed by ID, so that the tests every
// such kind must pass are written once, in testKind.
type kind[T any] struct {
	// make returns a record with every field set, different for each i.
	make  func(i int) *T
	id    func(*T) string
	setID func(*T, string)
	// stamp points at the record's timestamp.
	stamp func(*T) *time.Time
	// mutate changes every field but the ID in place, including the
	// elements of slices and the targets of pointers, so that a store
	// that kept a reference to a caller's value is caught.
	mutate func(*T)
	// variants are records that round-trip tests put and get back.
	variants []variant[T]

	get  func(context.Context, keyfront.Tx, string) (*T, error)
	list func(context.Context, keyfront.Tx, keyfront.Page) ([]*T, error)
	put  func(context.Context, keyfront.Tx, *T) error
	del  func(context.Context, keyfront.Tx, string) error
}

type variant[T any] struct {
	name string
	v    *T
}

// testKind runs the tests every kind listed by ID must pass.
func testKind[T any](t *testing.T, open func(*testing.T) keyfront.Store, k kind[T]) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		for _, tt := range k.variants {
			t.Run(tt.name, func(t *testing.T) {
				update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return k.put(ctx, tx, tt.v) })
				// Read back both in the writing transaction and in a
				// later one: a store could get either wrong.
				update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
					got, err := k.get(ctx, tx, k.id(tt.v))
					if err != nil {
						return err
					}
					if d := diff(got, tt.v); d != "" {
						t.Errorf("get in Update: %s", d)
					}
					return nil
				})
				view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
					got, err := k.get(ctx, tx, k.id(tt.v))
					if err != nil {
						return err
					}
					if d := diff(got, tt.v); d != "" {
						t.Errorf("get in View: %s", d)
					}
					return nil
				})
			})
		}
		// Every variant is also listed, whole.
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			got, err := k.list(ctx, tx, keyfront.Page{})
			if err != nil {
				return err
			}
			if len(got) != len(k.variants) {
				t.Fatalf("list: %d records, want %d", len(got), len(k.variants))
			}
			for _, g := range got {
				i := slices.IndexFunc(k.variants, func(v variant[T]) bool { return k.id(v.v) == k.id(g) })
				if i < 0 {
					t.Errorf("list: unexpected ID %q", k.id(g))
					continue
				}
				if d := diff(g, k.variants[i].v); d != "" {
					t.Errorf("list, %s: %s", k.variants[i].name, d)
				}
			}
			return nil
		})
	})

	t.Run("Replace", func(t *testing.T) {
		s := open(t)
		first, other := k.make(1), k.make(2)
		second := k.make(3)
		k.setID(second, k.id(first))
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			if err := k.put(ctx, tx, first); err != nil {
				return err
			}
			return k.put(ctx, tx, other)
		})
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return k.put(ctx, tx, second) })
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			got, err := k.get(ctx, tx, k.id(first))
			if err != nil {
				return err
			}
			if d := diff(got, second); d != "" {
				t.Errorf("replaced record: %s", d)
			}
			got, err = k.get(ctx, tx, k.id(other))
			if err != nil {
				return err
			}
			if d := diff(got, other); d != "" {
				t.Errorf("other record: %s", d)
			}
			all, err := k.list(ctx, tx, keyfront.Page{})
			if err != nil {
				return err
			}
			if got, want := len(all), 2; got != want {
				t.Errorf("list: %d records, want %d", got, want)
			}
			return nil
		})
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		existing := k.make(1)
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return k.put(ctx, tx, existing) })
		missing := k.id(k.make(2))
		for _, name := range []string{"View", "Update"} {
			run := s.View
			if name == "Update" {
				run = s.Update
			}
			ctx := t.Context()
			err := run(ctx, func(tx keyfront.Tx) error {
				got, err := k.get(ctx, tx, missing)
				wantCode(t, name+": get missing", err, keyfront.ENOTFOUND)
				if got != nil {
					t.Errorf("%s: get missing returned %v, want nil", name, got)
				}
				if name == "Update" {
					wantCode(t, name+": delete missing", k.del(ctx, tx, missing), keyfront.ENOTFOUND)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		gone, kept := k.make(1), k.make(2)
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			if err := k.put(ctx, tx, gone); err != nil {
				return err
			}
			return k.put(ctx, tx, kept)
		})
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			if err := k.del(ctx, tx, k.id(gone)); err != nil {
				return err
			}
			_, err := k.get(ctx, tx, k.id(gone))
			wantCode(t, "get after delete, same transaction", err, keyfront.ENOTFOUND)
			return nil
		})
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			_, err := k.get(ctx, tx, k.id(gone))
			wantCode(t, "get after delete", err, keyfront.ENOTFOUND)
			wantCode(t, "second delete", k.del(ctx, tx, k.id(gone)), keyfront.ENOTFOUND)
			got, err := k.get(ctx, tx, k.id(kept))
			if err != nil {
				return err
			}
			if d := diff(got, kept); d != "" {
				t.Errorf("record not deleted: %s", d)
			}
			all, err := k.list(ctx, tx, keyfront.Page{})
			if err != nil {
				return err
			}
			if got, want := len(all), 1; got != want {
				t.Errorf("list: %d records, want %d", got, want)
			}
			return nil
		})
	})

	t.Run("Copies", func(t *testing.T) {
		s := open(t)
		in := k.make(1)
		want := k.make(1)
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return k.put(ctx, tx, in) })
		k.mutate(in) // after Put: the store must have copied it
		for range 2 {
			view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
				got, err := k.get(ctx, tx, k.id(want))
				if err != nil {
					return err
				}
				if d := diff(got, want); d != "" {
					t.Errorf("after mutating what was put or got: %s", d)
				}
				k.mutate(got) // the second round checks this did not reach the store
				listed, err := k.list(ctx, tx, keyfront.Page{})
				if err != nil {
					return err
				}
				for _, l := range listed {
					k.mutate(l)
				}
				return nil
			})
		}
	})

	t.Run("Timestamp", func(t *testing.T) {
		s := open(t)
		tests := []struct {
			name string
			in   time.Time
		}{
			{"UTC on a millisecond", base},
			{"nanoseconds", time.Date(2031, time.December, 31, 23, 59, 59, 999_999_999, time.UTC)},
			{"other zone", time.Date(2025, time.January, 2, 3, 4, 5, 678_900_000, time.FixedZone("UTC+5:30", 5*3600+1800))},
			{"before 1970", time.Date(1969, time.July, 20, 20, 17, 40, 250_000_000, time.UTC)},
			{"zero", time.Time{}},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := k.make(i)
				*k.stamp(r) = tt.in
				update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return k.put(ctx, tx, r) })
				view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
					g, err := k.get(ctx, tx, k.id(r))
					if err != nil {
						return err
					}
					got := *k.stamp(g)
					if got.Location() != time.UTC {
						t.Errorf("location = %v, want UTC", got.Location())
					}
					if d := got.Sub(tt.in); d <= -time.Millisecond || d >= time.Millisecond {
						t.Errorf("time = %v, want within 1ms of %v", got, tt.in)
					}
					if tt.in.Equal(tt.in.Truncate(time.Millisecond)) && !got.Equal(tt.in) {
						t.Errorf("time = %v, want exactly %v", got, tt.in)
					}
					return nil
				})
			})
		}
	})

	t.Run("List", func(t *testing.T) { testList(t, open, k) })
}

// testList checks ordering by ID and paging with markers.
func testList[T any](t *testing.T, open func(*testing.T) keyfront.Store, k kind[T]) {
	s := open(t)
	// Insert in an order that is neither sorted nor reverse-sorted, so that
	// a store returning insertion order fails.
	var want []string
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		for _, i := range []int{3, 0, 6, 1, 5, 2, 4} {
			r := k.make(i)
			want = append(want, k.id(r))
			if err := k.put(ctx, tx, r); err != nil {
				return err
			}
		}
		return nil
	})
	slices.Sort(want)
	// between is a marker that is no ID but sorts between want[1] and
	// want[2] (the IDs have one length); beyond sorts after every ID.
	between := want[1] + "!"
	beyond := want[len(want)-1] + "~"

	tests := []struct {
		name string
		page keyfront.Page
		want []string
	}{
		{"all", keyfront.Page{}, want},
		{"limit", keyfront.Page{Limit: 3}, want[:3]},
		{"limit equal to count", keyfront.Page{Limit: len(want)}, want},
		{"limit above count", keyfront.Page{Limit: 1000}, want},
		{"marker", keyfront.Page{Marker: want[2]}, want[3:]},
		{"marker and limit", keyfront.Page{Marker: want[2], Limit: 2}, want[3:5]},
		{"marker is the last ID", keyfront.Page{Marker: want[len(want)-1]}, nil},
		{"marker not an ID", keyfront.Page{Marker: between}, want[2:]},
		{"marker before every ID", keyfront.Page{Marker: "!"}, want},
		{"marker after every ID", keyfront.Page{Marker: beyond, Limit: 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
				got, err := k.list(ctx, tx, tt.page)
				if err != nil {
					return err
				}
				if ids := idsOf(got, k.id); !slices.Equal(ids, tt.want) {
					t.Errorf("list(%+v) = %q, want %q", tt.page, ids, tt.want)
				}
				return nil
			})
		})
	}

	t.Run("walk", func(t *testing.T) {
		for limit := 1; limit <= len(want)+1; limit++ {
			var got []string
			marker := ""
			for pages := 0; ; pages++ {
				if pages > len(want)+1 {
					t.Fatalf("limit %d: paging does not end: %q", limit, got)
				}
				var page []*T
				view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
					var err error
					page, err = k.list(ctx, tx, keyfront.Page{Marker: marker, Limit: limit})
					return err
				})
				if len(page) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(page))
				}
				got = append(got, idsOf(page, k.id)...)
				if len(page) < limit {
					break
				}
				marker = k.id(page[len(page)-1])
			}
			if !slices.Equal(got, want) {
				t.Errorf("limit %d: walked %q, want %q", limit, got, want)
			}
		}
	})
}

func idsOf[T any](rs []*T, id func(*T) string) []string {
	var ids []string
	for _, r := range rs {
		ids = append(ids, id(r))
	}
	return ids
}

// The kinds and their fixtures.

// testPEM has the shape of a public key PEM: what matters is that its
// newlines, including the last, come back.
const testPEM = "-----BEGIN PUBLIC KEY-----\n" +
	"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAx1Zl3XQ2Xh4sAbCdEfGhIj\n" +
	"KlMnOpQrStUvWxYz0123456789+/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/\n" +
	"IDAQAB\n" +
	"-----END PUBLIC KEY-----\n"

var publicKeys = kind[keyfront.PublicKey]{
	make: func(i int) *keyfront.PublicKey {
		return &keyfront.PublicKey{
			ID:              keyfront.KeyPairID(fmt.Sprintf("K%013d", i)),
			ETag:            fmt.Sprintf("E2QWRUHAPOMQZ%d", i),
			CreatedTime:     base.Add(time.Duration(i) * time.Minute),
			CallerReference: fmt.Sprintf("caller-reference-%d", i),
			Name:            fmt.Sprintf("key-%d", i),
			EncodedKey:      testPEM,
			Comment:         fmt.Sprintf("key %d: <&'\"> é 🔑", i),
		}
	},
	id:    func(k *keyfront.PublicKey) string { return string(k.ID) },
	setID: func(k *keyfront.PublicKey, id string) { k.ID = keyfront.KeyPairID(id) },
	stamp: func(k *keyfront.PublicKey) *time.Time { return &k.CreatedTime },
	mutate: func(k *keyfront.PublicKey) {
		k.ETag += "x"
		k.CreatedTime = k.CreatedTime.Add(time.Hour)
		k.CallerReference += "x"
		k.Name += "x"
		k.EncodedKey = "x"
		k.Comment += "x"
	},
	variants: []variant[keyfront.PublicKey]{
		{"all fields", &keyfront.PublicKey{ID: "K1AAAAAAAAAAAA", ETag: "E1", CreatedTime: base, CallerReference: "ref-1",
			Name: "signing key", EncodedKey: testPEM, Comment: "first\nsecond line, \"quoted\" & <tagged>"}},
		{"empty comment", &keyfront.PublicKey{ID: "K2AAAAAAAAAAAA", ETag: "E2", CreatedTime: base, CallerReference: "ref-2",
			Name: "no comment", EncodedKey: testPEM}},
		{"PEM without final newline", &keyfront.PublicKey{ID: "K3AAAAAAAAAAAA", ETag: "E3", CreatedTime: base, CallerReference: "ref-3",
			Name: "trimmed", EncodedKey: testPEM[:len(testPEM)-1], Comment: "ü"}},
	},
	get: func(ctx context.Context, tx keyfront.Tx, id string) (*keyfront.PublicKey, error) {
		return tx.GetPublicKey(ctx, keyfront.KeyPairID(id))
	},
	list: func(ctx context.Context, tx keyfront.Tx, p keyfront.Page) ([]*keyfront.PublicKey, error) {
		return tx.ListPublicKeys(ctx, p)
	},
	put: func(ctx context.Context, tx keyfront.Tx, k *keyfront.PublicKey) error { return tx.PutPublicKey(ctx, k) },
	del: func(ctx context.Context, tx keyfront.Tx, id string) error {
		return tx.DeletePublicKey(ctx, keyfront.KeyPairID(id))
	},
}

func keyGroupID(i int) keyfront.KeyGroupID {
	return keyfront.KeyGroupID(fmt.Sprintf("%08x-5b2c-4d7e-9f10-%012x", i*0x1111, i))
}

var keyGroups = kind[keyfront.KeyGroup]{
	make: func(i int) *keyfront.KeyGroup {
		return &keyfront.KeyGroup{
			ID:               keyGroupID(i),
			ETag:             fmt.Sprintf("E3UN6WX5RRO2A%d", i),
			LastModifiedTime: base.Add(time.Duration(i) * time.Second),
			Name:             fmt.Sprintf("group-%d", i),
			// Not sorted: the order must be kept.
			Items:   []keyfront.KeyPairID{keyfront.KeyPairID(fmt.Sprintf("KZ%012d", i)), "KA000000000000"},
			Comment: ptr(fmt.Sprintf("group %d", i)),
		}
	},
	id:    func(g *keyfront.KeyGroup) string { return string(g.ID) },
	setID: func(g *keyfront.KeyGroup, id string) { g.ID = keyfront.KeyGroupID(id) },
	stamp: func(g *keyfront.KeyGroup) *time.Time { return &g.LastModifiedTime },
	mutate: func(g *keyfront.KeyGroup) {
		g.ETag += "x"
		g.LastModifiedTime = g.LastModifiedTime.Add(time.Hour)
		g.Name += "x"
		for i := range g.Items {
			g.Items[i] += "x"
		}
		if g.Comment != nil {
			*g.Comment += "x"
		}
	},
	variants: []variant[keyfront.KeyGroup]{
		{"no comment", &keyfront.KeyGroup{ID: keyGroupID(101), ETag: "E1", LastModifiedTime: base, Name: "a",
			Items: []keyfront.KeyPairID{"K1AAAAAAAAAAAA"}}},
		{"empty comment", &keyfront.KeyGroup{ID: keyGroupID(102), ETag: "E2", LastModifiedTime: base, Name: "b",
			Items: []keyfront.KeyPairID{"K1AAAAAAAAAAAA"}, Comment: ptr("")}},
		{"comment", &keyfront.KeyGroup{ID: keyGroupID(103), ETag: "E3", LastModifiedTime: base, Name: "c",
			Items: []keyfront.KeyPairID{"K1AAAAAAAAAAAA"}, Comment: ptr("line one\nline two <&>")}},
		{"five keys unsorted", &keyfront.KeyGroup{ID: keyGroupID(104), ETag: "E4", LastModifiedTime: base, Name: "d",
			Items:   []keyfront.KeyPairID{"K5AAAAAAAAAAAA", "K1AAAAAAAAAAAA", "K4AAAAAAAAAAAA", "K2AAAAAAAAAAAA", "K3AAAAAAAAAAAA"},
			Comment: ptr("five")}},
	},
	get: func(ctx context.Context, tx keyfront.Tx, id string) (*keyfront.KeyGroup, error) {
		return tx.GetKeyGroup(ctx, keyfront.KeyGroupID(id))
	},
	list: func(ctx context.Context, tx keyfront.Tx, p keyfront.Page) ([]*keyfront.KeyGroup, error) {
		return tx.ListKeyGroups(ctx, p)
	},
	put: func(ctx context.Context, tx keyfront.Tx, g *keyfront.KeyGroup) error { return tx.PutKeyGroup(ctx, g) },
	del: func(ctx context.Context, tx keyfront.Tx, id string) error {
		return tx.DeleteKeyGroup(ctx, keyfront.KeyGroupID(id))
	},
}

var originAccessControls = kind[keyfront.OriginAccessControl]{
	make: func(i int) *keyfront.OriginAccessControl {
		return &keyfront.OriginAccessControl{
			ID:               fmt.Sprintf("E%013d", i),
			ETag:             fmt.Sprintf("ETVPDKIKX0DER%d", i),
			Name:             fmt.Sprintf("oac-%d", i),
			Description:      fmt.Sprintf("origin access control %d", i),
			SigningProtocol:  "sigv4",
			SigningBehavior:  []string{"never", "always", "no-override"}[i%3],
			OriginType:       "s3",
			LastModifiedTime: base.Add(time.Duration(i) * time.Hour),
		}
	},
	id:    func(o *keyfront.OriginAccessControl) string { return o.ID },
	setID: func(o *keyfront.OriginAccessControl, id string) { o.ID = id },
	stamp: func(o *keyfront.OriginAccessControl) *time.Time { return &o.LastModifiedTime },
	mutate: func(o *keyfront.OriginAccessControl) {
		o.ETag += "x"
		o.Name += "x"
		o.Description += "x"
		o.SigningProtocol += "x"
		o.SigningBehavior += "x"
		o.OriginType += "x"
		o.LastModifiedTime = o.LastModifiedTime.Add(time.Hour)
	},
	variants: []variant[keyfront.OriginAccessControl]{
		{"all fields", &keyfront.OriginAccessControl{ID: "E1AAAAAAAAAAAA", ETag: "E1", Name: "bucket-oac",
			Description: "signs everything", SigningProtocol: "sigv4", SigningBehavior: "always", OriginType: "s3",
			LastModifiedTime: base}},
		{"empty description", &keyfront.OriginAccessControl{ID: "E2AAAAAAAAAAAA", ETag: "E2", Name: "lambda-oac",
			SigningProtocol: "sigv4", SigningBehavior: "no-override", OriginType: "lambda", LastModifiedTime: base}},
	},
	get: func(ctx context.Context, tx keyfront.Tx, id string) (*keyfront.OriginAccessControl, error) {
		return tx.GetOriginAccessControl(ctx, id)
	},
	list: func(ctx context.Context, tx keyfront.Tx, p keyfront.Page) ([]*keyfront.OriginAccessControl, error) {
		return tx.ListOriginAccessControls(ctx, p)
	},
	put: func(ctx context.Context, tx keyfront.Tx, o *keyfront.OriginAccessControl) error {
		return tx.PutOriginAccessControl(ctx, o)
	},
	del: func(ctx context.Context, tx keyfront.Tx, id string) error {
		return tx.DeleteOriginAccessControl(ctx, id)
	},
}

// testConfig has what a stored DistributionConfig must keep byte for byte:
// an XML declaration, LF and CRLF line ends, tabs, entities, non-ASCII and
// a trailing newline.
const testConfig = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">` + "\r\n" +
	"\t<CallerReference>ref &amp; more</CallerReference>\n" +
	"  <Comment>Grüße — \"quoted\" 'single'</Comment>  \n" +
	"</DistributionConfig>\n"

func distributionID(i int) keyfront.DistributionID {
	return keyfront.DistributionID(fmt.Sprintf("E%013d", i))
}

func distribution(i int) *keyfront.Distribution {
	return &keyfront.Distribution{
		ID:                     distributionID(i),
		ETag:                   fmt.Sprintf("E2QWRUHEXAMPL%d", i),
		Status:                 "Deployed",
		LastModifiedTime:       base.Add(time.Duration(i) * time.Millisecond),
		DomainName:             fmt.Sprintf("d%013d.cloudfront.localhost", i),
		CallerReference:        fmt.Sprintf("dist-%d", i),
		Enabled:                i%2 == 0,
		Aliases:                []string{fmt.Sprintf("www%d.example.com", i), "cdn.example.com"},
		KeyGroupIDs:            []keyfront.KeyGroupID{keyGroupID(i), keyGroupID(i + 1)},
		OriginAccessControlIDs: []string{fmt.Sprintf("E%013d", i)},
		Config:                 []byte(testConfig + fmt.Sprintf("<!-- %d -->", i)),
		Tags:                   []keyfront.Tag{{Key: "team", Value: ptr(fmt.Sprintf("t%d", i))}, {Key: "flag"}},
	}
}

var distributions = kind[keyfront.Distribution]{
	make:  distribution,
	id:    func(d *keyfront.Distribution) string { return string(d.ID) },
	setID: func(d *keyfront.Distribution, id string) { d.ID = keyfront.DistributionID(id) },
	stamp: func(d *keyfront.Distribution) *time.Time { return &d.LastModifiedTime },
	mutate: func(d *keyfront.Distribution) {
		d.ETag += "x"
		d.Status += "x"
		d.LastModifiedTime = d.LastModifiedTime.Add(time.Hour)
		d.DomainName += "x"
		d.CallerReference += "x"
		d.Enabled = !d.Enabled
		for i := range d.Aliases {
			d.Aliases[i] += "x"
		}
		for i := range d.KeyGroupIDs {
			d.KeyGroupIDs[i] += "x"
		}
		for i := range d.OriginAccessControlIDs {
			d.OriginAccessControlIDs[i] += "x"
		}
		for i := range d.Config {
			d.Config[i] ^= 0xff
		}
		for i := range d.Tags {
			d.Tags[i].Key += "x"
			if d.Tags[i].Value != nil {
				*d.Tags[i].Value += "x"
			}
		}
	},
	variants: []variant[keyfront.Distribution]{
		{"all fields", &keyfront.Distribution{ID: "E1AAAAAAAAAAAA", ETag: "E1", Status: "Deployed", LastModifiedTime: base,
			DomainName: "d1aaaaaaaaaaaa.cloudfront.localhost", CallerReference: "ref-1", Enabled: true,
			Aliases:                []string{"b.example.com", "a.example.com"},
			KeyGroupIDs:            []keyfront.KeyGroupID{keyGroupID(2), keyGroupID(1)},
			OriginAccessControlIDs: []string{"E9AAAAAAAAAAAA", "E8AAAAAAAAAAAA"},
			Config:                 []byte(testConfig),
			Tags: []keyfront.Tag{
				{Key: "with value", Value: ptr("v")},
				{Key: "without value"},
				{Key: "empty value", Value: ptr("")},
			}}},
		{"disabled, nothing optional", &keyfront.Distribution{ID: "E2AAAAAAAAAAAA", ETag: "E2", Status: "InProgress",
			LastModifiedTime: base, DomainName: "d2aaaaaaaaaaaa.cloudfront.localhost", CallerReference: "ref-2",
			Config: []byte("<DistributionConfig/>")}},
		{"binary config", &keyfront.Distribution{ID: "E3AAAAAAAAAAAA", ETag: "E3", Status: "Deployed", LastModifiedTime: base,
			DomainName: "d3aaaaaaaaaaaa.cloudfront.localhost", CallerReference: "ref-3", Enabled: true,
			Config: []byte("\x00<a>\xff\xfe\r\n\x00\n")}},
		{"empty config", &keyfront.Distribution{ID: "E4AAAAAAAAAAAA", ETag: "E4", Status: "Deployed", LastModifiedTime: base,
			DomainName: "d4aaaaaaaaaaaa.cloudfront.localhost", CallerReference: "ref-4", Config: []byte{}}},
	},
	get: func(ctx context.Context, tx keyfront.Tx, id string) (*keyfront.Distribution, error) {
		return tx.GetDistribution(ctx, keyfront.DistributionID(id))
	},
	list: func(ctx context.Context, tx keyfront.Tx, p keyfront.Page) ([]*keyfront.Distribution, error) {
		return tx.ListDistributions(ctx, p)
	},
	put: func(ctx context.Context, tx keyfront.Tx, d *keyfront.Distribution) error {
		return tx.PutDistribution(ctx, d)
	},
	del: func(ctx context.Context, tx keyfront.Tx, id string) error {
		return tx.DeleteDistribution(ctx, keyfront.DistributionID(id))
	},
}
