package keyfront

import (
	"context"
	"time"
)

// PublicKey is a public key uploaded for verifying signed URLs and cookies.
// EncodedKey is the PEM as stored and returned (canonical form, §3.1 of the
// control API spec).
type PublicKey struct {
	ID              KeyPairID
	ETag            string
	CreatedTime     time.Time
	CallerReference string
	Name            string
	EncodedKey      string
	Comment         string
}

// KeyGroup is a named set of one to five public keys that cache behaviors
// trust. Comment is nil when the group was created without one, so that
// responses can omit the element.
type KeyGroup struct {
	ID               KeyGroupID
	ETag             string
	LastModifiedTime time.Time
	Name             string
	Items            []KeyPairID
	Comment          *string
}

// OriginAccessControl says how the edge signs its requests to an origin.
type OriginAccessControl struct {
	ID               string
	ETag             string
	Name             string
	Description      string
	SigningProtocol  string // "sigv4"
	SigningBehavior  string // "never", "always" or "no-override"
	OriginType       string // "s3", "mediastore", "mediapackagev2" or "lambda"
	LastModifiedTime time.Time
}

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value *string
}

// Distribution is a distribution as stored. Config holds the canonical XML of
// its DistributionConfig (every element the API model defines, in model
// order) so that what a client sent is returned faithfully; the other
// fields are what the store indexes and what other resources refer to, all
// derived from Config when it is written.
type Distribution struct {
	ID               DistributionID
	ETag             string
	Status           string // "Deployed" or "InProgress"
	LastModifiedTime time.Time
	DomainName       string
	CallerReference  string
	Enabled          bool
	Aliases          []string
	// KeyGroupIDs are the key groups any cache behavior trusts, each once.
	KeyGroupIDs []KeyGroupID
	// OriginAccessControlIDs are the origin access controls any origin
	// uses, each once.
	OriginAccessControlIDs []string
	// Config is the DistributionConfig element, canonical XML.
	Config []byte
	Tags   []Tag
}

// Invalidation is a request to purge paths of a distribution from the edge
// caches.
type Invalidation struct {
	ID              string
	DistributionID  DistributionID
	Status          string // "InProgress" or "Completed"
	CreateTime      time.Time
	CallerReference string
	Paths           []string
}

// Page selects part of a list ordered by ID: the items after Marker (all
// items when Marker is empty), at most Limit of them (no limit when zero).
type Page struct {
	Marker string
	Limit  int
}

// Store keeps keyfront's configuration. Every method of a Tx runs inside
// the transaction it belongs to; Update's transactions are serialised, so a
// read-compare-write inside one (an If-Match check) cannot race another.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction, committing if fn returns
	// nil and rolling back otherwise. fn's error is returned unchanged.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store. Transactions in progress finish first.
	Close() error
}

// Tx is the view of the store inside one transaction. Getters return an
// *Error with code ENOTFOUND if nothing has the ID; Put methods insert or
// replace the whole record; Delete methods return ENOTFOUND if nothing has
// the ID. Lists are ordered by ID in byte order, except invalidations
// (newest first). Returned values are copies the caller may modify.
// Timestamps are kept in UTC to the millisecond; callers truncate before
// Put so that what they return matches later reads. Put and Delete inside
// View fail, and Update must not be called from inside Update.
type Tx interface {
	GetPublicKey(ctx context.Context, id KeyPairID) (*PublicKey, error)
	ListPublicKeys(ctx context.Context, p Page) ([]*PublicKey, error)
	PutPublicKey(ctx context.Context, k *PublicKey) error
	DeletePublicKey(ctx context.Context, id KeyPairID) error

	GetKeyGroup(ctx context.Context, id KeyGroupID) (*KeyGroup, error)
	ListKeyGroups(ctx context.Context, p Page) ([]*KeyGroup, error)
	PutKeyGroup(ctx context.Context, g *KeyGroup) error
	DeleteKeyGroup(ctx context.Context, id KeyGroupID) error

	GetOriginAccessControl(ctx context.Context, id string) (*OriginAccessControl, error)
	ListOriginAccessControls(ctx context.Context, p Page) ([]*OriginAccessControl, error)
	PutOriginAccessControl(ctx context.Context, o *OriginAccessControl) error
	DeleteOriginAccessControl(ctx context.Context, id string) error

	GetDistribution(ctx context.Context, id DistributionID) (*Distribution, error)
	ListDistributions(ctx context.Context, p Page) ([]*Distribution, error)
	PutDistribution(ctx context.Context, d *Distribution) error
	// PutDistribution keeps the distribution's invalidations;
	// DeleteDistribution deletes them.
	DeleteDistribution(ctx context.Context, id DistributionID) error

	// GetInvalidation returns ENOTFOUND unless the invalidation exists for
	// that distribution.
	GetInvalidation(ctx context.Context, dist DistributionID, id string) (*Invalidation, error)
	// ListInvalidations lists a distribution's invalidations newest first
	// (by CreateTime, then ID); Page.Marker is the ID of the last one seen.
	ListInvalidations(ctx context.Context, dist DistributionID, p Page) ([]*Invalidation, error)
	// PutInvalidation returns ENOTFOUND if the distribution does not exist.
	PutInvalidation(ctx context.Context, inv *Invalidation) error
}
