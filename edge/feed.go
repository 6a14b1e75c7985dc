package edge

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"keyfront"
	"keyfront/model"
	"keyfront/signing"
)

// The edge follows the store's change feed (keyfront.Store, Revision): it
// reads every record it uses once, notes the revision, and from then on
// waits for the next revision and reads only what changed, in one read
// transaction with the list of changes, so that what it applies is the
// configuration as of one revision. A change rebuilds only the
// distributions it touches: the distribution itself, or those whose
// behaviors trust a changed key group or a group holding a changed key, or
// whose origins use a changed origin access control. Invalidations are
// records too: the edge purges the paths of each one it sees before it
// says that it applied the revision.
//
// The edge is a node of the store (keyfront.Node): it reports, right after
// applying a revision and at least every Config.HeartbeatInterval, the
// highest revision R such that it serves the configuration as of R and
// has purged every invalidation at or below R. The control plane compares
// that with what a distribution or an invalidation depends on to say
// Deployed or Completed, so a node never reports a revision before both
// hold: the snapshot is swapped, then the cache purged, then the revision
// recorded (Server.Revision), then the node written.

// Retry delays after a failed read of the store or report of the node: the
// edge keeps serving its last snapshot and tries again, doubling the delay
// from retryMin up to retryMax.
const (
	retryMin = 100 * time.Millisecond
	retryMax = 5 * time.Second
)

// DefaultHeartbeatInterval is the default of Config.HeartbeatInterval.
const DefaultHeartbeatInterval = time.Second

// configState is what the edge knows of the store, as of revision rev: the
// records it follows and what it built from them. Guarded by
// Server.reloadMu.
type configState struct {
	rev    keyfront.Revision
	dists  map[keyfront.DistributionID]*keyfront.Distribution
	groups map[keyfront.KeyGroupID]*keyfront.KeyGroup
	keys   map[keyfront.KeyPairID]*keyfront.PublicKey
	oacs   map[string]*keyfront.OriginAccessControl

	// built are the distributions served: those whose configuration
	// decodes.
	built map[keyfront.DistributionID]*distribution
	// claims lists, for each host, the built distributions that claim it,
	// in ID order. The control API keeps aliases unique; if two
	// distributions claim one anyway, the lower ID serves it, so that the
	// choice does not depend on the order of changes.
	claims map[string][]keyfront.DistributionID
	// byGroup, byOAC and bySelf index built distributions by the records
	// they were built from (distribution.groupDeps, oacDeps, selfDep).
	byGroup map[keyfront.KeyGroupID]map[keyfront.DistributionID]struct{}
	byOAC   map[string]map[keyfront.DistributionID]struct{}
	bySelf  map[keyfront.DistributionID]struct{}

	// Parsed configurations by distribution ID and ETag, and public keys
	// by ID and PEM, so that a full reload decodes only what changed
	// (signed-urls.md §10: keys are parsed once).
	configs map[keyfront.DistributionID]parsedConfig
	parsed  map[keyfront.KeyPairID]parsedKey
}

type parsedConfig struct {
	etag string
	cfg  *model.DistributionConfig
	err  error
}

type parsedKey struct {
	pem string
	key crypto.PublicKey
	err error
}

// reset forgets every record and everything built, keeping the parse
// caches.
func (st *configState) reset() {
	st.dists = map[keyfront.DistributionID]*keyfront.Distribution{}
	st.groups = map[keyfront.KeyGroupID]*keyfront.KeyGroup{}
	st.keys = map[keyfront.KeyPairID]*keyfront.PublicKey{}
	st.oacs = map[string]*keyfront.OriginAccessControl{}
	st.built = map[keyfront.DistributionID]*distribution{}
	st.claims = map[string][]keyfront.DistributionID{}
	st.byGroup = map[keyfront.KeyGroupID]map[keyfront.DistributionID]struct{}{}
	st.byOAC = map[string]map[keyfront.DistributionID]struct{}{}
	st.bySelf = map[keyfront.DistributionID]struct{}{}
	if st.configs == nil {
		st.configs = map[keyfront.DistributionID]parsedConfig{}
		st.parsed = map[keyfront.KeyPairID]parsedKey{}
	}
}

// delta is what one read of the store brought. In the maps a nil value
// means the record is gone.
type delta struct {
	// rev is the revision the read saw.
	rev keyfront.Revision
	// full says the maps hold every record, replacing what the edge knew:
	// the first read, or a reload the feed asked for.
	full   bool
	dists  map[keyfront.DistributionID]*keyfront.Distribution
	groups map[keyfront.KeyGroupID]*keyfront.KeyGroup
	keys   map[keyfront.KeyPairID]*keyfront.PublicKey
	oacs   map[string]*keyfront.OriginAccessControl
	// invalidations are those to purge, each once.
	invalidations []*keyfront.Invalidation
	// purgeAll, when not "", says why the whole cache is purged instead:
	// the edge cannot know which invalidations it missed.
	purgeAll string
}

func newDelta() *delta {
	return &delta{
		dists:  map[keyfront.DistributionID]*keyfront.Distribution{},
		groups: map[keyfront.KeyGroupID]*keyfront.KeyGroup{},
		keys:   map[keyfront.KeyPairID]*keyfront.PublicKey{},
		oacs:   map[string]*keyfront.OriginAccessControl{},
	}
}

func (d *delta) empty() bool {
	return !d.full && len(d.dists)+len(d.groups)+len(d.keys)+len(d.oacs)+len(d.invalidations) == 0 && d.purgeAll == ""
}

// readAll lists every record the edge uses into d.
func readAll(ctx context.Context, tx keyfront.Tx, d *delta) error {
	d.full = true
	dists, err := tx.ListDistributions(ctx, keyfront.Page{})
	if err != nil {
		return err
	}
	for _, x := range dists {
		d.dists[x.ID] = x
	}
	groups, err := tx.ListKeyGroups(ctx, keyfront.Page{})
	if err != nil {
		return err
	}
	for _, x := range groups {
		d.groups[x.ID] = x
	}
	keys, err := tx.ListPublicKeys(ctx, keyfront.Page{})
	if err != nil {
		return err
	}
	for _, x := range keys {
		d.keys[x.ID] = x
	}
	oacs, err := tx.ListOriginAccessControls(ctx, keyfront.Page{})
	if err != nil {
		return err
	}
	for _, x := range oacs {
		d.oacs[x.ID] = x
	}
	return nil
}

// readChanges reads into d the records that changes name, as tx sees
// them. With onlyInvalidations it reads only invalidations (the catch-up
// at start, whose configuration comes from a full read).
func readChanges(ctx context.Context, tx keyfront.Tx, changes []keyfront.Change, d *delta, onlyInvalidations bool) error {
	seenInv := map[keyfront.RecordID]bool{}
	for _, c := range changes {
		if onlyInvalidations && c.Kind != keyfront.KindInvalidation {
			continue
		}
		var err error
		switch c.Kind {
		case keyfront.KindDistribution:
			id := keyfront.DistributionID(c.ID)
			if _, done := d.dists[id]; !done {
				d.dists[id], err = tx.GetDistribution(ctx, id)
			}
		case keyfront.KindKeyGroup:
			id := keyfront.KeyGroupID(c.ID)
			if _, done := d.groups[id]; !done {
				d.groups[id], err = tx.GetKeyGroup(ctx, id)
			}
		case keyfront.KindPublicKey:
			id := keyfront.KeyPairID(c.ID)
			if _, done := d.keys[id]; !done {
				d.keys[id], err = tx.GetPublicKey(ctx, id)
			}
		case keyfront.KindOriginAccessControl:
			if _, done := d.oacs[c.ID]; !done {
				d.oacs[c.ID], err = tx.GetOriginAccessControl(ctx, c.ID)
			}
		case keyfront.KindInvalidation:
			if seenInv[c.RecordID] {
				continue
			}
			seenInv[c.RecordID] = true
			var inv *keyfront.Invalidation
			inv, err = tx.GetInvalidation(ctx, c.DistributionID, c.ID)
			if err == nil {
				d.invalidations = append(d.invalidations, inv)
			}
		default:
			// A kind this edge does not know (a newer control plane's
			// record): nothing it serves depends on it.
			continue
		}
		// A record changed and then deleted is gone: the map holds nil
		// for it, and a deleted invalidation (its distribution was
		// deleted) has nothing left to purge.
		if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
			err = nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// load reads the whole configuration at start, and the invalidations
// created since this node last reported: an edge that was down purges
// what it missed before it serves (item 2 of the contract in feed.go's
// comment). Without a node record, or when the feed no longer lists every
// change since the node's revision, it cannot know what it missed and
// purges its whole cache, if it holds anything.
func (s *Server) load(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	var d *delta
	err := s.cfg.Store.View(ctx, func(tx keyfront.Tx) error {
		d = newDelta()
		var err error
		if d.rev, err = tx.Revision(ctx); err != nil {
			return err
		}
		if err := readAll(ctx, tx, d); err != nil {
			return err
		}
		node, err := tx.GetNode(ctx, s.cfg.NodeID)
		switch {
		case keyfront.ErrorCode(err) == keyfront.ENOTFOUND:
			d.purgeAll = "this node has no record in the store, so the invalidations it missed are unknown"
			return nil
		case err != nil:
			return err
		}
		cl, err := tx.Changes(ctx, node.Revision)
		if err != nil {
			return err
		}
		if cl.Reload != keyfront.ReloadNone {
			d.purgeAll = fmt.Sprintf("the store no longer lists every change since revision %d, which this node last reported (%s)", node.Revision, cl.Reload)
			return nil
		}
		return readChanges(ctx, tx, cl.Changes, d, true)
	})
	if err != nil {
		return fmt.Errorf("edge: load configuration: %w", err)
	}
	if d.purgeAll != "" && (s.cfg.Cache == nil || s.cfg.Cache.Stats().Entries == 0) {
		d.purgeAll = "" // nothing to purge; say nothing
	}
	s.apply(d)
	return nil
}

// sync applies what changed since the revision the edge serves, read in
// one transaction, and reports whether the edge advanced. On an error
// nothing changes: the edge keeps serving what it served.
func (s *Server) sync(ctx context.Context) (bool, error) {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	since := s.state.rev
	var d *delta
	err := s.cfg.Store.View(ctx, func(tx keyfront.Tx) error {
		d = newDelta()
		cl, err := tx.Changes(ctx, since)
		if err != nil {
			return err
		}
		d.rev = cl.Revision
		if cl.Reload != keyfront.ReloadNone {
			// The store no longer lists what changed since the edge's
			// revision (it pruned its log), or it is behind it (restored
			// from a backup): read everything again, and purge the cache,
			// since the invalidations in between are unknown.
			d.purgeAll = fmt.Sprintf("the store no longer lists every change since revision %d (%s)", since, cl.Reload)
			return readAll(ctx, tx, d)
		}
		return readChanges(ctx, tx, cl.Changes, d, false)
	})
	if err != nil {
		return false, fmt.Errorf("edge: read changes since revision %d: %w", since, err)
	}
	if d.empty() && d.rev == since {
		return false, nil
	}
	s.apply(d)
	return true, nil
}

// apply makes d the configuration the edge serves: it updates the records,
// rebuilds the distributions the change touches, swaps in the new
// snapshot, purges, and then records the revision. Called with reloadMu
// held.
func (s *Server) apply(d *delta) {
	st := &s.state
	prev := s.snap.Load()
	dirty := map[keyfront.DistributionID]bool{}
	if d.full || st.dists == nil {
		for id := range st.built {
			dirty[id] = true
		}
		st.reset()
		prev = nil
	}

	// Records first, then what depends on them: a distribution is built
	// from the groups, keys and origin access controls as of d.rev.
	for id, k := range d.keys {
		if k == nil {
			delete(st.keys, id)
			delete(st.parsed, id)
			continue
		}
		st.keys[id] = k
		if pk, ok := st.parsed[id]; ok && pk.pem == k.EncodedKey {
			continue
		}
		pub, err := signing.ParsePublicKey([]byte(k.EncodedKey))
		if err != nil {
			s.log.Warn("edge: public key does not parse; it verifies nothing", "key", id, "err", err)
		}
		st.parsed[id] = parsedKey{pem: k.EncodedKey, key: pub, err: err}
	}
	setOrDelete(st.groups, d.groups)
	setOrDelete(st.oacs, d.oacs)
	setOrDelete(st.dists, d.dists)

	if d.full {
		for id := range st.dists {
			dirty[id] = true
		}
		for id := range st.parsed {
			if st.keys[id] == nil {
				delete(st.parsed, id)
			}
		}
		for id := range st.configs {
			if st.dists[id] == nil {
				delete(st.configs, id)
			}
		}
	} else {
		for id := range d.dists {
			dirty[id] = true
		}
		for id := range d.groups {
			addAll(dirty, st.byGroup[id])
		}
		for id := range d.oacs {
			addAll(dirty, st.byOAC[id])
		}
		if len(d.keys) > 0 {
			// A key matters to the behaviors that trust the account, and
			// to those that trust a group holding it. Key groups are few
			// (a quota bounds them), so they are scanned.
			addAll(dirty, st.bySelf)
			for gid, g := range st.groups {
				for _, kid := range g.Items {
					if _, ok := d.keys[kid]; ok {
						addAll(dirty, st.byGroup[gid])
						break
					}
				}
			}
		}
	}

	touched := map[string]bool{}
	for id := range dirty {
		s.rebuild(id, touched)
	}

	next := &snapshot{revision: d.rev}
	if prev == nil {
		next.hosts = make(map[string]*distribution, len(st.claims))
		for h, ids := range st.claims {
			next.hosts[h] = st.built[ids[0]]
		}
		next.dists = maps.Clone(st.built)
	} else {
		// Copying the two maps is the part of a change whose cost grows
		// with the number of distributions: a plain copy of pointers,
		// measured in bench/README.md ("The edge follows the feed").
		next.hosts, next.dists = prev.hosts, prev.dists
		if len(dirty) > 0 {
			next.dists = maps.Clone(prev.dists)
			for id := range dirty {
				if b := st.built[id]; b != nil {
					next.dists[id] = b
				} else {
					delete(next.dists, id)
				}
			}
		}
		if len(touched) > 0 {
			next.hosts = maps.Clone(prev.hosts)
		}
		for h := range touched {
			if ids := st.claims[h]; len(ids) > 0 {
				next.hosts[h] = st.built[ids[0]]
			} else {
				delete(next.hosts, h)
			}
		}
	}
	if prev != nil && len(d.groups) == 0 && len(d.keys) == 0 {
		next.groups, next.keys = prev.groups, prev.keys
	} else {
		next.groups = maps.Clone(st.groups)
		next.keys = make(map[keyfront.KeyPairID]error, len(st.keys))
		for id := range st.keys {
			next.keys[id] = st.parsed[id].err
		}
	}
	if prev != nil && len(touched) == 0 && len(dirty) == 0 {
		next.known = prev.known
	} else {
		hosts := next.hosts
		next.known = sync.OnceValue(func() knownHosts { return newKnownHosts(hosts) })
	}
	s.snap.Store(next)

	// Purge after the swap: a request that misses from now on fills the
	// cache under the new configuration. The cache itself keeps a fill
	// that began before the purge from storing what the purge removed.
	s.purgeDelta(d)
	st.rev = d.rev
	s.applied.Store(int64(d.rev))
	s.log.Debug("edge: configuration applied", "revision", d.rev, "full", d.full,
		"rebuilt", len(dirty), "distributions", len(next.dists), "invalidations", len(d.invalidations))
}

// purgeDelta purges what d says to: the whole cache, or the paths of its
// invalidations.
func (s *Server) purgeDelta(d *delta) {
	if s.cfg.Cache == nil {
		return
	}
	if d.purgeAll != "" {
		n := s.cfg.Cache.PurgeAll()
		s.log.Info("edge: purged the whole cache", "reason", d.purgeAll, "objects", n)
		return
	}
	for _, inv := range d.invalidations {
		s.purge(inv.DistributionID, inv.Paths)
		s.log.Debug("edge: invalidation applied", "distribution", inv.DistributionID, "invalidation", inv.ID, "paths", len(inv.Paths))
	}
}

// rebuild builds distribution id again from the records, or removes it,
// updating the indexes; the hosts whose distribution may have changed are
// added to touched. Called with reloadMu held.
func (s *Server) rebuild(id keyfront.DistributionID, touched map[string]bool) {
	st := &s.state
	if old := st.built[id]; old != nil {
		for _, h := range old.hosts {
			touched[h] = true
			ids := slices.DeleteFunc(st.claims[h], func(x keyfront.DistributionID) bool { return x == id })
			if len(ids) == 0 {
				delete(st.claims, h)
			} else {
				st.claims[h] = ids
			}
		}
		for _, g := range old.groupDeps {
			removeDep(st.byGroup, g, id)
		}
		for _, o := range old.oacDeps {
			removeDep(st.byOAC, o, id)
		}
		delete(st.bySelf, id)
		delete(st.built, id)
	}
	rec := st.dists[id]
	if rec == nil {
		delete(st.configs, id)
		return
	}
	pc, ok := st.configs[id]
	changed := !ok || pc.etag != rec.ETag
	if changed {
		// What the control API stored is served as it was accepted, not
		// judged again by this edge's rules: an edge of another version
		// must not drop a distribution the API took.
		cfg, err := model.DecodeStored(rec.Config)
		pc = parsedConfig{etag: rec.ETag, cfg: cfg, err: err}
		st.configs[id] = pc
		if err != nil {
			s.log.Warn("edge: distribution configuration does not parse; the distribution is not served", "distribution", id, "err", err)
		}
	}
	if pc.err != nil {
		return
	}
	dist := s.buildDistribution(rec, pc.cfg, st.keys, st.groups, st.oacs)
	if changed {
		// Once per configuration (ETag), not per request or rebuild.
		s.warnHTTPSWithoutTLS(dist)
	}
	st.built[id] = dist
	for _, h := range dist.hosts {
		touched[h] = true
		ids := st.claims[h]
		i, _ := slices.BinarySearch(ids, id)
		st.claims[h] = slices.Insert(ids, i, id)
	}
	for _, g := range dist.groupDeps {
		addDep(st.byGroup, g, id)
	}
	for _, o := range dist.oacDeps {
		addDep(st.byOAC, o, id)
	}
	if dist.selfDep {
		st.bySelf[id] = struct{}{}
	}
}

func setOrDelete[K comparable, V any](dst, src map[K]*V) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = v
		}
	}
}

func addAll(dst map[keyfront.DistributionID]bool, src map[keyfront.DistributionID]struct{}) {
	for id := range src {
		dst[id] = true
	}
}

func addDep[K comparable](m map[K]map[keyfront.DistributionID]struct{}, k K, id keyfront.DistributionID) {
	set := m[k]
	if set == nil {
		set = map[keyfront.DistributionID]struct{}{}
		m[k] = set
	}
	set[id] = struct{}{}
}

func removeDep[K comparable](m map[K]map[keyfront.DistributionID]struct{}, k K, id keyfront.DistributionID) {
	set := m[k]
	delete(set, id)
	if len(set) == 0 {
		delete(m, k)
	}
}

// report writes this edge's node: the revision it has applied, and now.
// Reports are serialised and each reads the revision when it writes, so
// that the node's revision never goes back because two reports crossed.
func (s *Server) report(ctx context.Context) error {
	s.reportMu.Lock()
	defer s.reportMu.Unlock()
	n := &keyfront.Node{ID: s.cfg.NodeID, Revision: s.Revision(), LastSeen: s.now().UTC().Truncate(time.Millisecond)}
	err := s.cfg.Store.Update(ctx, func(tx keyfront.Tx) error { return tx.PutNode(ctx, n) })
	if err != nil {
		return fmt.Errorf("edge: report node %s at revision %d: %w", n.ID, n.Revision, err)
	}
	return nil
}

// follow applies changes as the store commits them and heartbeats, until
// ctx ends. A failure (the store unreadable or closed) is retried with a
// growing delay while the edge serves its last snapshot.
func (s *Server) follow(ctx context.Context) {
	defer close(s.done)
	next := time.Now().Add(s.cfg.HeartbeatInterval)
	var failures int
	var failedSince time.Time
	for {
		err := s.step(ctx, &next)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			if failures > 0 {
				s.log.Info("edge: store reachable again", "revision", s.Revision(),
					"failures", failures, "for", time.Since(failedSince).Round(time.Millisecond))
				failures = 0
			}
			continue
		}
		s.metrics.storeErrors.Inc()
		failures++
		delay := min(retryMin<<min(failures-1, 16), retryMax)
		if failures == 1 {
			failedSince = time.Now()
			s.log.Warn("edge: cannot follow the store; serving the configuration of the last revision applied until it can",
				"revision", s.Revision(), "err", err, "retry_in", delay)
		} else {
			s.log.Debug("edge: cannot follow the store", "failures", failures, "err", err, "retry_in", delay)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// step waits for the next revision or heartbeat, whichever comes first,
// applies what changed, and reports the node if the edge advanced or a
// heartbeat is due.
func (s *Server) step(ctx context.Context, next *time.Time) error {
	wctx, cancel := context.WithDeadline(ctx, *next)
	_, err := s.cfg.Store.Wait(wctx, s.Revision())
	timedOut := wctx.Err() != nil
	cancel()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil && !timedOut {
		return err
	}
	// On a heartbeat, too, the edge asks what changed: that costs one
	// read of the feed, and catches a store restored behind the edge's
	// revision, which Wait would never report.
	advanced, err := s.sync(ctx)
	if err != nil {
		return err
	}
	beat := !time.Now().Before(*next)
	if !advanced && !beat {
		return nil
	}
	if err := s.report(ctx); err != nil {
		return err
	}
	*next = time.Now().Add(s.cfg.HeartbeatInterval)
	return nil
}

// errNoNodeID is NewServer's error for a Config without NodeID.
var errNoNodeID = errors.New("edge: Config.NodeID is required: the edge registers in the store under it, and keeps it across restarts to catch up on the invalidations it missed")
