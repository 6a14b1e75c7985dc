package domain

import (
	"context"
	"fmt"
	"slices"

	"keyfront"
	"keyfront/model"
)

// Distributions (control-api.md §3.5, §5, §6, §7, §10).

// Distribution statuses (§3.5). What the store holds in
// keyfront.Distribution.Status is not what a client is told: the status
// is computed when it is read (DistributionStatus, status.go). Create and
// update responses say StatusInProgress, as CloudFront's do.
const (
	StatusDeployed   = "Deployed"
	StatusInProgress = "InProgress"
)

// checkDistribution applies the rules that need the store, in the order of
// §10: uniqueness, references, quotas. self is the distribution being
// updated ("" on create). Every lookup goes through an index
// (keyfront.Tx.FindDistributions), so that its cost does not grow with the
// number of distributions (bench/README.md).
func (r *Rules) checkDistribution(ctx context.Context, tx keyfront.Tx, c *model.DistributionConfig, self keyfront.DistributionID) error {
	// others returns the distributions other than self that q selects, at
	// most limit of them.
	others := func(q keyfront.DistributionQuery, limit int) ([]keyfront.DistributionID, error) {
		ids, err := tx.FindDistributions(ctx, q, keyfront.Page{Limit: limit + 1})
		ids = slices.DeleteFunc(ids, func(id keyfront.DistributionID) bool { return id == self })
		return ids[:min(len(ids), limit)], err
	}
	// Uniqueness (§6).
	if self == "" {
		ids, err := others(keyfront.DistributionQuery{CallerReference: c.CallerReference}, 1)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			return errorf("DistributionAlreadyExists", msgDistributionCallerRefUsed, ids[0])
		}
	}
	for _, a := range c.Aliases {
		ids, err := others(keyfront.DistributionQuery{Alias: a}, 1)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			return errorf("CNAMEAlreadyExists", msgCNAMEAlreadyExists+" %s is used by distribution %s.", a, ids[0])
		}
	}

	// References (§10).
	targets := map[string]bool{}
	for _, o := range c.Origins {
		targets[o.ID] = true
	}
	for _, id := range c.OriginGroups {
		targets[id] = true
	}
	for _, b := range c.Behaviors() {
		if t := b.TargetOriginID; !targets[t] {
			return errorf("NoSuchOrigin", msgNoSuchOrigin+" A cache behavior targets %q.", t)
		}
		for _, acct := range b.TrustedSigners.Items {
			if acct != "self" && acct != r.cfg.AccountID {
				// Legacy key pairs of other accounts are not implemented
				// (signed-urls.md §10).
				return errorf("TrustedSignerDoesNotExist", "TrustedSigners lists %q; keyfront trusts only \"self\" (account %s), whose public keys sign.", acct, r.cfg.AccountID)
			}
		}
	}
	keyGroups := c.KeyGroupIDs()
	for _, id := range keyGroups {
		if _, err := tx.GetKeyGroup(ctx, id); err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				return errorf("TrustedKeyGroupDoesNotExist", msgTrustedKeyGroupNotExist+" TrustedKeyGroups lists %s.", id)
			}
			return err
		}
	}
	for _, id := range c.OriginAccessControlIDs() {
		if _, err := tx.GetOriginAccessControl(ctx, id); err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				return errorf("InvalidOriginAccessControl", "Origin access control %s does not exist.", id)
			}
			return err
		}
	}

	// Quotas (§7).
	q := r.quotas
	if n := len(c.Origins); n > q.Origins {
		return errorf("TooManyOrigins", "A distribution may have at most %d origins; this one has %d.", q.Origins, n)
	}
	if n := len(c.CacheBehaviors); n > q.CacheBehaviors {
		return errorf("TooManyCacheBehaviors", "A distribution may have at most %d cache behaviors; this one has %d.", q.CacheBehaviors, n)
	}
	if n := len(c.Aliases); n > q.CNAMEs {
		return errorf("TooManyDistributionCNAMEs", "A distribution may have at most %d alternate domain names; this one has %d.", q.CNAMEs, n)
	}
	for _, b := range c.Behaviors() {
		if n := distinct(b.TrustedKeyGroups.Items); n > q.KeyGroupsPerCacheBehavior {
			return errorf("TooManyKeyGroupsAssociatedToDistribution", "A cache behavior may trust at most %d key groups; one trusts %d.", q.KeyGroupsPerCacheBehavior, n)
		}
	}
	for _, id := range keyGroups {
		ids, err := others(keyfront.DistributionQuery{KeyGroupID: id}, q.DistributionsPerKeyGroup)
		if err != nil {
			return err
		}
		if n := len(ids) + 1; n > q.DistributionsPerKeyGroup {
			return errorf("TooManyDistributionsAssociatedToKeyGroup", "Key group %s may be trusted by at most %d distributions.", id, q.DistributionsPerKeyGroup)
		}
	}
	return nil
}

// distinct counts the different values of s.
func distinct[T comparable](s []T) int {
	seen := make(map[T]bool, len(s))
	for _, v := range s {
		seen[v] = true
	}
	return len(seen)
}

// CreateDistribution stores a new distribution with configuration c
// (already decoded and validated by the model) and tags: unique caller
// reference (DistributionAlreadyExists) and aliases (CNAMEAlreadyExists),
// origins, key groups and origin access controls that exist, and the
// quotas of §7. It draws the ID and the domain name.
func (r *Rules) CreateDistribution(ctx context.Context, tx keyfront.Tx, c *model.Canonical, tags []keyfront.Tag) (*keyfront.Distribution, error) {
	d := &keyfront.Distribution{
		ETag:                   r.newETag(),
		Status:                 StatusDeployed,
		LastModifiedTime:       r.now().UTC(),
		CallerReference:        c.Config.CallerReference,
		Enabled:                c.Config.Enabled,
		Aliases:                c.Config.Aliases,
		KeyGroupIDs:            c.Config.KeyGroupIDs(),
		OriginAccessControlIDs: c.Config.OriginAccessControlIDs(),
		Config:                 c.XML,
		Tags:                   tags,
	}
	if err := r.checkDistribution(ctx, tx, c.Config, ""); err != nil {
		return nil, err
	}
	n, err := tx.CountDistributions(ctx)
	if err != nil {
		return nil, err
	}
	if n >= r.quotas.Distributions {
		return nil, errorf("TooManyDistributions", "Processing your request would cause you to exceed the maximum number of distributions allowed (%d).", r.quotas.Distributions)
	}
	id, err := unusedID(func() string { return r.newID("E") }, func(id string) error {
		_, err := tx.GetDistribution(ctx, keyfront.DistributionID(id))
		return err
	})
	if err != nil {
		return nil, err
	}
	d.ID = keyfront.DistributionID(id)
	for d.DomainName == "" {
		d.DomainName = r.newDomainName()
		taken, err := tx.FindDistributions(ctx, keyfront.DistributionQuery{DomainName: d.DomainName}, keyfront.Page{Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(taken) > 0 {
			d.DomainName = ""
		}
	}
	return d, tx.PutDistribution(ctx, d)
}

// GetDistribution returns a distribution, or NoSuchDistribution.
func GetDistribution(ctx context.Context, tx keyfront.Tx, id keyfront.DistributionID) (*keyfront.Distribution, error) {
	d, err := tx.GetDistribution(ctx, id)
	return d, notFound(err, noSuchDistribution)
}

// DistributionForUpdate returns the distribution that ifMatch names the
// current version of.
func DistributionForUpdate(ctx context.Context, tx keyfront.Tx, id keyfront.DistributionID, ifMatch string) (*keyfront.Distribution, error) {
	d, err := GetDistribution(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return d, CheckIfMatch(ifMatch, d.ETag)
}

// UpdateDistribution replaces a distribution's configuration with c, under
// the rules of CreateDistribution; its caller reference cannot change
// (IllegalUpdate).
func (r *Rules) UpdateDistribution(ctx context.Context, tx keyfront.Tx, id keyfront.DistributionID, ifMatch string, c *model.Canonical) (*keyfront.Distribution, error) {
	d, err := DistributionForUpdate(ctx, tx, id, ifMatch)
	if err != nil {
		return nil, err
	}
	if ref := c.Config.CallerReference; ref != d.CallerReference {
		return nil, errorf("IllegalUpdate", "You can't change the CallerReference of a distribution (%q to %q).", d.CallerReference, ref)
	}
	if err := r.checkDistribution(ctx, tx, c.Config, id); err != nil {
		return nil, err
	}
	d.ETag = r.newETag()
	d.Status = StatusDeployed
	d.LastModifiedTime = r.now().UTC()
	d.Enabled = c.Config.Enabled
	d.Aliases = c.Config.Aliases
	d.KeyGroupIDs = c.Config.KeyGroupIDs()
	d.OriginAccessControlIDs = c.Config.OriginAccessControlIDs()
	d.Config = c.XML
	return d, tx.PutDistribution(ctx, d)
}

// DeleteDistribution deletes a disabled distribution
// (DistributionNotDisabled otherwise) and its invalidations.
func DeleteDistribution(ctx context.Context, tx keyfront.Tx, id keyfront.DistributionID, ifMatch string) error {
	d, err := DistributionForUpdate(ctx, tx, id, ifMatch)
	if err != nil {
		return err
	}
	if d.Enabled {
		return errorf("DistributionNotDisabled", msgDistributionNotDisabled)
	}
	return tx.DeleteDistribution(ctx, id)
}

// DistributionsByKeyGroup returns, in ID order, the IDs after marker of
// the distributions that trust key group kg (NoSuchResource if it does not
// exist).
func DistributionsByKeyGroup(ctx context.Context, tx keyfront.Tx, kg keyfront.KeyGroupID, marker string) ([]keyfront.DistributionID, error) {
	if _, err := GetKeyGroup(ctx, tx, kg); err != nil {
		return nil, err
	}
	return tx.FindDistributions(ctx, keyfront.DistributionQuery{KeyGroupID: kg}, keyfront.Page{Marker: marker})
}

// DistributionState is what a Distribution response shows beside the
// configuration (§3.5).
type DistributionState struct {
	// InProgressInvalidations counts the invalidations still InProgress.
	InProgressInvalidations int
	// SignersEnabled is true when a cache behavior enables TrustedSigners
	// with at least one account; SignerKeys are then every public key of
	// the account.
	SignersEnabled bool
	SignerKeys     []keyfront.KeyPairID
	// KeyGroupsEnabled is true when an enabled TrustedKeyGroups lists a
	// group; KeyGroups are then those groups, each once, with their
	// current keys.
	KeyGroupsEnabled bool
	KeyGroups        []ActiveKeyGroup
}

// ActiveKeyGroup is a trusted key group and its keys.
type ActiveKeyGroup struct {
	ID   keyfront.KeyGroupID
	Keys []keyfront.KeyPairID
}

// State reads what a Distribution response shows of d beside its
// configuration: ActiveTrustedKeyGroups lists the current keys of the
// enabled trusted key groups, ActiveTrustedSigners the account's keys when
// TrustedSigners is enabled.
//
// p says how far the edges got, for the count of invalidations in
// progress (InvalidationStatus).
func State(ctx context.Context, tx keyfront.Tx, p *Progress, d *keyfront.Distribution) (*DistributionState, error) {
	cfg, err := model.DecodeStored(d.Config)
	if err != nil {
		return nil, fmt.Errorf("domain: stored configuration of distribution %s: %w", d.ID, err)
	}
	invs, err := tx.ListInvalidations(ctx, d.ID, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	st := &DistributionState{}
	for _, inv := range invs {
		status, err := InvalidationStatus(ctx, tx, p, inv)
		if err != nil {
			return nil, err
		}
		if status == StatusInProgress {
			st.InProgressInvalidations++
		}
	}
	var groups []keyfront.KeyGroupID
	for _, b := range cfg.Behaviors() {
		if t := b.TrustedKeyGroups; t.Enabled {
			for _, id := range t.Items {
				if !slices.Contains(groups, id) {
					groups = append(groups, id)
				}
			}
		}
		if t := b.TrustedSigners; t.Enabled && len(t.Items) > 0 {
			st.SignersEnabled = true
		}
	}
	if st.SignersEnabled {
		keys, err := tx.ListPublicKeys(ctx, keyfront.Page{})
		if err != nil {
			return nil, err
		}
		st.SignerKeys = make([]keyfront.KeyPairID, len(keys))
		for i, k := range keys {
			st.SignerKeys[i] = k.ID
		}
	}
	st.KeyGroupsEnabled = len(groups) > 0
	for _, id := range groups {
		g, err := tx.GetKeyGroup(ctx, id)
		if err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				continue // referential integrity keeps this from happening
			}
			return nil, err
		}
		st.KeyGroups = append(st.KeyGroups, ActiveKeyGroup{ID: id, Keys: g.Items})
	}
	return st, nil
}
