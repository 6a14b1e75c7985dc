package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"keyfront"
)

// invalidationID returns a well-formed invalidation ID made of one
// character, so that the tests' expectations read as letters.
func invalidationID(c byte) string { return "I" + strings.Repeat(string(c), 13) }

func invalidation(dist keyfront.DistributionID, c byte, created time.Time) *keyfront.Invalidation {
	return &keyfront.Invalidation{
		ID:              invalidationID(c),
		DistributionID:  dist,
		Status:          "InProgress",
		CreateTime:      created,
		CallerReference: "inv-" + string(c),
		Paths:           []string{"/" + string(c) + "/*", "/index.html"},
	}
}

// putDistributions stores distributions 1..n (see distribution).
func putDistributions(t *testing.T, s keyfront.Store, n int) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		for i := 1; i <= n; i++ {
			if err := tx.PutDistribution(ctx, distribution(i)); err != nil {
				return err
			}
		}
		return nil
	})
}

func putInvalidations(t *testing.T, s keyfront.Store, invs ...*keyfront.Invalidation) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		for _, inv := range invs {
			if err := tx.PutInvalidation(ctx, inv); err != nil {
				return err
			}
		}
		return nil
	})
}

// listInvalidationIDs returns the IDs ListInvalidations returns, failing
// the test on an error.
func listInvalidationIDs(t *testing.T, s keyfront.Store, dist keyfront.DistributionID, p keyfront.Page) []string {
	t.Helper()
	var ids []string
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		got, err := tx.ListInvalidations(ctx, dist, p)
		ids = idsOf(got, func(inv *keyfront.Invalidation) string { return inv.ID })
		return err
	})
	return ids
}

func testInvalidations(t *testing.T, open func(*testing.T) keyfront.Store) {
	d1, d2, d3 := distributionID(1), distributionID(2), distributionID(3)

	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 1)
		tests := []struct {
			name string
			inv  *keyfront.Invalidation
		}{
			{"in progress", invalidation(d1, 'A', base)},
			{"completed, paths with specials", &keyfront.Invalidation{ID: invalidationID('B'), DistributionID: d1,
				Status: "Completed", CreateTime: base.Add(time.Second), CallerReference: "ref <&>",
				Paths: []string{"/*", "/a b/ü?x=1&y=2", "/images/*.jpg", "/a\nb"}}},
			{"one path", &keyfront.Invalidation{ID: invalidationID('C'), DistributionID: d1,
				Status: "InProgress", CreateTime: base, CallerReference: "c", Paths: []string{"/"}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				putInvalidations(t, s, tt.inv)
				view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
					got, err := tx.GetInvalidation(ctx, d1, tt.inv.ID)
					if err != nil {
						return err
					}
					if d := diff(got, tt.inv); d != "" {
						t.Errorf("get: %s", d)
					}
					listed, err := tx.ListInvalidations(ctx, d1, keyfront.Page{})
					if err != nil {
						return err
					}
					i := slices.IndexFunc(listed, func(inv *keyfront.Invalidation) bool { return inv.ID == tt.inv.ID })
					if i < 0 {
						t.Fatalf("list: %s missing", tt.inv.ID)
					}
					if d := diff(listed[i], tt.inv); d != "" {
						t.Errorf("list: %s", d)
					}
					return nil
				})
			})
		}
	})

	t.Run("Timestamp", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 1)
		in := time.Date(2025, time.March, 4, 5, 6, 7, 891_234_567, time.FixedZone("UTC-7", -7*3600))
		putInvalidations(t, s, invalidation(d1, 'A', in))
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			inv, err := tx.GetInvalidation(ctx, d1, invalidationID('A'))
			if err != nil {
				return err
			}
			got := inv.CreateTime
			if got.Location() != time.UTC {
				t.Errorf("location = %v, want UTC", got.Location())
			}
			if d := got.Sub(in); d <= -time.Millisecond || d >= time.Millisecond {
				t.Errorf("time = %v, want within 1ms of %v", got, in)
			}
			return nil
		})
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 2)
		putInvalidations(t, s, invalidation(d1, 'A', base))
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			tests := []struct {
				name string
				dist keyfront.DistributionID
				id   string
			}{
				{"unknown ID", d1, invalidationID('Z')},
				{"another distribution's", d2, invalidationID('A')},
				{"unknown distribution", d3, invalidationID('A')},
			}
			for _, tt := range tests {
				got, err := tx.GetInvalidation(ctx, tt.dist, tt.id)
				wantCode(t, "get, "+tt.name, err, keyfront.ENOTFOUND)
				if got != nil {
					t.Errorf("get, %s: returned %v, want nil", tt.name, got)
				}
			}
			_, err := tx.ListInvalidations(ctx, d3, keyfront.Page{})
			wantCode(t, "list, unknown distribution", err, keyfront.ENOTFOUND)
			err = tx.PutInvalidation(ctx, invalidation(d3, 'B', base))
			wantCode(t, "put, unknown distribution", err, keyfront.ENOTFOUND)
			return nil
		})
		// The failed put wrote nothing that a distribution created later
		// would inherit.
		putDistributions(t, s, 3)
		if got := listInvalidationIDs(t, s, d3, keyfront.Page{}); len(got) != 0 {
			t.Errorf("list after failed put = %q, want none", got)
		}
	})

	t.Run("Replace", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 1)
		putInvalidations(t, s, invalidation(d1, 'A', base), invalidation(d1, 'B', base))
		done := invalidation(d1, 'A', base.Add(time.Minute))
		done.Status, done.CallerReference, done.Paths = "Completed", "changed", []string{"/other"}
		putInvalidations(t, s, done)
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			got, err := tx.GetInvalidation(ctx, d1, done.ID)
			if err != nil {
				return err
			}
			if d := diff(got, done); d != "" {
				t.Errorf("replaced: %s", d)
			}
			return nil
		})
		if got, want := listInvalidationIDs(t, s, d1, keyfront.Page{}), []string{invalidationID('A'), invalidationID('B')}; !slices.Equal(got, want) {
			t.Errorf("list = %q, want %q", got, want)
		}
	})

	t.Run("Order", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 2)
		sec := func(n int) time.Time { return base.Add(time.Duration(n) * time.Second) }
		// Three share the newest time, so ID decides among them.
		putInvalidations(t, s,
			invalidation(d1, 'A', sec(1)),
			invalidation(d1, 'B', sec(3)),
			invalidation(d1, 'C', sec(2)),
			invalidation(d1, 'D', sec(3)),
			invalidation(d1, 'E', sec(0)),
			invalidation(d1, 'F', sec(3)),
			// Another distribution's, newer than all of d1's.
			invalidation(d2, 'G', sec(10)),
			invalidation(d2, 'H', sec(-10)),
		)
		ids := func(cs string) []string {
			var out []string
			for _, c := range []byte(cs) {
				out = append(out, invalidationID(c))
			}
			return out
		}
		tests := []struct {
			name string
			dist keyfront.DistributionID
			page keyfront.Page
			want []string
		}{
			{"all", d1, keyfront.Page{}, ids("FDBCAE")},
			{"limit", d1, keyfront.Page{Limit: 2}, ids("FD")},
			{"marker inside a tie", d1, keyfront.Page{Marker: invalidationID('F'), Limit: 2}, ids("DB")},
			{"marker at the end of a tie", d1, keyfront.Page{Marker: invalidationID('B')}, ids("CAE")},
			{"marker and limit", d1, keyfront.Page{Marker: invalidationID('C'), Limit: 1}, ids("A")},
			{"marker is the oldest", d1, keyfront.Page{Marker: invalidationID('E')}, nil},
			{"unknown marker starts at the newest", d1, keyfront.Page{Marker: invalidationID('Z'), Limit: 3}, ids("FDB")},
			{"another distribution's marker starts at the newest", d1, keyfront.Page{Marker: invalidationID('G')}, ids("FDBCAE")},
			{"other distribution", d2, keyfront.Page{}, ids("GH")},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := listInvalidationIDs(t, s, tt.dist, tt.page); !slices.Equal(got, tt.want) {
					t.Errorf("list(%s, %+v) = %q, want %q", tt.dist, tt.page, got, tt.want)
				}
			})
		}
		t.Run("walk", func(t *testing.T) {
			want := ids("FDBCAE")
			for limit := 1; limit <= len(want)+1; limit++ {
				var got []string
				marker := ""
				for pages := 0; ; pages++ {
					if pages > len(want)+1 {
						t.Fatalf("limit %d: paging does not end: %q", limit, got)
					}
					page := listInvalidationIDs(t, s, d1, keyfront.Page{Marker: marker, Limit: limit})
					got = append(got, page...)
					if len(page) < limit {
						break
					}
					marker = page[len(page)-1]
				}
				if !slices.Equal(got, want) {
					t.Errorf("limit %d: walked %q, want %q", limit, got, want)
				}
			}
		})
	})

	t.Run("DeleteDistributionCascades", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 2)
		putInvalidations(t, s,
			invalidation(d1, 'A', base), invalidation(d1, 'B', base), invalidation(d1, 'C', base),
			invalidation(d2, 'D', base))
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			return tx.DeleteDistribution(ctx, d1)
		})
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			_, err := tx.GetInvalidation(ctx, d1, invalidationID('A'))
			wantCode(t, "get invalidation of deleted distribution", err, keyfront.ENOTFOUND)
			_, err = tx.ListInvalidations(ctx, d1, keyfront.Page{})
			wantCode(t, "list invalidations of deleted distribution", err, keyfront.ENOTFOUND)
			return nil
		})
		// A distribution created again with the same ID starts with none.
		putDistributions(t, s, 1)
		if got := listInvalidationIDs(t, s, d1, keyfront.Page{}); len(got) != 0 {
			t.Errorf("recreated distribution's invalidations = %q, want none", got)
		}
		if got, want := listInvalidationIDs(t, s, d2, keyfront.Page{}), []string{invalidationID('D')}; !slices.Equal(got, want) {
			t.Errorf("other distribution's invalidations = %q, want %q", got, want)
		}
	})

	t.Run("PutDistributionKeepsInvalidations", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 1)
		putInvalidations(t, s, invalidation(d1, 'A', base), invalidation(d1, 'B', base))
		changed := distribution(1)
		changed.ETag, changed.Enabled, changed.Config = "E2CHANGED", !changed.Enabled, []byte("<DistributionConfig/>")
		update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutDistribution(ctx, changed) })
		if got, want := listInvalidationIDs(t, s, d1, keyfront.Page{}), []string{invalidationID('B'), invalidationID('A')}; !slices.Equal(got, want) {
			t.Errorf("invalidations after replacing the distribution = %q, want %q", got, want)
		}
	})

	t.Run("Copies", func(t *testing.T) {
		s := open(t)
		putDistributions(t, s, 1)
		in, want := invalidation(d1, 'A', base), invalidation(d1, 'A', base)
		putInvalidations(t, s, in)
		mutate := func(inv *keyfront.Invalidation) {
			inv.Status += "x"
			inv.CreateTime = inv.CreateTime.Add(time.Hour)
			inv.CallerReference += "x"
			for i := range inv.Paths {
				inv.Paths[i] += "x"
			}
		}
		mutate(in)
		for range 2 {
			view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
				got, err := tx.GetInvalidation(ctx, d1, want.ID)
				if err != nil {
					return err
				}
				if d := diff(got, want); d != "" {
					t.Errorf("after mutating what was put or got: %s", d)
				}
				mutate(got)
				listed, err := tx.ListInvalidations(ctx, d1, keyfront.Page{})
				if err != nil {
					return err
				}
				for _, l := range listed {
					mutate(l)
				}
				return nil
			})
		}
	})
}
