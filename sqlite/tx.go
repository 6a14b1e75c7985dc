package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"keyfront"
)

// tx is the keyfront.Tx of one View or Update.
type tx struct {
	tx       *sql.Tx
	writable bool // false inside View

	// Inside Update: how many revisions' changes the log keeps, and the
	// changes this Update has recorded (feed.go).
	keep    int64
	changes changeSet
}

var _ keyfront.Tx = (*tx)(nil)

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// Public keys.

const publicKeyColumns = `id, etag, created_time, caller_reference, name, encoded_key, comment`

func scanPublicKey(s scanner) (*keyfront.PublicKey, error) {
	var k keyfront.PublicKey
	var created int64
	if err := s.Scan(&k.ID, &k.ETag, &created, &k.CallerReference, &k.Name, &k.EncodedKey, &k.Comment); err != nil {
		return nil, err
	}
	k.CreatedTime = fromMillis(created)
	return &k, nil
}

// GetPublicKey returns the public key with that ID, or ENOTFOUND.
func (t *tx) GetPublicKey(ctx context.Context, id keyfront.KeyPairID) (*keyfront.PublicKey, error) {
	return get(ctx, t, "sqlite: get public key", "public key", scanPublicKey,
		`SELECT `+publicKeyColumns+` FROM public_keys WHERE id = ?`, string(id))
}

// ListPublicKeys returns a page of public keys ordered by ID.
func (t *tx) ListPublicKeys(ctx context.Context, p keyfront.Page) ([]*keyfront.PublicKey, error) {
	const op = "sqlite: list public keys"
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanPublicKey,
		`SELECT `+publicKeyColumns+` FROM public_keys WHERE id > ? ORDER BY id LIMIT ?`, p.Marker, limit)
}

// PutPublicKey inserts k or replaces the key with its ID.
func (t *tx) PutPublicKey(ctx context.Context, k *keyfront.PublicKey) error {
	const op = "sqlite: put public key"
	if err := t.checkPut(op, "public key", string(k.ID)); err != nil {
		return err
	}
	if err := t.exec(ctx, op, `
		INSERT INTO public_keys (`+publicKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			etag = excluded.etag, created_time = excluded.created_time,
			caller_reference = excluded.caller_reference, name = excluded.name,
			encoded_key = excluded.encoded_key, comment = excluded.comment`,
		string(k.ID), k.ETag, toMillis(k.CreatedTime), k.CallerReference, k.Name, k.EncodedKey, k.Comment); err != nil {
		return err
	}
	return t.record(ctx, op, keyfront.RecordID{Kind: keyfront.KindPublicKey, ID: string(k.ID)})
}

// DeletePublicKey deletes the public key with that ID, or returns ENOTFOUND.
func (t *tx) DeletePublicKey(ctx context.Context, id keyfront.KeyPairID) error {
	return t.deleteRecord(ctx, "sqlite: delete public key", "public key", keyfront.KindPublicKey,
		`DELETE FROM public_keys WHERE id = ?`, string(id))
}

// Key groups.

const keyGroupColumns = `id, etag, last_modified_time, name, items, comment`

func scanKeyGroup(s scanner) (*keyfront.KeyGroup, error) {
	var g keyfront.KeyGroup
	var modified int64
	var items string
	var comment sql.NullString
	if err := s.Scan(&g.ID, &g.ETag, &modified, &g.Name, &items, &comment); err != nil {
		return nil, err
	}
	g.LastModifiedTime = fromMillis(modified)
	if err := decodeJSON(items, &g.Items); err != nil {
		return nil, err
	}
	if comment.Valid {
		g.Comment = &comment.String
	}
	return &g, nil
}

// GetKeyGroup returns the key group with that ID, or ENOTFOUND.
func (t *tx) GetKeyGroup(ctx context.Context, id keyfront.KeyGroupID) (*keyfront.KeyGroup, error) {
	return get(ctx, t, "sqlite: get key group", "key group", scanKeyGroup,
		`SELECT `+keyGroupColumns+` FROM key_groups WHERE id = ?`, string(id))
}

// ListKeyGroups returns a page of key groups ordered by ID.
func (t *tx) ListKeyGroups(ctx context.Context, p keyfront.Page) ([]*keyfront.KeyGroup, error) {
	const op = "sqlite: list key groups"
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanKeyGroup,
		`SELECT `+keyGroupColumns+` FROM key_groups WHERE id > ? ORDER BY id LIMIT ?`, p.Marker, limit)
}

// PutKeyGroup inserts g or replaces the group with its ID.
func (t *tx) PutKeyGroup(ctx context.Context, g *keyfront.KeyGroup) error {
	const op = "sqlite: put key group"
	if err := t.checkPut(op, "key group", string(g.ID)); err != nil {
		return err
	}
	items, err := encodeJSON(g.Items)
	if err != nil {
		return internal(ctx, op, err)
	}
	// A nil *string binds as NULL, keeping "no Comment" apart from "".
	if err := t.exec(ctx, op, `
		INSERT INTO key_groups (`+keyGroupColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			etag = excluded.etag, last_modified_time = excluded.last_modified_time,
			name = excluded.name, items = excluded.items, comment = excluded.comment`,
		string(g.ID), g.ETag, toMillis(g.LastModifiedTime), g.Name, items, nullString(g.Comment)); err != nil {
		return err
	}
	return t.record(ctx, op, keyfront.RecordID{Kind: keyfront.KindKeyGroup, ID: string(g.ID)})
}

// DeleteKeyGroup deletes the key group with that ID, or returns ENOTFOUND.
func (t *tx) DeleteKeyGroup(ctx context.Context, id keyfront.KeyGroupID) error {
	return t.deleteRecord(ctx, "sqlite: delete key group", "key group", keyfront.KindKeyGroup,
		`DELETE FROM key_groups WHERE id = ?`, string(id))
}

// Origin access controls.

const originAccessControlColumns = `id, etag, name, description, signing_protocol, signing_behavior, origin_type, last_modified_time`

func scanOriginAccessControl(s scanner) (*keyfront.OriginAccessControl, error) {
	var o keyfront.OriginAccessControl
	var modified int64
	if err := s.Scan(&o.ID, &o.ETag, &o.Name, &o.Description, &o.SigningProtocol, &o.SigningBehavior, &o.OriginType, &modified); err != nil {
		return nil, err
	}
	o.LastModifiedTime = fromMillis(modified)
	return &o, nil
}

// GetOriginAccessControl returns the origin access control with that ID, or
// ENOTFOUND.
func (t *tx) GetOriginAccessControl(ctx context.Context, id string) (*keyfront.OriginAccessControl, error) {
	return get(ctx, t, "sqlite: get origin access control", "origin access control", scanOriginAccessControl,
		`SELECT `+originAccessControlColumns+` FROM origin_access_controls WHERE id = ?`, id)
}

// ListOriginAccessControls returns a page of origin access controls ordered
// by ID.
func (t *tx) ListOriginAccessControls(ctx context.Context, p keyfront.Page) ([]*keyfront.OriginAccessControl, error) {
	const op = "sqlite: list origin access controls"
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanOriginAccessControl,
		`SELECT `+originAccessControlColumns+` FROM origin_access_controls WHERE id > ? ORDER BY id LIMIT ?`, p.Marker, limit)
}

// PutOriginAccessControl inserts o or replaces the origin access control
// with its ID.
func (t *tx) PutOriginAccessControl(ctx context.Context, o *keyfront.OriginAccessControl) error {
	const op = "sqlite: put origin access control"
	if err := t.checkPut(op, "origin access control", o.ID); err != nil {
		return err
	}
	if err := t.exec(ctx, op, `
		INSERT INTO origin_access_controls (`+originAccessControlColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			etag = excluded.etag, name = excluded.name, description = excluded.description,
			signing_protocol = excluded.signing_protocol, signing_behavior = excluded.signing_behavior,
			origin_type = excluded.origin_type, last_modified_time = excluded.last_modified_time`,
		o.ID, o.ETag, o.Name, o.Description, o.SigningProtocol, o.SigningBehavior, o.OriginType, toMillis(o.LastModifiedTime)); err != nil {
		return err
	}
	return t.record(ctx, op, keyfront.RecordID{Kind: keyfront.KindOriginAccessControl, ID: o.ID})
}

// DeleteOriginAccessControl deletes the origin access control with that ID,
// or returns ENOTFOUND.
func (t *tx) DeleteOriginAccessControl(ctx context.Context, id string) error {
	return t.deleteRecord(ctx, "sqlite: delete origin access control", "origin access control", keyfront.KindOriginAccessControl,
		`DELETE FROM origin_access_controls WHERE id = ?`, id)
}

// Distributions.

const distributionColumns = `id, etag, status, last_modified_time, domain_name, caller_reference, enabled,
	aliases, key_group_ids, origin_access_control_ids, config, tags`

// tagJSON is a Tag as stored: named here, not by keyfront.Tag's field names,
// so that renaming a Go field cannot change the stored format.
type tagJSON struct {
	Key   string  `json:"key"`
	Value *string `json:"value"` // null when the tag has no Value
}

func scanDistribution(s scanner) (*keyfront.Distribution, error) {
	var d keyfront.Distribution
	var modified int64
	var aliases, keyGroups, oacs, tags string
	if err := s.Scan(&d.ID, &d.ETag, &d.Status, &modified, &d.DomainName, &d.CallerReference, &d.Enabled,
		&aliases, &keyGroups, &oacs, &d.Config, &tags); err != nil {
		return nil, err
	}
	d.LastModifiedTime = fromMillis(modified)
	if d.Config == nil {
		d.Config = []byte{} // the driver returns a zero-length BLOB as nil
	}
	var stored []tagJSON
	for _, f := range []struct {
		text string
		v    any
	}{
		{aliases, &d.Aliases},
		{keyGroups, &d.KeyGroupIDs},
		{oacs, &d.OriginAccessControlIDs},
		{tags, &stored},
	} {
		if err := decodeJSON(f.text, f.v); err != nil {
			return nil, err
		}
	}
	if stored != nil {
		d.Tags = make([]keyfront.Tag, len(stored))
		for i, tg := range stored {
			d.Tags[i] = keyfront.Tag{Key: tg.Key, Value: tg.Value}
		}
	}
	return &d, nil
}

// GetDistribution returns the distribution with that ID, or ENOTFOUND.
func (t *tx) GetDistribution(ctx context.Context, id keyfront.DistributionID) (*keyfront.Distribution, error) {
	return get(ctx, t, "sqlite: get distribution", "distribution", scanDistribution,
		`SELECT `+distributionColumns+` FROM distributions WHERE id = ?`, string(id))
}

// ListDistributions returns a page of distributions ordered by ID.
func (t *tx) ListDistributions(ctx context.Context, p keyfront.Page) ([]*keyfront.Distribution, error) {
	const op = "sqlite: list distributions"
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanDistribution,
		`SELECT `+distributionColumns+` FROM distributions WHERE id > ? ORDER BY id LIMIT ?`, p.Marker, limit)
}

// PutDistribution inserts d or replaces the distribution with its ID,
// keeping that distribution's invalidations.
func (t *tx) PutDistribution(ctx context.Context, d *keyfront.Distribution) error {
	const op = "sqlite: put distribution"
	if err := t.checkPut(op, "distribution", string(d.ID)); err != nil {
		return err
	}
	var tags []tagJSON
	if d.Tags != nil {
		tags = make([]tagJSON, len(d.Tags))
		for i, tg := range d.Tags {
			tags[i] = tagJSON{Key: tg.Key, Value: tg.Value}
		}
	}
	var text [4]string
	for i, v := range []any{d.Aliases, d.KeyGroupIDs, d.OriginAccessControlIDs, tags} {
		var err error
		if text[i], err = encodeJSON(v); err != nil {
			return internal(ctx, op, err)
		}
	}
	config := d.Config
	if config == nil {
		config = []byte{} // a nil slice would bind as NULL
	}
	// An upsert, not INSERT OR REPLACE: REPLACE deletes the old row first,
	// and the foreign key's ON DELETE CASCADE would take the
	// distribution's invalidations with it.
	if err := t.exec(ctx, op, `
		INSERT INTO distributions (`+distributionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			etag = excluded.etag, status = excluded.status,
			last_modified_time = excluded.last_modified_time, domain_name = excluded.domain_name,
			caller_reference = excluded.caller_reference, enabled = excluded.enabled,
			aliases = excluded.aliases, key_group_ids = excluded.key_group_ids,
			origin_access_control_ids = excluded.origin_access_control_ids,
			config = excluded.config, tags = excluded.tags`,
		string(d.ID), d.ETag, d.Status, toMillis(d.LastModifiedTime), d.DomainName, d.CallerReference, d.Enabled,
		text[0], text[1], text[2], config, text[3]); err != nil {
		return err
	}
	if err := t.putDistributionRefs(ctx, op, d); err != nil {
		return err
	}
	return t.record(ctx, op, keyfront.RecordID{Kind: keyfront.KindDistribution, ID: string(d.ID)})
}

// Kinds of row in distribution_refs (migration 0004).
const (
	refAlias               = "alias"
	refKeyGroup            = "key-group"
	refOriginAccessControl = "origin-access-control"
)

// putDistributionRefs rewrites d's rows in distribution_refs.
func (t *tx) putDistributionRefs(ctx context.Context, op string, d *keyfront.Distribution) error {
	if err := t.exec(ctx, op, `DELETE FROM distribution_refs WHERE distribution_id = ?`, string(d.ID)); err != nil {
		return err
	}
	insert := func(kind, value string) error {
		return t.exec(ctx, op, `INSERT OR IGNORE INTO distribution_refs (kind, value, distribution_id) VALUES (?, ?, ?)`,
			kind, value, string(d.ID))
	}
	for _, a := range d.Aliases {
		if err := insert(refAlias, asciiLower(a)); err != nil {
			return err
		}
	}
	for _, g := range d.KeyGroupIDs {
		if err := insert(refKeyGroup, string(g)); err != nil {
			return err
		}
	}
	for _, o := range d.OriginAccessControlIDs {
		if err := insert(refOriginAccessControl, o); err != nil {
			return err
		}
	}
	return nil
}

// asciiLower lower-cases ASCII letters only, as SQLite's lower() does in
// migration 0004.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// FindDistributions returns the IDs of the distributions q selects, from
// the indexes of migration 0004.
func (t *tx) FindDistributions(ctx context.Context, q keyfront.DistributionQuery, p keyfront.Page) ([]keyfront.DistributionID, error) {
	const op = "sqlite: find distributions"
	if err := q.Check(); err != nil {
		err.(*keyfront.Error).Op = op
		return nil, err
	}
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	var query string
	var value string
	switch {
	case q.CallerReference != "":
		query, value = `SELECT id FROM distributions WHERE caller_reference = ? AND id > ? ORDER BY id LIMIT ?`, q.CallerReference
	case q.DomainName != "":
		query, value = `SELECT id FROM distributions WHERE domain_name = ? AND id > ? ORDER BY id LIMIT ?`, q.DomainName
	default:
		kind := refOriginAccessControl
		value = q.OriginAccessControlID
		switch {
		case q.Alias != "":
			kind, value = refAlias, asciiLower(q.Alias)
		case q.KeyGroupID != "":
			kind, value = refKeyGroup, string(q.KeyGroupID)
		}
		query = `SELECT distribution_id FROM distribution_refs WHERE kind = '` + kind + `' AND value = ? AND distribution_id > ? ORDER BY distribution_id LIMIT ?`
	}
	rows, err := t.tx.QueryContext(ctx, query, value, p.Marker, limit)
	if err != nil {
		return nil, internal(ctx, op, err)
	}
	defer rows.Close()
	out := []keyfront.DistributionID{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, internal(ctx, op, err)
		}
		out = append(out, keyfront.DistributionID(id))
	}
	if err := rows.Err(); err != nil {
		return nil, internal(ctx, op, err)
	}
	return out, nil
}

// CountDistributions returns the number of distributions.
func (t *tx) CountDistributions(ctx context.Context) (int, error) {
	var n int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM distributions`).Scan(&n); err != nil {
		return 0, internal(ctx, "sqlite: count distributions", err)
	}
	return n, nil
}

// DeleteDistribution deletes the distribution with that ID and, through the
// foreign key's ON DELETE CASCADE, its invalidations; or returns ENOTFOUND.
// The change feed records the distribution only: its invalidations go
// with it.
func (t *tx) DeleteDistribution(ctx context.Context, id keyfront.DistributionID) error {
	return t.deleteRecord(ctx, "sqlite: delete distribution", "distribution", keyfront.KindDistribution,
		`DELETE FROM distributions WHERE id = ?`, string(id))
}

// Invalidations.

const invalidationColumns = `id, distribution_id, status, create_time, caller_reference, paths`

func scanInvalidation(s scanner) (*keyfront.Invalidation, error) {
	var inv keyfront.Invalidation
	var created int64
	var paths string
	if err := s.Scan(&inv.ID, &inv.DistributionID, &inv.Status, &created, &inv.CallerReference, &paths); err != nil {
		return nil, err
	}
	inv.CreateTime = fromMillis(created)
	if err := decodeJSON(paths, &inv.Paths); err != nil {
		return nil, err
	}
	return &inv, nil
}

// GetInvalidation returns the invalidation with that ID if it belongs to
// dist, or ENOTFOUND.
func (t *tx) GetInvalidation(ctx context.Context, dist keyfront.DistributionID, id string) (*keyfront.Invalidation, error) {
	return get(ctx, t, "sqlite: get invalidation", "invalidation", scanInvalidation,
		`SELECT `+invalidationColumns+` FROM invalidations WHERE distribution_id = ? AND id = ?`, string(dist), id)
}

// ListInvalidations returns a page of dist's invalidations, newest first by
// CreateTime, then by ID descending. The page starts after the invalidation
// whose ID is p.Marker; a Marker that names no invalidation of dist starts
// the page at the newest, since an ID carries no position of its own. It
// returns ENOTFOUND if dist does not exist.
func (t *tx) ListInvalidations(ctx context.Context, dist keyfront.DistributionID, p keyfront.Page) ([]*keyfront.Invalidation, error) {
	const op = "sqlite: list invalidations"
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	if err := t.distributionExists(ctx, op, dist); err != nil {
		return nil, err
	}
	if p.Marker != "" {
		var markerTime int64
		err := t.tx.QueryRowContext(ctx,
			`SELECT create_time FROM invalidations WHERE distribution_id = ? AND id = ?`,
			string(dist), p.Marker).Scan(&markerTime)
		switch {
		case err == nil:
			// Row values compare lexicographically: strictly older, or as
			// old with a smaller ID, is "after" in newest-first order.
			return list(ctx, t, op, scanInvalidation, `
				SELECT `+invalidationColumns+` FROM invalidations
				WHERE distribution_id = ? AND (create_time, id) < (?, ?)
				ORDER BY create_time DESC, id DESC LIMIT ?`,
				string(dist), markerTime, p.Marker, limit)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, internal(ctx, op, err)
		}
	}
	return list(ctx, t, op, scanInvalidation, `
		SELECT `+invalidationColumns+` FROM invalidations
		WHERE distribution_id = ?
		ORDER BY create_time DESC, id DESC LIMIT ?`,
		string(dist), limit)
}

// PutInvalidation inserts inv or replaces the invalidation with its
// distribution and ID. It returns ENOTFOUND if the distribution does not
// exist.
func (t *tx) PutInvalidation(ctx context.Context, inv *keyfront.Invalidation) error {
	const op = "sqlite: put invalidation"
	if err := t.checkPut(op, "invalidation", inv.ID); err != nil {
		return err
	}
	// Checked here rather than left to the foreign key so that the caller
	// gets ENOTFOUND, not a constraint failure.
	if err := t.distributionExists(ctx, op, inv.DistributionID); err != nil {
		return err
	}
	paths, err := encodeJSON(inv.Paths)
	if err != nil {
		return internal(ctx, op, err)
	}
	if err := t.exec(ctx, op, `
		INSERT INTO invalidations (`+invalidationColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (distribution_id, id) DO UPDATE SET
			status = excluded.status, create_time = excluded.create_time,
			caller_reference = excluded.caller_reference, paths = excluded.paths`,
		inv.ID, string(inv.DistributionID), inv.Status, toMillis(inv.CreateTime), inv.CallerReference, paths); err != nil {
		return err
	}
	return t.record(ctx, op, keyfront.RecordID{Kind: keyfront.KindInvalidation, ID: inv.ID, DistributionID: inv.DistributionID})
}

// distributionExists returns nil if dist exists and ENOTFOUND otherwise.
func (t *tx) distributionExists(ctx context.Context, op string, dist keyfront.DistributionID) error {
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM distributions WHERE id = ?`, string(dist)).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notFound(op, "distribution")
	case err != nil:
		return internal(ctx, op, err)
	}
	return nil
}

// Helpers shared by the kinds above.

// get runs a query for at most one row and decodes it with scan; no row is
// ENOTFOUND for what.
func get[T any](ctx context.Context, t *tx, op, what string, scan func(scanner) (*T, error), query string, args ...any) (*T, error) {
	v, err := scan(t.tx.QueryRowContext(ctx, query, args...))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, notFound(op, what)
	case err != nil:
		return nil, internal(ctx, op, err)
	}
	return v, nil
}

// list runs a query and decodes every row with scan. It returns an empty,
// non-nil slice when there are no rows.
func list[T any](ctx context.Context, t *tx, op string, scan func(scanner) (*T, error), query string, args ...any) ([]*T, error) {
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, internal(ctx, op, err)
	}
	defer rows.Close()
	out := []*T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, internal(ctx, op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(ctx, op, err)
	}
	return out, nil
}

// exec runs a statement that writes.
func (t *tx) exec(ctx context.Context, op, query string, args ...any) error {
	if _, err := t.tx.ExecContext(ctx, query, args...); err != nil {
		return internal(ctx, op, err)
	}
	return nil
}

// deleteRecord runs delete for a record of the configuration and records
// the change in the feed.
func (t *tx) deleteRecord(ctx context.Context, op, what string, kind keyfront.RecordKind, query, id string) error {
	if err := t.delete(ctx, op, what, query, id); err != nil {
		return err
	}
	return t.record(ctx, op, keyfront.RecordID{Kind: kind, ID: id})
}

// delete runs a DELETE of one row by ID; no row deleted is ENOTFOUND.
func (t *tx) delete(ctx context.Context, op, what, query, id string) error {
	if err := t.checkWrite(op); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, query, id)
	if err != nil {
		return internal(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return internal(ctx, op, err)
	}
	if n == 0 {
		return notFound(op, what)
	}
	return nil
}

// checkWrite refuses a write inside View. The reader connections are
// query_only as well; checking here first gives a clear error and keeps
// the statement from being prepared at all.
func (t *tx) checkWrite(op string) error {
	if !t.writable {
		return &keyfront.Error{Code: keyfront.EINTERNAL, Op: op, Err: errors.New("write inside a read-only transaction (View)")}
	}
	return nil
}

// checkPut refuses writes inside View and records without an ID: an empty
// ID could never be named by a Get or passed as a Marker.
func (t *tx) checkPut(op, what, id string) error {
	if err := t.checkWrite(op); err != nil {
		return err
	}
	if id == "" {
		return &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The " + what + " has an empty ID."}
	}
	return nil
}

// notFound is the ENOTFOUND error for a missing what ("key group").
func notFound(op, what string) error {
	return &keyfront.Error{Code: keyfront.ENOTFOUND, Op: op, Message: "The specified " + what + " does not exist."}
}

// sqlLimit returns the SQL LIMIT for p: -1, which SQLite reads as no
// limit, for a zero Limit.
func sqlLimit(op string, p keyfront.Page) (int, error) {
	switch {
	case p.Limit < 0:
		return 0, &keyfront.Error{Code: keyfront.EINVALID, Op: op, Message: "The page limit is negative."}
	case p.Limit == 0:
		return -1, nil
	}
	return p.Limit, nil
}

// toMillis and fromMillis convert between time.Time and the stored Unix
// milliseconds. Milliseconds, not nanoseconds, because int64 nanoseconds
// cannot hold the zero time.Time (year 1) and milliseconds can.
func toMillis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// nullString binds a *string as TEXT, or NULL when it is nil.
func nullString(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

// encodeJSON encodes v as stored in a JSON column: a nil slice as null and
// an empty one as [], so both come back as they went in. HTML escaping is
// off so that the column reads naturally in the sqlite3 shell.
func encodeJSON(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

func decodeJSON(text string, v any) error {
	return json.Unmarshal([]byte(text), v)
}
