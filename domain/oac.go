package domain

import (
	"context"
	"unicode/utf8"

	"keyfront"
)

// Origin access controls (control-api.md §3.3, §6, §10).

// OriginAccessControlConfig is what a client says about an origin access
// control. The decoder has checked the enums.
type OriginAccessControlConfig struct {
	Name            string
	Description     string
	SigningProtocol string // "sigv4"
	SigningBehavior string // "never", "always" or "no-override"
	OriginType      string // "s3", "mediastore", "mediapackagev2" or "lambda"
}

func (c *OriginAccessControlConfig) validate() error {
	if c.Name == "" || utf8.RuneCountInString(c.Name) > 64 {
		return invalidArgument("OriginAccessControlConfig.Name must be 1 to 64 characters.")
	}
	return nil
}

// checkOACName enforces unique names (§6) and returns every origin access
// control.
func checkOACName(ctx context.Context, tx keyfront.Tx, name, self string) ([]*keyfront.OriginAccessControl, error) {
	all, err := tx.ListOriginAccessControls(ctx, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.Name == name && o.ID != self {
			return nil, errorf("OriginAccessControlAlreadyExists", "An origin access control named %q already exists (%s).", name, o.ID)
		}
	}
	return all, nil
}

// CreateOriginAccessControl stores a new origin access control: unique
// name, at most Quotas.OriginAccessControls.
func (r *Rules) CreateOriginAccessControl(ctx context.Context, tx keyfront.Tx, c OriginAccessControlConfig) (*keyfront.OriginAccessControl, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	o := &keyfront.OriginAccessControl{
		Name:             c.Name,
		Description:      c.Description,
		SigningProtocol:  c.SigningProtocol,
		SigningBehavior:  c.SigningBehavior,
		OriginType:       c.OriginType,
		ETag:             r.newETag(),
		LastModifiedTime: r.now().UTC(),
	}
	all, err := checkOACName(ctx, tx, o.Name, "")
	if err != nil {
		return nil, err
	}
	if len(all) >= r.quotas.OriginAccessControls {
		return nil, errorf("TooManyOriginAccessControls", "Processing your request would cause you to exceed the maximum number of origin access controls allowed (%d).", r.quotas.OriginAccessControls)
	}
	o.ID, err = unusedID(func() string { return r.newID("E") }, func(id string) error {
		_, err := tx.GetOriginAccessControl(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, tx.PutOriginAccessControl(ctx, o)
}

// GetOriginAccessControl returns an origin access control, or
// NoSuchOriginAccessControl.
func GetOriginAccessControl(ctx context.Context, tx keyfront.Tx, id string) (*keyfront.OriginAccessControl, error) {
	o, err := tx.GetOriginAccessControl(ctx, id)
	return o, notFound(err, noSuchOAC)
}

// OriginAccessControlForUpdate returns the origin access control that
// ifMatch names the current version of.
func OriginAccessControlForUpdate(ctx context.Context, tx keyfront.Tx, id, ifMatch string) (*keyfront.OriginAccessControl, error) {
	o, err := GetOriginAccessControl(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return o, CheckIfMatch(ifMatch, o.ETag)
}

// UpdateOriginAccessControl replaces an origin access control's
// configuration; its name stays unique.
func (r *Rules) UpdateOriginAccessControl(ctx context.Context, tx keyfront.Tx, id, ifMatch string, c OriginAccessControlConfig) (*keyfront.OriginAccessControl, error) {
	o, err := OriginAccessControlForUpdate(ctx, tx, id, ifMatch)
	if err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if _, err := checkOACName(ctx, tx, c.Name, id); err != nil {
		return nil, err
	}
	o.Name, o.Description = c.Name, c.Description
	o.SigningProtocol, o.SigningBehavior, o.OriginType = c.SigningProtocol, c.SigningBehavior, c.OriginType
	o.ETag, o.LastModifiedTime = r.newETag(), r.now().UTC()
	return o, tx.PutOriginAccessControl(ctx, o)
}

// DeleteOriginAccessControl deletes an origin access control that no
// distribution uses (OriginAccessControlInUse otherwise).
func DeleteOriginAccessControl(ctx context.Context, tx keyfront.Tx, id, ifMatch string) error {
	if _, err := OriginAccessControlForUpdate(ctx, tx, id, ifMatch); err != nil {
		return err
	}
	ids, err := tx.FindDistributions(ctx, keyfront.DistributionQuery{OriginAccessControlID: id}, keyfront.Page{Limit: 1})
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		return errorf("OriginAccessControlInUse", "Cannot delete the origin access control because it's in use: distribution %s uses it.", ids[0])
	}
	return tx.DeleteOriginAccessControl(ctx, id)
}
