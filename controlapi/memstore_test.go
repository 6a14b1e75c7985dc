package controlapi_test

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"

	"keyfront"
)

// memStore is an in-memory keyfront.Store for the handler tests. Updates
// are serialised by one mutex and work on a copy of the state, swapped in
// on success, so a failed, panicking or cancelled transaction leaves
// nothing behind; a View reads the snapshot current when it starts and
// blocks nobody. Records are copied on the way in and out, as the
// interface requires. It passes the storetest conformance suite.
type memStore struct {
	writer sync.Mutex // serialises Updates
	mu     sync.Mutex // guards st
	st     *memState  // never modified once published
}

type memState struct {
	keys   map[keyfront.KeyPairID]*keyfront.PublicKey
	groups map[keyfront.KeyGroupID]*keyfront.KeyGroup
	oacs   map[string]*keyfront.OriginAccessControl
	dists  map[keyfront.DistributionID]*keyfront.Distribution
	invs   map[string]*keyfront.Invalidation // by DistributionID + "/" + ID
}

var _ keyfront.Store = (*memStore)(nil)

func newMemStore() *memStore {
	return &memStore{st: &memState{
		keys:   map[keyfront.KeyPairID]*keyfront.PublicKey{},
		groups: map[keyfront.KeyGroupID]*keyfront.KeyGroup{},
		oacs:   map[string]*keyfront.OriginAccessControl{},
		dists:  map[keyfront.DistributionID]*keyfront.Distribution{},
		invs:   map[string]*keyfront.Invalidation{},
	}}
}

func (m *memStore) snapshot() *memState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st
}

func (m *memStore) View(ctx context.Context, fn func(keyfront.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(&memTx{st: m.snapshot(), readOnly: true})
}

func (m *memStore) Update(ctx context.Context, fn func(keyfront.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.writer.Lock()
	defer m.writer.Unlock()
	cur := m.snapshot()
	// Records are never modified in place, so copying the maps suffices.
	st := &memState{
		keys:   cloneMap(cur.keys),
		groups: cloneMap(cur.groups),
		oacs:   cloneMap(cur.oacs),
		dists:  cloneMap(cur.dists),
		invs:   cloneMap(cur.invs),
	}
	if err := fn(&memTx{st: st}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	m.st = st
	m.mu.Unlock()
	return nil
}

func (m *memStore) Close() error { return nil }

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

type memTx struct {
	st       *memState
	readOnly bool
}

var errReadOnly = errors.New("memstore: write in a read-only transaction")

func notFound(what string) error {
	return &keyfront.Error{Code: keyfront.ENOTFOUND, Message: what + " not found", Op: "memstore"}
}

func get[K comparable, V any](m map[K]*V, id K, what string, clone func(*V) *V) (*V, error) {
	v, ok := m[id]
	if !ok {
		return nil, notFound(what)
	}
	return clone(v), nil
}

func list[K ~string, V any](m map[K]*V, p keyfront.Page, clone func(*V) *V) []*V {
	ids := make([]K, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []*V
	for _, id := range ids {
		if p.Marker != "" && string(id) <= p.Marker {
			continue
		}
		out = append(out, clone(m[id]))
		if p.Limit > 0 && len(out) == p.Limit {
			break
		}
	}
	return out
}

func put[K comparable, V any](t *memTx, m map[K]*V, id K, v *V, clone func(*V) *V) error {
	if t.readOnly {
		return errReadOnly
	}
	m[id] = clone(v)
	return nil
}

func del[K comparable, V any](t *memTx, m map[K]*V, id K, what string) error {
	if t.readOnly {
		return errReadOnly
	}
	if _, ok := m[id]; !ok {
		return notFound(what)
	}
	delete(m, id)
	return nil
}

func clonePublicKey(k *keyfront.PublicKey) *keyfront.PublicKey {
	c := *k
	c.CreatedTime = c.CreatedTime.UTC()
	return &c
}

func cloneKeyGroup(g *keyfront.KeyGroup) *keyfront.KeyGroup {
	c := *g
	c.LastModifiedTime = c.LastModifiedTime.UTC()
	c.Items = slices.Clone(g.Items)
	if g.Comment != nil {
		s := *g.Comment
		c.Comment = &s
	}
	return &c
}

func cloneOAC(o *keyfront.OriginAccessControl) *keyfront.OriginAccessControl {
	c := *o
	c.LastModifiedTime = c.LastModifiedTime.UTC()
	return &c
}

func cloneDistribution(d *keyfront.Distribution) *keyfront.Distribution {
	c := *d
	c.LastModifiedTime = c.LastModifiedTime.UTC()
	c.Aliases = slices.Clone(d.Aliases)
	c.KeyGroupIDs = slices.Clone(d.KeyGroupIDs)
	c.OriginAccessControlIDs = slices.Clone(d.OriginAccessControlIDs)
	c.Config = slices.Clone(d.Config)
	c.Tags = nil
	for _, t := range d.Tags {
		if t.Value != nil {
			v := *t.Value
			t.Value = &v
		}
		c.Tags = append(c.Tags, t)
	}
	return &c
}

func cloneInvalidation(i *keyfront.Invalidation) *keyfront.Invalidation {
	c := *i
	c.CreateTime = c.CreateTime.UTC()
	c.Paths = slices.Clone(i.Paths)
	return &c
}

func (t *memTx) GetPublicKey(_ context.Context, id keyfront.KeyPairID) (*keyfront.PublicKey, error) {
	return get(t.st.keys, id, "public key", clonePublicKey)
}
func (t *memTx) ListPublicKeys(_ context.Context, p keyfront.Page) ([]*keyfront.PublicKey, error) {
	return list(t.st.keys, p, clonePublicKey), nil
}
func (t *memTx) PutPublicKey(_ context.Context, k *keyfront.PublicKey) error {
	return put(t, t.st.keys, k.ID, k, clonePublicKey)
}
func (t *memTx) DeletePublicKey(_ context.Context, id keyfront.KeyPairID) error {
	return del(t, t.st.keys, id, "public key")
}

func (t *memTx) GetKeyGroup(_ context.Context, id keyfront.KeyGroupID) (*keyfront.KeyGroup, error) {
	return get(t.st.groups, id, "key group", cloneKeyGroup)
}
func (t *memTx) ListKeyGroups(_ context.Context, p keyfront.Page) ([]*keyfront.KeyGroup, error) {
	return list(t.st.groups, p, cloneKeyGroup), nil
}
func (t *memTx) PutKeyGroup(_ context.Context, g *keyfront.KeyGroup) error {
	return put(t, t.st.groups, g.ID, g, cloneKeyGroup)
}
func (t *memTx) DeleteKeyGroup(_ context.Context, id keyfront.KeyGroupID) error {
	return del(t, t.st.groups, id, "key group")
}

func (t *memTx) GetOriginAccessControl(_ context.Context, id string) (*keyfront.OriginAccessControl, error) {
	return get(t.st.oacs, id, "origin access control", cloneOAC)
}
func (t *memTx) ListOriginAccessControls(_ context.Context, p keyfront.Page) ([]*keyfront.OriginAccessControl, error) {
	return list(t.st.oacs, p, cloneOAC), nil
}
func (t *memTx) PutOriginAccessControl(_ context.Context, o *keyfront.OriginAccessControl) error {
	return put(t, t.st.oacs, o.ID, o, cloneOAC)
}
func (t *memTx) DeleteOriginAccessControl(_ context.Context, id string) error {
	return del(t, t.st.oacs, id, "origin access control")
}

func (t *memTx) GetDistribution(_ context.Context, id keyfront.DistributionID) (*keyfront.Distribution, error) {
	return get(t.st.dists, id, "distribution", cloneDistribution)
}
func (t *memTx) ListDistributions(_ context.Context, p keyfront.Page) ([]*keyfront.Distribution, error) {
	return list(t.st.dists, p, cloneDistribution), nil
}
func (t *memTx) PutDistribution(_ context.Context, d *keyfront.Distribution) error {
	return put(t, t.st.dists, d.ID, d, cloneDistribution)
}
func (t *memTx) DeleteDistribution(_ context.Context, id keyfront.DistributionID) error {
	if err := del(t, t.st.dists, id, "distribution"); err != nil {
		return err
	}
	for k, inv := range t.st.invs {
		if inv.DistributionID == id {
			delete(t.st.invs, k)
		}
	}
	return nil
}

func (t *memTx) GetInvalidation(_ context.Context, dist keyfront.DistributionID, id string) (*keyfront.Invalidation, error) {
	return get(t.st.invs, string(dist)+"/"+id, "invalidation", cloneInvalidation)
}

// ListInvalidations lists newest first, by CreateTime then ID (descending).
func (t *memTx) ListInvalidations(_ context.Context, dist keyfront.DistributionID, p keyfront.Page) ([]*keyfront.Invalidation, error) {
	if _, ok := t.st.dists[dist]; !ok {
		return nil, notFound("distribution")
	}
	var all []*keyfront.Invalidation
	for _, inv := range t.st.invs {
		if inv.DistributionID == dist {
			all = append(all, inv)
		}
	}
	slices.SortFunc(all, func(a, b *keyfront.Invalidation) int {
		if c := b.CreateTime.Compare(a.CreateTime); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if p.Marker != "" {
		for i, inv := range all {
			if inv.ID == p.Marker {
				all = all[i+1:]
				break
			}
		}
	}
	var out []*keyfront.Invalidation
	for _, inv := range all {
		out = append(out, cloneInvalidation(inv))
		if p.Limit > 0 && len(out) == p.Limit {
			break
		}
	}
	return out, nil
}

func (t *memTx) PutInvalidation(_ context.Context, inv *keyfront.Invalidation) error {
	if _, ok := t.st.dists[inv.DistributionID]; !ok && !t.readOnly {
		return notFound("distribution")
	}
	return put(t, t.st.invs, string(inv.DistributionID)+"/"+inv.ID, inv, cloneInvalidation)
}
