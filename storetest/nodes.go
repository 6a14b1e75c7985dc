package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"keyfront"
)

// testNodes runs the tests of GetNode, ListNodes, PutNode and DeleteNode.
// That a node's heartbeat is not a change is checked with the feed
// (feedNothingChanged, feedWaitIgnoresNonChanges).
func testNodes(t *testing.T, open func(*testing.T) keyfront.Store) {
	tests := []struct {
		name string
		run  func(*testing.T, keyfront.Store)
	}{
		{"RoundTrip", nodeRoundTrip},
		{"Heartbeat", nodeHeartbeat},
		{"List", nodeList},
		{"Delete", nodeDelete},
		{"BadArguments", nodeBadArguments},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, open(t)) })
	}
}

func node(id string, rev keyfront.Revision, seen time.Time) *keyfront.Node {
	return &keyfront.Node{ID: id, Revision: rev, LastSeen: seen}
}

func putNode(t *testing.T, s keyfront.Store, n *keyfront.Node) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.PutNode(ctx, n) })
}

func getNode(t *testing.T, s keyfront.Store, id string) *keyfront.Node {
	t.Helper()
	var n *keyfront.Node
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		var err error
		n, err = tx.GetNode(ctx, id)
		return err
	})
	return n
}

func nodeRoundTrip(t *testing.T, s keyfront.Store) {
	tests := []struct {
		name string
		n    *keyfront.Node
	}{
		{"registered", node("edge-a", 0, base)},
		{"applied a revision", node("edge-b", 42, base.Add(time.Hour))},
		{"non-UTC time", node("edge-c", 1, base.In(time.FixedZone("CET", 3600)))},
		{"zero time", node("edge-d", 1, time.Time{})},
		{"odd ID", node("host:7080/é 1", 7, base)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			putNode(t, s, tt.n)
			got := getNode(t, s, tt.n.ID)
			if d := diff(got, tt.n); d != "" {
				t.Errorf("GetNode: %s", d)
			}
			if got.LastSeen.Location() != time.UTC {
				t.Errorf("LastSeen in %v, want UTC", got.LastSeen.Location())
			}
		})
	}
	// The store keeps its own copy.
	n := node("edge-copy", 3, base)
	putNode(t, s, n)
	n.Revision = 99
	got := getNode(t, s, "edge-copy")
	if got.Revision != 3 {
		t.Errorf("Revision = %d after the caller changed its value, want 3", got.Revision)
	}
}

// nodeHeartbeat checks that PutNode replaces the node: that is how a node
// reports progress.
func nodeHeartbeat(t *testing.T, s keyfront.Store) {
	putNode(t, s, node("edge-a", 1, base))
	beat := node("edge-a", 5, base.Add(time.Second))
	putNode(t, s, beat)
	if d := diff(getNode(t, s, "edge-a"), beat); d != "" {
		t.Errorf("after a heartbeat: %s", d)
	}
}

func nodeList(t *testing.T, s keyfront.Store) {
	ids := []string{"edge-b", "edge-a", "edge-c", "b", "edge-aa"}
	for i, id := range ids {
		putNode(t, s, node(id, keyfront.Revision(i), base))
	}
	want := slices.Sorted(slices.Values(ids))
	tests := []struct {
		name string
		p    keyfront.Page
		want []string
	}{
		{"all", keyfront.Page{}, want},
		{"limit", keyfront.Page{Limit: 2}, want[:2]},
		{"marker", keyfront.Page{Marker: "edge-a"}, want[2:]},
		{"marker naming no node", keyfront.Page{Marker: "edge-ab", Limit: 1}, []string{"edge-b"}},
		{"marker after every node", keyfront.Page{Marker: "z"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
				ns, err := tx.ListNodes(ctx, tt.p)
				if err != nil {
					return err
				}
				got := idsOf(ns, func(n *keyfront.Node) string { return n.ID })
				if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
					t.Errorf("ListNodes(%+v) = %q, want %q", tt.p, got, tt.want)
				}
				return nil
			})
		})
	}
}

func nodeDelete(t *testing.T, s keyfront.Store) {
	putNode(t, s, node("edge-a", 1, base))
	putNode(t, s, node("edge-b", 1, base))
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error { return tx.DeleteNode(ctx, "edge-a") })
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		_, err := tx.GetNode(ctx, "edge-a")
		wantCode(t, "GetNode after DeleteNode", err, keyfront.ENOTFOUND)
		_, err = tx.GetNode(ctx, "edge-b")
		return err
	})
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		wantCode(t, "DeleteNode of a missing node", tx.DeleteNode(ctx, "edge-a"), keyfront.ENOTFOUND)
		return nil
	})
}

func nodeBadArguments(t *testing.T, s keyfront.Store) {
	putNode(t, s, node("edge-a", 1, base))
	update(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		wantCode(t, "PutNode with an empty ID", tx.PutNode(ctx, node("", 1, base)), keyfront.EINVALID)
		wantCode(t, "PutNode with a negative revision", tx.PutNode(ctx, node("edge-b", -1, base)), keyfront.EINVALID)
		_, err := tx.GetNode(ctx, "edge-missing")
		wantCode(t, "GetNode of a missing node", err, keyfront.ENOTFOUND)
		_, err = tx.ListNodes(ctx, keyfront.Page{Limit: -1})
		wantCode(t, "ListNodes with a negative limit", err, keyfront.EINVALID)
		return nil
	})
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		for _, w := range []struct {
			name string
			err  error
		}{
			{"PutNode", tx.PutNode(ctx, node("edge-b", 1, base))},
			{"DeleteNode", tx.DeleteNode(ctx, "edge-a")},
		} {
			if w.err == nil {
				t.Errorf("%s in View: error = nil, want an error", w.name)
			}
		}
		return nil
	})
	view(t, s, func(ctx context.Context, tx keyfront.Tx) error {
		ns, err := tx.ListNodes(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		if got := fmt.Sprint(idsOf(ns, func(n *keyfront.Node) string { return n.ID })); got != "[edge-a]" {
			t.Errorf("nodes after refused writes = %s, want [edge-a]", got)
		}
		return nil
	})
}
