package domain

import (
	"context"
	"slices"
	"time"

	"keyfront"
	"keyfront/model"
)

// Deployed and Completed (control-api.md §3.4, §3.5).
//
// CloudFront says a distribution is Deployed once every edge location
// serves its current configuration, and an invalidation Completed once
// every edge location has purged its paths; `aws cloudfront wait
// distribution-deployed` and `invalidation-completed` poll for exactly
// that (botocore's waiters-2.json for cloudfront 2020-05-31). keyfront
// computes both when they are read, from what the edges report of
// themselves in the store: each edge is a keyfront.Node whose Revision is
// the highest store revision it serves and has purged up to. Nothing of it
// is stored, so a status can never be left behind by a process that died.

// DefaultLiveTimeout is how long after its last report a node still
// counts as live: ten heartbeats at the edge's default of one second.
const DefaultLiveTimeout = 10 * time.Second

// Progress is how far the live edges have got, read once and used for
// every status of one response.
type Progress struct {
	// Live are the nodes seen within the live timeout, Stale the others,
	// both ordered by ID.
	Live, Stale []*keyfront.Node
	// min is the lowest Revision of Live.
	min keyfront.Revision
}

// ReadProgress reads the nodes in tx and sorts them (NewProgress).
func ReadProgress(ctx context.Context, tx keyfront.Tx, now time.Time, liveTimeout time.Duration) (*Progress, error) {
	nodes, err := tx.ListNodes(ctx, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	return NewProgress(nodes, now, liveTimeout), nil
}

// NewProgress sorts nodes into live and stale: a node is live if now -
// LastSeen <= liveTimeout (DefaultLiveTimeout when liveTimeout is zero or
// negative). A node whose clock runs ahead of now is live.
func NewProgress(nodes []*keyfront.Node, now time.Time, liveTimeout time.Duration) *Progress {
	if liveTimeout <= 0 {
		liveTimeout = DefaultLiveTimeout
	}
	p := &Progress{}
	for _, n := range nodes {
		if now.Sub(n.LastSeen) > liveTimeout {
			p.Stale = append(p.Stale, n)
			continue
		}
		if len(p.Live) == 0 || n.Revision < p.min {
			p.min = n.Revision
		}
		p.Live = append(p.Live, n)
	}
	return p
}

// Reached reports whether every live node has applied revision rev. With
// no live node at all it is true: no edge can serve an older
// configuration or an unpurged copy, and an edge that starts later reads
// the store as it is then (its first revision is the store's, and it
// starts with an empty cache or purges what a reload asks for). This is
// keyfront's rule for a control plane running without edges, and the
// reason a stopped edge stops holding deployments back once it is stale.
func (p *Progress) Reached(rev keyfront.Revision) bool {
	return len(p.Live) == 0 || p.min >= rev
}

// DependencyRevision returns the revision an edge must have applied to
// serve d as stored: the last change to d, to every key group a cache
// behavior trusts and every public key now in those groups, to every
// public key of the account when a behavior trusts signers of the account
// (TrustedSigners), and to every origin access control an origin uses. So
// after a key leaves a group, the distributions that trust the group are
// Deployed only when no live edge accepts the key any more.
func DependencyRevision(ctx context.Context, tx keyfront.Tx, d *keyfront.Distribution) (keyfront.Revision, error) {
	latest := keyfront.Revision(0)
	see := func(r keyfront.RecordID) error {
		rev, err := tx.LastChange(ctx, r)
		if rev > latest {
			latest = rev
		}
		return err
	}
	if err := see(keyfront.RecordID{Kind: keyfront.KindDistribution, ID: string(d.ID)}); err != nil {
		return 0, err
	}
	cfg, err := model.DecodeStored(d.Config)
	if err != nil {
		return 0, err
	}
	signers := false
	for _, b := range cfg.Behaviors() {
		if t := b.TrustedSigners; t.Enabled && len(t.Items) > 0 {
			signers = true
		}
	}
	var keys []keyfront.KeyPairID
	for _, g := range d.KeyGroupIDs {
		if err := see(keyfront.RecordID{Kind: keyfront.KindKeyGroup, ID: string(g)}); err != nil {
			return 0, err
		}
		kg, err := tx.GetKeyGroup(ctx, g)
		if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
			continue // the group's deletion is its last change, seen above
		}
		if err != nil {
			return 0, err
		}
		for _, k := range kg.Items {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	if signers {
		all, err := tx.ListPublicKeys(ctx, keyfront.Page{})
		if err != nil {
			return 0, err
		}
		for _, k := range all {
			if !slices.Contains(keys, k.ID) {
				keys = append(keys, k.ID)
			}
		}
	}
	for _, k := range keys {
		if err := see(keyfront.RecordID{Kind: keyfront.KindPublicKey, ID: string(k)}); err != nil {
			return 0, err
		}
	}
	for _, o := range d.OriginAccessControlIDs {
		if err := see(keyfront.RecordID{Kind: keyfront.KindOriginAccessControl, ID: o}); err != nil {
			return 0, err
		}
	}
	return latest, nil
}

// DistributionStatus returns StatusDeployed if every live node serves d
// and what it depends on (DependencyRevision), StatusInProgress otherwise.
func DistributionStatus(ctx context.Context, tx keyfront.Tx, p *Progress, d *keyfront.Distribution) (string, error) {
	if len(p.Live) == 0 {
		return StatusDeployed, nil // no need to read the dependencies
	}
	rev, err := DependencyRevision(ctx, tx, d)
	if err != nil {
		return "", err
	}
	if p.Reached(rev) {
		return StatusDeployed, nil
	}
	return StatusInProgress, nil
}

// InvalidationStatus returns StatusCompleted if every live node has
// purged inv's paths, that is has applied the revision that stored it,
// StatusInProgress otherwise.
func InvalidationStatus(ctx context.Context, tx keyfront.Tx, p *Progress, inv *keyfront.Invalidation) (string, error) {
	if len(p.Live) == 0 {
		return StatusCompleted, nil
	}
	rev, err := tx.LastChange(ctx, keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: inv.ID, DistributionID: inv.DistributionID})
	if err != nil {
		return "", err
	}
	if p.Reached(rev) {
		return StatusCompleted, nil
	}
	return StatusInProgress, nil
}

// Progress reads the nodes as Rules' clock and live timeout see them. It
// reads the clock only when there are nodes, so that a deployment without
// edges (and a test's stepping clock) pays nothing for it.
func (r *Rules) Progress(ctx context.Context, tx keyfront.Tx) (*Progress, error) {
	nodes, err := tx.ListNodes(ctx, keyfront.Page{})
	if err != nil || len(nodes) == 0 {
		return &Progress{}, err
	}
	return NewProgress(nodes, r.now(), r.cfg.NodeLiveTimeout), nil
}
