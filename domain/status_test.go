package domain_test

import (
	"context"
	"testing"
	"time"

	"keyfront"
	"keyfront/domain"
)

// revision returns the store's revision now.
func (f *fixture) revision() keyfront.Revision {
	f.t.Helper()
	var rev keyfront.Revision
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		rev, err = tx.Revision(ctx)
		return err
	})
	return rev
}

// putNode reports a node at rev, last seen at seen.
func (f *fixture) putNode(id string, rev keyfront.Revision, seen time.Time) {
	f.t.Helper()
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		return tx.PutNode(ctx, &keyfront.Node{ID: id, Revision: rev, LastSeen: seen})
	})
}

// statuses returns the status of d and of inv as the rules see them now.
func (f *fixture) statuses(d *keyfront.Distribution, inv *keyfront.Invalidation) (dist, invalidation string) {
	f.t.Helper()
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		p, err := f.rules.Progress(ctx, tx)
		if err != nil {
			return err
		}
		if dist, err = domain.DistributionStatus(ctx, tx, p, d); err != nil {
			return err
		}
		invalidation, err = domain.InvalidationStatus(ctx, tx, p, inv)
		return err
	})
	return dist, invalidation
}

// TestStatusFollowsTheLiveNodes pins down when a distribution is Deployed
// and an invalidation Completed: once every live node has applied the
// revisions they depend on, and at once when no node is live.
func TestStatusFollowsTheLiveNodes(t *testing.T) {
	f := newFixture(t, domain.Quotas{})
	k1, k2 := f.createKey("k1"), f.createKey("k2")
	g := f.createGroup("g", k1.ID, k2.ID)
	d := f.createDistribution(config(t, "d", nil, g.ID))
	var inv *keyfront.Invalidation
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		inv, _, err = f.rules.CreateInvalidation(ctx, tx, d.ID, domain.InvalidationBatch{CallerReference: "i", Paths: []string{"/a"}})
		return err
	})
	afterInvalidation := f.revision()
	// The key leaves the group: the distribution depends on that change.
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		_, err := f.rules.UpdateKeyGroup(ctx, tx, g.ID, g.ETag, domain.KeyGroupConfig{Name: "g", Items: []keyfront.KeyPairID{k1.ID}})
		return err
	})
	afterKeyLeft := f.revision()
	if afterKeyLeft <= afterInvalidation {
		t.Fatalf("revision after the key group update %d, want above %d", afterKeyLeft, afterInvalidation)
	}
	now := time.Now()
	stale := now.Add(-2 * domain.DefaultLiveTimeout)

	for _, tc := range []struct {
		name                       string
		nodes                      map[string]keyfront.Revision // node ID → revision, live
		staleNodes                 map[string]keyfront.Revision
		wantDist, wantInvalidation string
	}{
		{name: "no node at all", wantDist: "Deployed", wantInvalidation: "Completed"},
		{name: "only a stale node behind", staleNodes: map[string]keyfront.Revision{"a": 0},
			wantDist: "Deployed", wantInvalidation: "Completed"},
		{name: "a live node before the invalidation", nodes: map[string]keyfront.Revision{"a": afterInvalidation - 1},
			wantDist: "InProgress", wantInvalidation: "InProgress"},
		{name: "a live node between the invalidation and the key group", nodes: map[string]keyfront.Revision{"a": afterInvalidation},
			wantDist: "InProgress", wantInvalidation: "Completed"},
		{name: "one live node caught up, another behind", nodes: map[string]keyfront.Revision{"a": afterKeyLeft, "b": afterInvalidation},
			wantDist: "InProgress", wantInvalidation: "Completed"},
		{name: "every live node caught up, a stale one behind", nodes: map[string]keyfront.Revision{"a": afterKeyLeft, "b": afterKeyLeft},
			staleNodes: map[string]keyfront.Revision{"c": 0}, wantDist: "Deployed", wantInvalidation: "Completed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.must(func(ctx context.Context, tx keyfront.Tx) error {
				nodes, err := tx.ListNodes(ctx, keyfront.Page{})
				for _, n := range nodes {
					if err := tx.DeleteNode(ctx, n.ID); err != nil {
						return err
					}
				}
				return err
			})
			for id, rev := range tc.nodes {
				f.putNode(id, rev, now)
			}
			for id, rev := range tc.staleNodes {
				f.putNode(id, rev, stale)
			}
			gotDist, gotInv := f.statuses(d, inv)
			if gotDist != tc.wantDist || gotInv != tc.wantInvalidation {
				t.Errorf("distribution %s, invalidation %s; want %s, %s", gotDist, gotInv, tc.wantDist, tc.wantInvalidation)
			}
		})
	}
}

// TestDependencyRevision checks that each record a distribution depends on
// moves its dependency revision: the distribution, its key groups, their
// public keys and its origin access controls.
func TestDependencyRevision(t *testing.T) {
	f := newFixture(t, domain.Quotas{})
	k := f.createKey("k")
	g := f.createGroup("g", k.ID)
	d := f.createDistribution(config(t, "d", nil, g.ID))
	created := f.revision()
	other := f.createDistribution(config(t, "other", nil))
	otherCreated := f.revision()
	dep := func(d *keyfront.Distribution) keyfront.Revision {
		t.Helper()
		var rev keyfront.Revision
		f.must(func(ctx context.Context, tx keyfront.Tx) error {
			var err error
			rev, err = domain.DependencyRevision(ctx, tx, d)
			return err
		})
		return rev
	}
	if got, want := dep(d), created; got != want {
		t.Errorf("after creating it: %d, want %d (its own creation)", got, want)
	}
	f.must(func(ctx context.Context, tx keyfront.Tx) error {
		_, err := f.rules.UpdatePublicKey(ctx, tx, k.ID, k.ETag, domain.PublicKeyConfig{CallerReference: "k", Name: "k", EncodedKey: k.EncodedKey, Comment: "renamed"})
		return err
	})
	if got, want := dep(d), f.revision(); got != want {
		t.Errorf("after updating its key: %d, want %d", got, want)
	}
	if got, want := dep(other), otherCreated; got != want {
		t.Errorf("a distribution trusting no group: %d, want %d (the key's update is none of its business)", got, want)
	}
}
