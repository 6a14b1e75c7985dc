// Package inmem implements keyfront.Store in memory, for tests: any
// package's tests can run its code against a real Store without a
// database file. It passes the storetest conformance suite; it does not
// implement keyfront.ObjectTx, so it cannot back the embedded S3 origin.
//
// # Transactions
//
// Updates are serialised by one mutex and work on a copy of the state
// (copy-on-write maps: the cost of an Update grows with the number of
// records, which is fine for tests and nothing else). The copy is published
// only when the function returns nil and the context is still live, so a
// failed, panicking or cancelled Update leaves nothing behind. A View reads
// the state published when it starts and blocks nobody, and nobody blocks
// it. Records are copied on the way in and out, as keyfront.Tx requires.
//
// # Change feed
//
// The log of changes is a slice shared by successive states: an Update
// only appends to it (serialised, beyond the length any published state
// sees) and prunes it by reslicing, so copying a state copies no change.
// Waiters are woken by the Update that publishes a new revision; there is
// no other process to poll.
//
// # Errors
//
// Every error the store itself returns is a *keyfront.Error, with Op
// "inmem: …": ENOTFOUND for a missing record, EINVALID for a malformed
// argument, EINTERNAL for a write inside View, a closed store or a
// cancelled context (which errors.Is still finds).
package inmem

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"sync"

	"keyfront"
)

// Store is an in-memory keyfront.Store. The zero value is not usable; call
// New. It is safe for concurrent use.
type Store struct {
	keep keyfront.Revision // Options.KeepRevisions, defaulted

	writer sync.Mutex // serialises Updates

	mu      sync.Mutex    // guards the fields below
	st      *state        // never modified once published
	closed  bool          // set by Close
	changed chan struct{} // closed when st's revision grows or the store closes; nil until a waiter needs it
}

// DefaultKeepRevisions is the default of Options.KeepRevisions.
const DefaultKeepRevisions = 10000

// Options tune a Store. The zero value is the defaults.
type Options struct {
	// KeepRevisions is how many revisions' changes the log keeps, as in
	// the SQLite store: committing revision R forgets the changes of
	// revisions at or below R-KeepRevisions. Zero means
	// DefaultKeepRevisions (10,000); negative is treated as zero.
	KeepRevisions int64
}

var _ keyfront.Store = (*Store)(nil)

// state is one version of everything the store holds. Records in its maps
// are never modified in place, so a copy of the maps is a snapshot.
type state struct {
	keys   map[keyfront.KeyPairID]*keyfront.PublicKey
	groups map[keyfront.KeyGroupID]*keyfront.KeyGroup
	oacs   map[string]*keyfront.OriginAccessControl
	dists  map[keyfront.DistributionID]*keyfront.Distribution
	invs   map[invKey]*keyfront.Invalidation
	nodes  map[string]*keyfront.Node

	rev    keyfront.Revision // the state's revision
	pruned keyfront.Revision // changes at or below it are no longer in log
	log    []keyfront.Change // the changes after pruned, in order; append only
}

// invKey identifies an invalidation: IDs are unique per distribution.
type invKey struct {
	dist keyfront.DistributionID
	id   string
}

// New returns an empty store with the default Options.
func New() *Store { return NewWith(Options{}) }

// NewWith returns an empty store tuned by o.
func NewWith(o Options) *Store {
	keep := keyfront.Revision(o.KeepRevisions)
	if keep <= 0 {
		keep = DefaultKeepRevisions
	}
	return &Store{keep: keep, st: &state{
		keys:   map[keyfront.KeyPairID]*keyfront.PublicKey{},
		groups: map[keyfront.KeyGroupID]*keyfront.KeyGroup{},
		oacs:   map[string]*keyfront.OriginAccessControl{},
		dists:  map[keyfront.DistributionID]*keyfront.Distribution{},
		invs:   map[invKey]*keyfront.Invalidation{},
		nodes:  map[string]*keyfront.Node{},
	}}
}

func (s *state) clone() *state {
	return &state{
		keys:   maps.Clone(s.keys),
		groups: maps.Clone(s.groups),
		oacs:   maps.Clone(s.oacs),
		dists:  maps.Clone(s.dists),
		invs:   maps.Clone(s.invs),
		nodes:  maps.Clone(s.nodes),
		rev:    s.rev,
		pruned: s.pruned,
		log:    s.log,
	}
}

// current returns the published state, or an error once the store is
// closed.
func (s *Store) current(op string) (*state, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: errors.New("store is closed")}
	}
	return s.st, nil
}

// View runs fn on the state published when it starts.
func (s *Store) View(ctx context.Context, fn func(keyfront.Tx) error) error {
	const op = "inmem: view"
	if err := ctx.Err(); err != nil {
		return canceled(op, err)
	}
	st, err := s.current(op)
	if err != nil {
		return err
	}
	return fn(&tx{st: st})
}

// Update runs fn on a copy of the state and publishes the copy if fn
// returns nil and ctx is still live.
func (s *Store) Update(ctx context.Context, fn func(keyfront.Tx) error) error {
	const op = "inmem: update"
	if err := ctx.Err(); err != nil {
		return canceled(op, err)
	}
	s.writer.Lock()
	defer s.writer.Unlock()
	cur, err := s.current(op)
	if err != nil {
		return err
	}
	t := &tx{st: cur.clone(), writable: true, keep: s.keep}
	if err := fn(t); err != nil {
		return err
	}
	// A function that ignored a cancellation must not commit: callers
	// rely on a cancelled Update writing nothing (storetest).
	if err := ctx.Err(); err != nil {
		return canceled("inmem: commit", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return &keyfront.Error{Code: keyfront.EINTERNAL, Op: "inmem: commit", Err: errors.New("store is closed")}
	}
	s.st = t.st
	if t.st.rev != cur.rev && s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	return nil
}

// Wait returns the revision as soon as it is greater than after; see
// keyfront.Store.
func (s *Store) Wait(ctx context.Context, after keyfront.Revision) (keyfront.Revision, error) {
	const op = "inmem: wait"
	if after < 0 {
		return 0, &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The revision is negative."}
	}
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return 0, &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: errors.New("store is closed")}
		}
		if rev := s.st.rev; rev > after {
			s.mu.Unlock()
			return rev, nil
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, canceled(op, ctx.Err())
		}
	}
}

// Close makes later transactions fail and wakes the Waits in progress.
// Transactions in progress finish.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	return nil
}

// canceled wraps a context's error so that errors.Is finds it.
func canceled(op string, err error) error {
	return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: err}
}

// tx is the keyfront.Tx of one View or Update.
type tx struct {
	st       *state
	writable bool // false inside View

	// Inside Update: how many revisions the log keeps, whether this
	// Update has advanced the revision, and the records it changed.
	keep    keyfront.Revision
	changed bool
	seen    map[keyfront.RecordID]bool
}

var _ keyfront.Tx = (*tx)(nil)

func notFound(op, what string) error {
	return &keyfront.Error{Code: keyfront.ENOTFOUND, Op: op, Message: "The specified " + what + " does not exist."}
}

// checkWrite refuses a write inside View.
func (t *tx) checkWrite(op string) error {
	if !t.writable {
		return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: errors.New("write inside a read-only transaction (View)")}
	}
	return nil
}

// checkPut refuses writes inside View and records without an ID, as the
// SQLite store does.
func (t *tx) checkPut(op, what, id string) error {
	if err := t.checkWrite(op); err != nil {
		return err
	}
	if id == "" {
		return &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The " + what + " has an empty ID."}
	}
	return nil
}

func checkPage(op string, p keyfront.Page) error {
	if p.Limit < 0 {
		return &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The page limit is negative."}
	}
	return nil
}

func get[K comparable, V any](m map[K]*V, id K, op, what string, clone func(*V) *V) (*V, error) {
	v, ok := m[id]
	if !ok {
		return nil, notFound(op, what)
	}
	return clone(v), nil
}

// list returns a page of m's records ordered by ID in byte order.
func list[K ~string, V any](m map[K]*V, op string, p keyfront.Page, clone func(*V) *V) ([]*V, error) {
	if err := checkPage(op, p); err != nil {
		return nil, err
	}
	ids := slices.Sorted(maps.Keys(m))
	out := []*V{}
	for _, id := range ids {
		if string(id) <= p.Marker {
			continue
		}
		out = append(out, clone(m[id]))
		if p.Limit > 0 && len(out) == p.Limit {
			break
		}
	}
	return out, nil
}

func put[K ~string, V any](t *tx, m map[K]*V, id K, v *V, op, what string, kind keyfront.RecordKind, clone func(*V) *V) error {
	if err := t.checkPut(op, what, string(id)); err != nil {
		return err
	}
	m[id] = clone(v)
	t.record(keyfront.RecordID{Kind: kind, ID: string(id)})
	return nil
}

func del[K ~string, V any](t *tx, m map[K]*V, id K, op, what string, kind keyfront.RecordKind) error {
	if err := t.checkWrite(op); err != nil {
		return err
	}
	if _, ok := m[id]; !ok {
		return notFound(op, what)
	}
	delete(m, id)
	t.record(keyfront.RecordID{Kind: kind, ID: string(id)})
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

// GetPublicKey returns the public key with that ID, or ENOTFOUND.
func (t *tx) GetPublicKey(_ context.Context, id keyfront.KeyPairID) (*keyfront.PublicKey, error) {
	return get(t.st.keys, id, "inmem: get public key", "public key", clonePublicKey)
}

// ListPublicKeys returns a page of public keys ordered by ID.
func (t *tx) ListPublicKeys(_ context.Context, p keyfront.Page) ([]*keyfront.PublicKey, error) {
	return list(t.st.keys, "inmem: list public keys", p, clonePublicKey)
}

// PutPublicKey inserts k or replaces the key with its ID.
func (t *tx) PutPublicKey(_ context.Context, k *keyfront.PublicKey) error {
	return put(t, t.st.keys, k.ID, k, "inmem: put public key", "public key", keyfront.KindPublicKey, clonePublicKey)
}

// DeletePublicKey deletes the public key with that ID, or returns ENOTFOUND.
func (t *tx) DeletePublicKey(_ context.Context, id keyfront.KeyPairID) error {
	return del(t, t.st.keys, id, "inmem: delete public key", "public key", keyfront.KindPublicKey)
}

// GetKeyGroup returns the key group with that ID, or ENOTFOUND.
func (t *tx) GetKeyGroup(_ context.Context, id keyfront.KeyGroupID) (*keyfront.KeyGroup, error) {
	return get(t.st.groups, id, "inmem: get key group", "key group", cloneKeyGroup)
}

// ListKeyGroups returns a page of key groups ordered by ID.
func (t *tx) ListKeyGroups(_ context.Context, p keyfront.Page) ([]*keyfront.KeyGroup, error) {
	return list(t.st.groups, "inmem: list key groups", p, cloneKeyGroup)
}

// PutKeyGroup inserts g or replaces the group with its ID.
func (t *tx) PutKeyGroup(_ context.Context, g *keyfront.KeyGroup) error {
	return put(t, t.st.groups, g.ID, g, "inmem: put key group", "key group", keyfront.KindKeyGroup, cloneKeyGroup)
}

// DeleteKeyGroup deletes the key group with that ID, or returns ENOTFOUND.
func (t *tx) DeleteKeyGroup(_ context.Context, id keyfront.KeyGroupID) error {
	return del(t, t.st.groups, id, "inmem: delete key group", "key group", keyfront.KindKeyGroup)
}

// GetOriginAccessControl returns the origin access control with that ID,
// or ENOTFOUND.
func (t *tx) GetOriginAccessControl(_ context.Context, id string) (*keyfront.OriginAccessControl, error) {
	return get(t.st.oacs, id, "inmem: get origin access control", "origin access control", cloneOAC)
}

// ListOriginAccessControls returns a page of origin access controls
// ordered by ID.
func (t *tx) ListOriginAccessControls(_ context.Context, p keyfront.Page) ([]*keyfront.OriginAccessControl, error) {
	return list(t.st.oacs, "inmem: list origin access controls", p, cloneOAC)
}

// PutOriginAccessControl inserts o or replaces the origin access control
// with its ID.
func (t *tx) PutOriginAccessControl(_ context.Context, o *keyfront.OriginAccessControl) error {
	return put(t, t.st.oacs, o.ID, o, "inmem: put origin access control", "origin access control", keyfront.KindOriginAccessControl, cloneOAC)
}

// DeleteOriginAccessControl deletes the origin access control with that
// ID, or returns ENOTFOUND.
func (t *tx) DeleteOriginAccessControl(_ context.Context, id string) error {
	return del(t, t.st.oacs, id, "inmem: delete origin access control", "origin access control", keyfront.KindOriginAccessControl)
}

// GetDistribution returns the distribution with that ID, or ENOTFOUND.
func (t *tx) GetDistribution(_ context.Context, id keyfront.DistributionID) (*keyfront.Distribution, error) {
	return get(t.st.dists, id, "inmem: get distribution", "distribution", cloneDistribution)
}

// ListDistributions returns a page of distributions ordered by ID.
func (t *tx) ListDistributions(_ context.Context, p keyfront.Page) ([]*keyfront.Distribution, error) {
	return list(t.st.dists, "inmem: list distributions", p, cloneDistribution)
}

// FindDistributions returns the IDs of the distributions q selects. The
// in-memory store scans them: it is for tests, and copies every map on
// each Update anyway.
func (t *tx) FindDistributions(_ context.Context, q keyfront.DistributionQuery, p keyfront.Page) ([]keyfront.DistributionID, error) {
	const op = "inmem: find distributions"
	if err := q.Check(); err != nil {
		err.(*keyfront.Error).Op = op
		return nil, err
	}
	if err := checkPage(op, p); err != nil {
		return nil, err
	}
	out := []keyfront.DistributionID{}
	for _, id := range slices.Sorted(maps.Keys(t.st.dists)) {
		d := t.st.dists[id]
		if string(id) <= p.Marker {
			continue
		}
		match := false
		switch {
		case q.CallerReference != "":
			match = d.CallerReference == q.CallerReference
		case q.Alias != "":
			match = slices.ContainsFunc(d.Aliases, func(a string) bool { return asciiLower(a) == asciiLower(q.Alias) })
		case q.DomainName != "":
			match = d.DomainName == q.DomainName
		case q.KeyGroupID != "":
			match = slices.Contains(d.KeyGroupIDs, q.KeyGroupID)
		default:
			match = slices.Contains(d.OriginAccessControlIDs, q.OriginAccessControlID)
		}
		if !match {
			continue
		}
		out = append(out, id)
		if p.Limit > 0 && len(out) == p.Limit {
			break
		}
	}
	return out, nil
}

// asciiLower lower-cases ASCII letters only, as SQLite's lower() does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// CountDistributions returns the number of distributions.
func (t *tx) CountDistributions(context.Context) (int, error) { return len(t.st.dists), nil }

// PutDistribution inserts d or replaces the distribution with its ID,
// keeping its invalidations.
func (t *tx) PutDistribution(_ context.Context, d *keyfront.Distribution) error {
	return put(t, t.st.dists, d.ID, d, "inmem: put distribution", "distribution", keyfront.KindDistribution, cloneDistribution)
}

// DeleteDistribution deletes the distribution with that ID and its
// invalidations, or returns ENOTFOUND.
func (t *tx) DeleteDistribution(_ context.Context, id keyfront.DistributionID) error {
	if err := del(t, t.st.dists, id, "inmem: delete distribution", "distribution", keyfront.KindDistribution); err != nil {
		return err
	}
	maps.DeleteFunc(t.st.invs, func(k invKey, _ *keyfront.Invalidation) bool { return k.dist == id })
	return nil
}

// GetInvalidation returns the invalidation with that ID if it belongs to
// dist, or ENOTFOUND.
func (t *tx) GetInvalidation(_ context.Context, dist keyfront.DistributionID, id string) (*keyfront.Invalidation, error) {
	return get(t.st.invs, invKey{dist, id}, "inmem: get invalidation", "invalidation", cloneInvalidation)
}

// ListInvalidations lists dist's invalidations newest first, by CreateTime
// then ID, both descending. A Marker that names no invalidation of dist
// starts the list at the newest, as in the SQLite store.
func (t *tx) ListInvalidations(_ context.Context, dist keyfront.DistributionID, p keyfront.Page) ([]*keyfront.Invalidation, error) {
	const op = "inmem: list invalidations"
	if err := checkPage(op, p); err != nil {
		return nil, err
	}
	if _, ok := t.st.dists[dist]; !ok {
		return nil, notFound(op, "distribution")
	}
	var all []*keyfront.Invalidation
	for k, inv := range t.st.invs {
		if k.dist == dist {
			all = append(all, inv)
		}
	}
	slices.SortFunc(all, func(a, b *keyfront.Invalidation) int {
		if c := b.CreateTime.Compare(a.CreateTime); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if i := slices.IndexFunc(all, func(inv *keyfront.Invalidation) bool { return inv.ID == p.Marker }); p.Marker != "" && i >= 0 {
		all = all[i+1:]
	}
	if p.Limit > 0 && len(all) > p.Limit {
		all = all[:p.Limit]
	}
	out := make([]*keyfront.Invalidation, len(all))
	for i, inv := range all {
		out[i] = cloneInvalidation(inv)
	}
	return out, nil
}

// PutInvalidation inserts inv or replaces the invalidation with its
// distribution and ID. It returns ENOTFOUND if the distribution does not
// exist.
func (t *tx) PutInvalidation(_ context.Context, inv *keyfront.Invalidation) error {
	const op = "inmem: put invalidation"
	if err := t.checkPut(op, "invalidation", inv.ID); err != nil {
		return err
	}
	if _, ok := t.st.dists[inv.DistributionID]; !ok {
		return notFound(op, "distribution")
	}
	t.st.invs[invKey{inv.DistributionID, inv.ID}] = cloneInvalidation(inv)
	t.record(keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: inv.ID, DistributionID: inv.DistributionID})
	return nil
}
