package domain

import (
	"context"
	"slices"

	"keyfront"
	"keyfront/model"
)

// Key groups (control-api.md §3.2, §6, §7, §10).

// KeyGroupConfig is what a client says about a key group.
type KeyGroupConfig struct {
	Name string
	// Items are the public keys; one listed twice counts once (§7 Choice).
	Items []keyfront.KeyPairID
	// Comment is nil when the client sent none, so that responses omit it.
	Comment *string
}

// prepare applies the field rules that need no store and collapses
// duplicate items.
func (c *KeyGroupConfig) prepare() error {
	if !resourceName.MatchString(c.Name) {
		return invalidArgument("KeyGroupConfig.Name %q must be 1 to 128 letters, digits, hyphens or underscores.", c.Name)
	}
	if c.Comment != nil {
		if err := model.CheckComment("KeyGroupConfig", *c.Comment); err != nil {
			return err
		}
	}
	var items []keyfront.KeyPairID
	for _, id := range c.Items {
		if !slices.Contains(items, id) {
			items = append(items, id)
		}
	}
	c.Items = items
	if len(c.Items) == 0 {
		return invalidArgument("KeyGroupConfig.Items must list at least one public key ID.")
	}
	return nil
}

// checkKeyGroup applies the rules that need the store: unique name (other
// than the group self), the keys-per-group quota, and existing keys. It
// returns every key group.
func (r *Rules) checkKeyGroup(ctx context.Context, tx keyfront.Tx, c *KeyGroupConfig, self keyfront.KeyGroupID) ([]*keyfront.KeyGroup, error) {
	all, err := tx.ListKeyGroups(ctx, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	for _, g := range all {
		if g.Name == c.Name && g.ID != self {
			return nil, errorf("KeyGroupAlreadyExists", "A key group named %q already exists (%s).", c.Name, g.ID)
		}
	}
	if len(c.Items) > r.quotas.KeysPerKeyGroup {
		return nil, errorf("TooManyPublicKeysInKeyGroup", "A key group may hold at most %d public keys; this one lists %d.", r.quotas.KeysPerKeyGroup, len(c.Items))
	}
	for _, id := range c.Items {
		if _, err := tx.GetPublicKey(ctx, id); err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				return nil, invalidArgument("KeyGroupConfig.Items: public key %s does not exist.", id)
			}
			return nil, err
		}
	}
	return all, nil
}

// CreateKeyGroup stores a new key group: unique name
// (KeyGroupAlreadyExists), keys that exist, at most Quotas.KeysPerKeyGroup
// of them and Quotas.KeyGroups groups.
func (r *Rules) CreateKeyGroup(ctx context.Context, tx keyfront.Tx, c KeyGroupConfig) (*keyfront.KeyGroup, error) {
	if err := c.prepare(); err != nil {
		return nil, err
	}
	g := &keyfront.KeyGroup{
		LastModifiedTime: r.now().UTC(),
		Name:             c.Name,
		Items:            c.Items,
		Comment:          c.Comment,
		ETag:             r.newETag(),
	}
	all, err := r.checkKeyGroup(ctx, tx, &c, "")
	if err != nil {
		return nil, err
	}
	if len(all) >= r.quotas.KeyGroups {
		return nil, errorf("TooManyKeyGroups", "Processing your request will cause you to exceed the maximum number of key groups allowed (%d).", r.quotas.KeyGroups)
	}
	id, err := unusedID(func() string { return UUID(r.rand) }, func(id string) error {
		_, err := tx.GetKeyGroup(ctx, keyfront.KeyGroupID(id))
		return err
	})
	if err != nil {
		return nil, err
	}
	g.ID = keyfront.KeyGroupID(id)
	return g, tx.PutKeyGroup(ctx, g)
}

// GetKeyGroup returns a key group, or NoSuchResource.
func GetKeyGroup(ctx context.Context, tx keyfront.Tx, id keyfront.KeyGroupID) (*keyfront.KeyGroup, error) {
	g, err := tx.GetKeyGroup(ctx, id)
	return g, notFound(err, noSuchKeyGroup)
}

// KeyGroupForUpdate returns the key group that ifMatch names the current
// version of (NoSuchResource, InvalidIfMatchVersion, PreconditionFailed).
func KeyGroupForUpdate(ctx context.Context, tx keyfront.Tx, id keyfront.KeyGroupID, ifMatch string) (*keyfront.KeyGroup, error) {
	g, err := GetKeyGroup(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return g, CheckIfMatch(ifMatch, g.ETag)
}

// UpdateKeyGroup replaces a key group's name, keys and comment. When its
// keys change, every distribution that trusts it gets a new ETag and
// LastModifiedTime too, since ActiveTrustedKeyGroups shows them (§5).
func (r *Rules) UpdateKeyGroup(ctx context.Context, tx keyfront.Tx, id keyfront.KeyGroupID, ifMatch string, c KeyGroupConfig) (*keyfront.KeyGroup, error) {
	g, err := KeyGroupForUpdate(ctx, tx, id, ifMatch)
	if err != nil {
		return nil, err
	}
	if err := c.prepare(); err != nil {
		return nil, err
	}
	if _, err := r.checkKeyGroup(ctx, tx, &c, id); err != nil {
		return nil, err
	}
	now := r.now().UTC()
	keysChanged := !slices.Equal(g.Items, c.Items)
	g.Name, g.Items, g.Comment = c.Name, c.Items, c.Comment
	g.ETag, g.LastModifiedTime = r.newETag(), now
	if err := tx.PutKeyGroup(ctx, g); err != nil {
		return nil, err
	}
	if !keysChanged {
		return g, nil
	}
	ids, err := tx.FindDistributions(ctx, keyfront.DistributionQuery{KeyGroupID: id}, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	for _, did := range ids {
		d, err := tx.GetDistribution(ctx, did)
		if err != nil {
			return nil, err
		}
		d.ETag, d.LastModifiedTime = r.newETag(), now
		if err := tx.PutDistribution(ctx, d); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// DeleteKeyGroup deletes a key group that no distribution trusts
// (ResourceInUse otherwise).
func DeleteKeyGroup(ctx context.Context, tx keyfront.Tx, id keyfront.KeyGroupID, ifMatch string) error {
	if _, err := KeyGroupForUpdate(ctx, tx, id, ifMatch); err != nil {
		return err
	}
	ids, err := tx.FindDistributions(ctx, keyfront.DistributionQuery{KeyGroupID: id}, keyfront.Page{Limit: 1})
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		return errorf("ResourceInUse", msgResourceInUse+" Distribution %s trusts key group %s.", ids[0], id)
	}
	return tx.DeleteKeyGroup(ctx, id)
}
