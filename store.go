package keyfront

import (
	"context"
	"fmt"
	"strconv"
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

// DistributionQuery selects distributions by one of the attributes the
// write rules look them up by (Tx.FindDistributions). Exactly one field is
// set.
type DistributionQuery struct {
	// CallerReference selects the distribution created with it.
	CallerReference string
	// Alias selects the distributions with that alias, compared without
	// regard to ASCII case (domain names are case-insensitive, RFC 4343).
	Alias string
	// DomainName selects the distribution with that domain name.
	DomainName string
	// KeyGroupID selects the distributions whose KeyGroupIDs hold it.
	KeyGroupID KeyGroupID
	// OriginAccessControlID selects the distributions whose
	// OriginAccessControlIDs hold it.
	OriginAccessControlID string
}

// Check returns an *Error with code EINVALID unless exactly one field of q
// is set. Stores call it on the queries they are given.
func (q DistributionQuery) Check() error {
	n := 0
	for _, v := range []string{q.CallerReference, q.Alias, q.DomainName, string(q.KeyGroupID), q.OriginAccessControlID} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return &Error{Code: EINVALID, Message: fmt.Sprintf("A distribution query sets exactly one field; this one sets %d.", n)}
	}
	return nil
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
//
// A Store is also the only channel between keyfront's planes: its change
// feed (Revision, Tx.Changes, Store.Wait) tells every reader, in this
// process or another, what the committed Updates changed. See Revision for
// the rules every implementation keeps.
type Store interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction, committing if fn returns
	// nil and rolling back otherwise. fn's error is returned unchanged.
	Update(ctx context.Context, fn func(Tx) error) error
	// Wait returns the store's revision as soon as it is greater than
	// after: at once if it already is, otherwise when an Update commits a
	// change, in this process or in any other sharing the store. It does
	// not poll tables: an implementation may check a single revision
	// value on a short interval to notice other processes' commits, at a
	// cost that does not grow with the size of the store.
	//
	// It returns an error satisfying errors.Is(err, ctx.Err()) when ctx
	// ends first, EINVALID if after is negative, and EINTERNAL if the
	// store is closed, before or while it waits.
	Wait(ctx context.Context, after Revision) (Revision, error)
	// Close releases the store. Transactions in progress finish first;
	// Waits in progress return.
	Close() error
}

// Revision is a position in a store's history. Each committed Update that
// puts or deletes at least one record of the configuration (the records
// Tx's Put and Delete methods write: public keys, key groups, origin
// access controls, distributions, invalidations) advances the store's
// revision, once, whatever the number of records it wrote; an Update that
// writes none of them (it only reads, every write failed, or it only wrote
// nodes or the origin's buckets and objects) leaves it, and so does an
// Update that is rolled back. A new store is at revision 0.
//
// Revisions only grow, and they are assigned in commit order: a reader
// that has seen revision R has seen every change at or below R, and no
// later commit is given a revision at or below R. They need not be
// consecutive: a store may skip numbers, so a reader compares revisions
// and never counts them.
type Revision int64

// RecordKind names a kind of record in the change feed.
type RecordKind string

// The kinds of record the change feed reports.
const (
	KindPublicKey           RecordKind = "public-key"
	KindKeyGroup            RecordKind = "key-group"
	KindOriginAccessControl RecordKind = "origin-access-control"
	KindDistribution        RecordKind = "distribution"
	KindInvalidation        RecordKind = "invalidation"
)

// RecordID names one record of the configuration.
type RecordID struct {
	Kind RecordKind
	// ID is the record's ID: a KeyPairID, KeyGroupID, DistributionID,
	// origin access control ID or invalidation ID, as a string.
	ID string
	// DistributionID is, for an invalidation, the distribution it belongs
	// to (invalidation IDs are unique per distribution); "" for any other
	// kind.
	DistributionID DistributionID
}

// Check returns an *Error with code EINVALID unless r names a record: a
// known kind, a non-empty ID, and a DistributionID for an invalidation and
// for nothing else. Stores call it on the RecordIDs they are given.
func (r RecordID) Check() error {
	msg := ""
	switch {
	case r.ID == "":
		msg = "The record ID is empty."
	case r.Kind == KindInvalidation && r.DistributionID == "":
		msg = "The invalidation's distribution ID is empty."
	case r.Kind == KindInvalidation:
	case r.Kind != KindPublicKey && r.Kind != KindKeyGroup &&
		r.Kind != KindOriginAccessControl && r.Kind != KindDistribution:
		msg = fmt.Sprintf("Unknown record kind %q.", r.Kind)
	case r.DistributionID != "":
		msg = "Only an invalidation has a distribution ID."
	}
	if msg != "" {
		return &Error{Code: EINVALID, Message: msg}
	}
	return nil
}

// Change says that a committed Update put or deleted a record. It does not
// say which, nor carry the record: a reader reads the record as of the
// revision it is catching up to, and finds it, or finds it gone
// (ENOTFOUND).
type Change struct {
	RecordID
	// Revision is the revision of the Update that made the change.
	Revision Revision
}

// ReloadReason says why Tx.Changes cannot list the changes a reader asked
// for, so that it must read everything it follows again.
type ReloadReason int

const (
	// ReloadNone: the changes are listed; nothing to reload.
	ReloadNone ReloadReason = iota
	// ReloadPruned: the store no longer keeps every change after the
	// reader's revision. Stores keep a bounded log, so a reader that fell
	// far enough behind (an edge that was down) is told to start over.
	ReloadPruned
	// ReloadAhead: the reader's revision is beyond the store's, so the
	// reader followed another store, or this one before it was restored
	// from an older backup.
	ReloadAhead
)

// String returns the reason for logs: "none", "pruned" or "ahead".
func (r ReloadReason) String() string {
	switch r {
	case ReloadNone:
		return "none"
	case ReloadPruned:
		return "pruned"
	case ReloadAhead:
		return "ahead"
	}
	return "ReloadReason(" + strconv.Itoa(int(r)) + ")"
}

// ChangeList is what Tx.Changes returns.
type ChangeList struct {
	// Revision is the revision the transaction sees. A reader that has
	// applied Changes (or, when Reload says so, read everything again in
	// the same transaction) is up to date to Revision.
	Revision Revision
	// Changes are the changes after the revision asked about, up to
	// Revision, ordered by revision and, within one, in the order the
	// Update first wrote each record; a record appears at most once per
	// revision. Empty when Reload is not ReloadNone.
	Changes []Change
	// Reload, when not ReloadNone, says that Changes is not the whole
	// story and why.
	Reload ReloadReason
}

// Node is a process that follows the store and reports how far it got: an
// edge registers itself under an ID of its choosing and heartbeats the
// revision it has applied, so that the control plane can tell when every
// live edge serves a change. Writing a node is not a change of the
// configuration: it neither advances the revision nor appears in the
// change feed (otherwise every heartbeat would wake every edge).
type Node struct {
	// ID identifies the node; it is never empty.
	ID string
	// Revision is the revision of the store the node has applied.
	Revision Revision
	// LastSeen is when the node last reported, by the node's clock.
	// Whoever decides that a node is no longer live compares it with its
	// own clock, so the timeout must exceed the clocks' skew.
	LastSeen time.Time
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

	// FindDistributions returns, in ID order, the IDs after p.Marker (at
	// most p.Limit of them) of the distributions q selects. Stores answer
	// it from an index, at a cost that grows with the IDs returned and not
	// with the number of distributions: the write rules call it inside
	// every write. Returns EINVALID unless exactly one field of q is set.
	FindDistributions(ctx context.Context, q DistributionQuery, p Page) ([]DistributionID, error)
	// CountDistributions returns the number of distributions.
	CountDistributions(ctx context.Context) (int, error)

	// GetInvalidation returns ENOTFOUND unless the invalidation exists for
	// that distribution.
	GetInvalidation(ctx context.Context, dist DistributionID, id string) (*Invalidation, error)
	// ListInvalidations lists a distribution's invalidations newest first
	// (by CreateTime, then ID); Page.Marker is the ID of the last one seen.
	ListInvalidations(ctx context.Context, dist DistributionID, p Page) ([]*Invalidation, error)
	// PutInvalidation returns ENOTFOUND if the distribution does not exist.
	PutInvalidation(ctx context.Context, inv *Invalidation) error

	// Revision returns the revision this transaction sees: in View, that
	// of its snapshot; in Update, the store's revision, or once the Update
	// has changed a record, the revision it will commit as.
	Revision(ctx context.Context) (Revision, error)
	// Changes lists the changes after revision since that this
	// transaction sees (an Update sees its own). A reader starts by
	// reading everything it follows in one View, noting Revision, and
	// from then on asks for the changes after the revision it reached,
	// reading the changed records in the same transaction as the list, so
	// that the records are those of ChangeList.Revision.
	//
	// The list says to reload instead (ChangeList.Reload) when the store
	// no longer keeps every change after since, or since is beyond the
	// store's revision. Since 0 lists every change a store ever kept, so
	// a reader that starts from nothing may ask for it; a store that was
	// written before it kept a log, or pruned it, says to reload.
	// Returns EINVALID if since is negative.
	Changes(ctx context.Context, since Revision) (*ChangeList, error)
	// LastChange returns the revision of the last change to the record
	// that this transaction sees. When the store no longer keeps changes
	// that old it returns the revision up to which it pruned them, which
	// is never older than the truth; a record never changed, in a store
	// that never pruned, gives 0. The record need not exist: a deleted
	// record was last changed by its deletion. Returns EINVALID for an
	// unknown kind, an empty ID, or a DistributionID that is empty for an
	// invalidation or set for any other kind.
	LastChange(ctx context.Context, r RecordID) (Revision, error)

	// GetNode returns the node with that ID, or ENOTFOUND.
	GetNode(ctx context.Context, id string) (*Node, error)
	// ListNodes lists nodes ordered by ID.
	ListNodes(ctx context.Context, p Page) ([]*Node, error)
	// PutNode registers n or replaces the node with its ID. It returns
	// EINVALID if n.ID is empty or n.Revision negative.
	PutNode(ctx context.Context, n *Node) error
	// DeleteNode deletes the node with that ID, or returns ENOTFOUND.
	DeleteNode(ctx context.Context, id string) error
}

// Bucket is a bucket of the embedded S3 origin.
type Bucket struct {
	// Name is the bucket's name (S3 User Guide, bucketnamingrules).
	Name         string
	CreationDate time.Time
	// Region is the bucket's location constraint, e.g. "us-east-1".
	Region string
	// Policy is the bucket policy document exactly as PutBucketPolicy
	// received it, or nil when the bucket has none.
	Policy []byte
}

// ObjectHeaders are what S3 keeps of an upload's headers and returns with
// the object: the standard HTTP headers it stores, and user metadata.
type ObjectHeaders struct {
	ContentType        string
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	Expires            string
	// Metadata holds the x-amz-meta-* headers: names in lower case without
	// the prefix, values as sent. Nil and empty mean none.
	Metadata map[string]string
}

// Checksum is an S3 additional checksum (S3 User Guide,
// checking-object-integrity). The zero value means none.
type Checksum struct {
	// Algorithm is "CRC32", "CRC32C", "CRC64NVME", "SHA1" or "SHA256".
	Algorithm string
	// Value is the base64 of the big-endian digest; for a COMPOSITE
	// checksum of a multipart object, followed by "-" and the part count.
	Value string
	// Type is "FULL_OBJECT" or "COMPOSITE".
	Type string
}

// Object is the metadata of one object. Its bytes are kept outside the
// store, in a body file named by BodyID that the origin writes before it
// puts the Object, so that an Object is never visible before its body is
// complete.
type Object struct {
	Bucket string
	Key    string
	// BodyID names the body file. Two objects or parts never share one.
	BodyID string
	Size   int64
	// ETag is S3's entity tag without quotes: the hex MD5 of the body, or
	// for a multipart object the hex MD5 of the parts' MD5s, "-" and the
	// part count.
	ETag         string
	LastModified time.Time
	Headers      ObjectHeaders
	Checksum     Checksum
	// PartSizes are the sizes of a multipart object's parts, in order;
	// nil for an object put in one piece.
	PartSizes []int64
}

// ObjectQuery selects objects of one bucket in byte order of their keys:
// those whose key starts with Prefix and sorts strictly after After, at
// most Limit of them (no limit when zero).
type ObjectQuery struct {
	Prefix string
	After  string
	Limit  int
}

// Upload is a multipart upload in progress: what CreateMultipartUpload
// said the object will be.
type Upload struct {
	// ID is the upload ID, unique across buckets. IDs that keyfront
	// generates sort in the order the uploads were created.
	ID        string
	Bucket    string
	Key       string
	Initiated time.Time
	Headers   ObjectHeaders
	// ChecksumAlgorithm and ChecksumType are those the upload was created
	// with ("" when none).
	ChecksumAlgorithm string
	ChecksumType      string
}

// UploadQuery selects multipart uploads of one bucket ordered by key, then
// ID: those whose key starts with Prefix and that sort after the pair
// (KeyMarker, IDMarker), at most Limit of them (no limit when zero). An
// empty IDMarker means after every upload of KeyMarker.
type UploadQuery struct {
	Prefix    string
	KeyMarker string
	IDMarker  string
	Limit     int
}

// Part is one part of a multipart upload. Its bytes are a body file, as an
// Object's are.
type Part struct {
	UploadID     string
	Number       int // 1 to 10,000
	BodyID       string
	Size         int64
	ETag         string // hex MD5, without quotes
	LastModified time.Time
	Checksum     Checksum
}

// ObjectTx is the part of a transaction that keeps the embedded S3
// origin's buckets, objects and multipart uploads. A Store can back the
// origin when the Tx its View and Update pass implements ObjectTx as well
// (the SQLite store's does); it is a separate interface so that stores
// which only keep configuration need not implement it.
//
// The rules of Tx apply: getters return ENOTFOUND when nothing matches,
// Puts insert or replace the whole record, Deletes return ENOTFOUND when
// nothing matched, returned values are copies, timestamps are kept to the
// millisecond. Keys and names compare as bytes.
type ObjectTx interface {
	GetBucket(ctx context.Context, name string) (*Bucket, error)
	// ListBuckets lists buckets ordered by name; Page.Marker is a name.
	ListBuckets(ctx context.Context, p Page) ([]*Bucket, error)
	PutBucket(ctx context.Context, b *Bucket) error
	// DeleteBucket returns ECONFLICT if the bucket holds objects or
	// multipart uploads.
	DeleteBucket(ctx context.Context, name string) error

	GetObject(ctx context.Context, bucket, key string) (*Object, error)
	// ListObjects returns ENOTFOUND if the bucket does not exist.
	ListObjects(ctx context.Context, bucket string, q ObjectQuery) ([]*Object, error)
	// PutObject returns ENOTFOUND if the bucket does not exist.
	PutObject(ctx context.Context, o *Object) error
	DeleteObject(ctx context.Context, bucket, key string) error

	GetUpload(ctx context.Context, id string) (*Upload, error)
	// ListUploads returns ENOTFOUND if the bucket does not exist.
	ListUploads(ctx context.Context, bucket string, q UploadQuery) ([]*Upload, error)
	// PutUpload returns ENOTFOUND if the bucket does not exist.
	PutUpload(ctx context.Context, u *Upload) error
	// DeleteUpload deletes the upload and its parts.
	DeleteUpload(ctx context.Context, id string) error

	GetPart(ctx context.Context, uploadID string, number int) (*Part, error)
	// ListParts lists an upload's parts by number, those numbered above
	// after, at most limit (no limit when zero). It returns ENOTFOUND if
	// the upload does not exist.
	ListParts(ctx context.Context, uploadID string, after, limit int) ([]*Part, error)
	// PutPart returns ENOTFOUND if the upload does not exist.
	PutPart(ctx context.Context, p *Part) error

	// BodiesInUse returns those of ids that an object or a part names as
	// its BodyID, so that files named by no record can be removed.
	BodiesInUse(ctx context.Context, ids []string) (map[string]bool, error)
}
