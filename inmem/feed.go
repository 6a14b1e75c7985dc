package inmem

import (
	"context"
	"slices"
	"sort"

	"keyfront"
)

// record notes in the log that the Update put or deleted r: its first
// change advances the revision and prunes the log; a record already
// changed by this Update is not repeated.
func (t *tx) record(r keyfront.RecordID) {
	if t.seen[r] {
		return
	}
	st := t.st
	if !t.changed {
		t.changed = true
		t.seen = map[keyfront.RecordID]bool{}
		st.rev++
		if p := st.rev - t.keep; p > st.pruned {
			st.pruned = p
			i := sort.Search(len(st.log), func(i int) bool { return st.log[i].Revision > p })
			st.log = st.log[i:]
		}
	}
	t.seen[r] = true
	st.log = append(st.log, keyfront.Change{RecordID: r, Revision: st.rev})
}

// Revision returns the revision this transaction sees.
func (t *tx) Revision(context.Context) (keyfront.Revision, error) { return t.st.rev, nil }

// Changes lists the changes after since that this transaction sees.
func (t *tx) Changes(_ context.Context, since keyfront.Revision) (*keyfront.ChangeList, error) {
	if since < 0 {
		return nil, &keyfront.Error{Code: keyfront.EINVALID, Op: "inmem: changes", Message: "The revision is negative."}
	}
	st := t.st
	cl := &keyfront.ChangeList{Revision: st.rev, Changes: []keyfront.Change{}}
	switch {
	case since > st.rev:
		cl.Reload = keyfront.ReloadAhead
	case since < st.pruned:
		cl.Reload = keyfront.ReloadPruned
	default:
		i := sort.Search(len(st.log), func(i int) bool { return st.log[i].Revision > since })
		cl.Changes = append(cl.Changes, st.log[i:]...)
	}
	return cl, nil
}

// LastChange returns the revision of the last change to r this
// transaction sees, or the revision up to which the log is pruned when it
// no longer holds one.
func (t *tx) LastChange(_ context.Context, r keyfront.RecordID) (keyfront.Revision, error) {
	if err := r.Check(); err != nil {
		return 0, &keyfront.Error{Code: keyfront.EINVALID, Op: "inmem: last change", Message: keyfront.ErrorMessage(err)}
	}
	for _, c := range slices.Backward(t.st.log) {
		if c.RecordID == r {
			return c.Revision, nil
		}
	}
	return t.st.pruned, nil
}

func cloneNode(n *keyfront.Node) *keyfront.Node {
	c := *n
	c.LastSeen = c.LastSeen.UTC()
	return &c
}

// GetNode returns the node with that ID, or ENOTFOUND.
func (t *tx) GetNode(_ context.Context, id string) (*keyfront.Node, error) {
	return get(t.st.nodes, id, "inmem: get node", "node", cloneNode)
}

// ListNodes returns a page of nodes ordered by ID.
func (t *tx) ListNodes(_ context.Context, p keyfront.Page) ([]*keyfront.Node, error) {
	return list(t.st.nodes, "inmem: list nodes", p, cloneNode)
}

// PutNode registers n or replaces the node with its ID. It is not a
// change: the revision stays.
func (t *tx) PutNode(_ context.Context, n *keyfront.Node) error {
	const op = "inmem: put node"
	if err := t.checkPut(op, "node", n.ID); err != nil {
		return err
	}
	if n.Revision < 0 {
		return &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The node's revision is negative."}
	}
	t.st.nodes[n.ID] = cloneNode(n)
	return nil
}

// DeleteNode deletes the node with that ID, or returns ENOTFOUND.
func (t *tx) DeleteNode(_ context.Context, id string) error {
	const op = "inmem: delete node"
	if err := t.checkWrite(op); err != nil {
		return err
	}
	if _, ok := t.st.nodes[id]; !ok {
		return notFound(op, "node")
	}
	delete(t.st.nodes, id)
	return nil
}
