package storetest

import (
	"context"
	"fmt"
	"testing"

	"keyfront"
)

// testFindDistributions pins down Tx.FindDistributions and
// CountDistributions: every attribute selects what it should, after a put
// that changes it and after a delete, in ID order, paged.
func testFindDistributions(t *testing.T, open func(*testing.T) keyfront.Store) {
	s := open(t)
	putDistributions(t, s, 3)
	find := func(q keyfront.DistributionQuery, p keyfront.Page) string {
		t.Helper()
		var got []keyfront.DistributionID
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			var err error
			got, err = tx.FindDistributions(ctx, q, p)
			return err
		})
		return fmt.Sprint(got)
	}
	ids := func(is ...int) string {
		out := []keyfront.DistributionID{}
		for _, i := range is {
			out = append(out, distributionID(i))
		}
		return fmt.Sprint(out)
	}
	count := func() int {
		t.Helper()
		var n int
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			var err error
			n, err = tx.CountDistributions(ctx)
			return err
		})
		return n
	}
	check := func(stage string, tests []struct {
		name string
		q    keyfront.DistributionQuery
		p    keyfront.Page
		want string
	}) {
		t.Helper()
		for _, tc := range tests {
			if got := find(tc.q, tc.p); got != tc.want {
				t.Errorf("%s, %s: FindDistributions = %s, want %s", stage, tc.name, got, tc.want)
			}
		}
	}
	type test = struct {
		name string
		q    keyfront.DistributionQuery
		p    keyfront.Page
		want string
	}
	check("three distributions", []test{
		{"caller reference", keyfront.DistributionQuery{CallerReference: "dist-2"}, keyfront.Page{}, ids(2)},
		{"unknown caller reference", keyfront.DistributionQuery{CallerReference: "dist-9"}, keyfront.Page{}, ids()},
		{"domain name", keyfront.DistributionQuery{DomainName: distribution(3).DomainName}, keyfront.Page{}, ids(3)},
		{"alias of one", keyfront.DistributionQuery{Alias: "www1.example.com"}, keyfront.Page{}, ids(1)},
		{"alias in another case", keyfront.DistributionQuery{Alias: "WWW1.Example.COM"}, keyfront.Page{}, ids(1)},
		{"alias of all", keyfront.DistributionQuery{Alias: "cdn.example.com"}, keyfront.Page{}, ids(1, 2, 3)},
		{"alias of all, paged", keyfront.DistributionQuery{Alias: "cdn.example.com"}, keyfront.Page{Marker: string(distributionID(1)), Limit: 1}, ids(2)},
		{"key group of two", keyfront.DistributionQuery{KeyGroupID: keyGroupID(2)}, keyfront.Page{}, ids(1, 2)},
		{"origin access control", keyfront.DistributionQuery{OriginAccessControlID: distribution(3).OriginAccessControlIDs[0]}, keyfront.Page{}, ids(3)},
	})
	if got, want := count(), 3; got != want {
		t.Errorf("CountDistributions = %d, want %d", got, want)
	}

	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		d := distribution(2)
		d.Aliases = []string{"Moved.Example.com"}
		d.KeyGroupIDs = nil
		if err := tx.PutDistribution(ctx, d); err != nil {
			return err
		}
		return tx.DeleteDistribution(ctx, distributionID(1))
	})
	check("2 changed and 1 deleted", []test{
		{"caller reference of the deleted", keyfront.DistributionQuery{CallerReference: "dist-1"}, keyfront.Page{}, ids()},
		{"old alias", keyfront.DistributionQuery{Alias: "cdn.example.com"}, keyfront.Page{}, ids(3)},
		{"new alias", keyfront.DistributionQuery{Alias: "moved.example.com"}, keyfront.Page{}, ids(2)},
		{"key group it left", keyfront.DistributionQuery{KeyGroupID: keyGroupID(2)}, keyfront.Page{}, ids()},
		{"key group of the rest", keyfront.DistributionQuery{KeyGroupID: keyGroupID(3)}, keyfront.Page{}, ids(3)},
	})
	if got, want := count(), 2; got != want {
		t.Errorf("CountDistributions after a delete = %d, want %d", got, want)
	}

	for _, q := range []keyfront.DistributionQuery{{}, {CallerReference: "a", Alias: "b"}} {
		view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
			_, err := tx.FindDistributions(ctx, q, keyfront.Page{})
			wantCode(t, fmt.Sprintf("FindDistributions(%+v)", q), err, keyfront.EINVALID)
			return nil
		})
	}
}
