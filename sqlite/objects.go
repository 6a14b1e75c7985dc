package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"keyfront"
)

// This file implements keyfront.ObjectTx: the embedded S3 origin's
// buckets, objects, multipart uploads and parts (schema 0002_objects.sql).

var _ keyfront.ObjectTx = (*tx)(nil)

// Buckets.

const bucketColumns = `name, creation_date, region, policy`

func scanBucket(s scanner) (*keyfront.Bucket, error) {
	var b keyfront.Bucket
	var created int64
	var policy []byte
	if err := s.Scan(&b.Name, &created, &b.Region, &policy); err != nil {
		return nil, err
	}
	b.CreationDate = fromMillis(created)
	if policy != nil {
		b.Policy = policy
	}
	return &b, nil
}

// GetBucket returns the bucket with that name, or ENOTFOUND.
func (t *tx) GetBucket(ctx context.Context, name string) (*keyfront.Bucket, error) {
	return get(ctx, t, "sqlite: get bucket", "bucket", scanBucket,
		`SELECT `+bucketColumns+` FROM buckets WHERE name = ?`, name)
}

// ListBuckets returns a page of buckets ordered by name.
func (t *tx) ListBuckets(ctx context.Context, p keyfront.Page) ([]*keyfront.Bucket, error) {
	const op = "sqlite: list buckets"
	limit, err := sqlLimit(op, p)
	if err != nil {
		return nil, err
	}
	return list(ctx, t, op, scanBucket,
		`SELECT `+bucketColumns+` FROM buckets WHERE name > ? ORDER BY name LIMIT ?`, p.Marker, limit)
}

// PutBucket inserts b or replaces the bucket with its name, keeping the
// bucket's objects and uploads.
func (t *tx) PutBucket(ctx context.Context, b *keyfront.Bucket) error {
	const op = "sqlite: put bucket"
	if err := t.checkPut(op, "bucket", b.Name); err != nil {
		return err
	}
	// A nil Policy binds as NULL: no policy. An upsert rather than REPLACE,
	// which would delete the row first and trip the foreign keys of the
	// bucket's objects.
	return t.exec(ctx, op, `
		INSERT INTO buckets (`+bucketColumns+`) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET
			creation_date = excluded.creation_date, region = excluded.region, policy = excluded.policy`,
		b.Name, toMillis(b.CreationDate), b.Region, b.Policy)
}

// DeleteBucket deletes an empty bucket; it returns ECONFLICT if the bucket
// holds objects or uploads and ENOTFOUND if there is no such bucket.
func (t *tx) DeleteBucket(ctx context.Context, name string) error {
	const op = "sqlite: delete bucket"
	if err := t.checkWrite(op); err != nil {
		return err
	}
	if err := t.bucketExists(ctx, op, name); err != nil {
		return err
	}
	var one int
	err := t.tx.QueryRowContext(ctx, `
		SELECT 1 FROM objects WHERE bucket = ?
		UNION ALL SELECT 1 FROM uploads WHERE bucket = ? LIMIT 1`, name, name).Scan(&one)
	switch {
	case err == nil:
		return &keyfront.Error{Code: keyfront.ECONFLICT, Op: op, Message: "The bucket you tried to delete is not empty."}
	case !errors.Is(err, sql.ErrNoRows):
		return internal(ctx, op, err)
	}
	return t.delete(ctx, op, "bucket", `DELETE FROM buckets WHERE name = ?`, name)
}

// bucketExists returns nil if the bucket exists and ENOTFOUND otherwise.
func (t *tx) bucketExists(ctx context.Context, op, name string) error {
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM buckets WHERE name = ?`, name).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notFound(op, "bucket")
	case err != nil:
		return internal(ctx, op, err)
	}
	return nil
}

// headersJSON is keyfront.ObjectHeaders as stored, with names of its own
// so that renaming a Go field cannot change the stored format. Empty
// fields are left out.
type headersJSON struct {
	ContentType        string            `json:"content_type,omitempty"`
	ContentEncoding    string            `json:"content_encoding,omitempty"`
	ContentDisposition string            `json:"content_disposition,omitempty"`
	ContentLanguage    string            `json:"content_language,omitempty"`
	CacheControl       string            `json:"cache_control,omitempty"`
	Expires            string            `json:"expires,omitempty"`
	Metadata           map[string]string `json:"metadata,omitempty"`
}

func encodeHeaders(h keyfront.ObjectHeaders) (string, error) {
	return encodeJSON(headersJSON{
		ContentType: h.ContentType, ContentEncoding: h.ContentEncoding,
		ContentDisposition: h.ContentDisposition, ContentLanguage: h.ContentLanguage,
		CacheControl: h.CacheControl, Expires: h.Expires, Metadata: h.Metadata,
	})
}

func decodeHeaders(text string, h *keyfront.ObjectHeaders) error {
	var j headersJSON
	if err := decodeJSON(text, &j); err != nil {
		return err
	}
	*h = keyfront.ObjectHeaders{
		ContentType: j.ContentType, ContentEncoding: j.ContentEncoding,
		ContentDisposition: j.ContentDisposition, ContentLanguage: j.ContentLanguage,
		CacheControl: j.CacheControl, Expires: j.Expires, Metadata: j.Metadata,
	}
	return nil
}

// Objects.

const objectColumns = `bucket, object_key, body_id, size, etag, last_modified, headers,
	checksum_algorithm, checksum_value, checksum_type, part_sizes`

func scanObject(s scanner) (*keyfront.Object, error) {
	var o keyfront.Object
	var modified int64
	var headers string
	var parts sql.NullString
	if err := s.Scan(&o.Bucket, &o.Key, &o.BodyID, &o.Size, &o.ETag, &modified, &headers,
		&o.Checksum.Algorithm, &o.Checksum.Value, &o.Checksum.Type, &parts); err != nil {
		return nil, err
	}
	if parts.Valid {
		if err := decodeJSON(parts.String, &o.PartSizes); err != nil {
			return nil, err
		}
	}
	o.LastModified = fromMillis(modified)
	if err := decodeHeaders(headers, &o.Headers); err != nil {
		return nil, err
	}
	return &o, nil
}

// GetObject returns the object with that key, or ENOTFOUND.
func (t *tx) GetObject(ctx context.Context, bucket, key string) (*keyfront.Object, error) {
	return get(ctx, t, "sqlite: get object", "key", scanObject,
		`SELECT `+objectColumns+` FROM objects WHERE bucket = ? AND object_key = ?`, bucket, key)
}

// ListObjects returns the objects q selects, ordered by key.
func (t *tx) ListObjects(ctx context.Context, bucket string, q keyfront.ObjectQuery) ([]*keyfront.Object, error) {
	const op = "sqlite: list objects"
	limit, err := sqlLimit(op, keyfront.Page{Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	if err := t.bucketExists(ctx, op, bucket); err != nil {
		return nil, err
	}
	// The prefix becomes a range of the primary key, [Prefix, end), so
	// that the scan starts and stops in the index instead of filtering.
	query := `SELECT ` + objectColumns + ` FROM objects
		WHERE bucket = ? AND object_key > ? AND object_key >= ?`
	args := []any{bucket, q.After, q.Prefix}
	if end, ok := prefixEnd(q.Prefix); ok {
		query += ` AND object_key < ?`
		args = append(args, end)
	}
	query += ` ORDER BY object_key LIMIT ?`
	args = append(args, limit)
	return list(ctx, t, op, scanObject, query, args...)
}

// prefixEnd returns the least string greater than every string that
// starts with prefix, and false if there is none (prefix is empty or all
// 0xFF bytes).
func prefixEnd(prefix string) (string, bool) {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xFF {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// PutObject inserts o or replaces the object with its key; it returns
// ENOTFOUND if the bucket does not exist.
func (t *tx) PutObject(ctx context.Context, o *keyfront.Object) error {
	const op = "sqlite: put object"
	if err := t.checkPut(op, "object", o.Key); err != nil {
		return err
	}
	if err := t.bucketExists(ctx, op, o.Bucket); err != nil {
		return err
	}
	headers, err := encodeHeaders(o.Headers)
	if err != nil {
		return internal(ctx, op, err)
	}
	var parts sql.NullString
	if len(o.PartSizes) > 0 {
		parts.Valid = true
		if parts.String, err = encodeJSON(o.PartSizes); err != nil {
			return internal(ctx, op, err)
		}
	}
	return t.exec(ctx, op, `
		INSERT INTO objects (`+objectColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (bucket, object_key) DO UPDATE SET
			body_id = excluded.body_id, size = excluded.size, etag = excluded.etag,
			last_modified = excluded.last_modified, headers = excluded.headers,
			checksum_algorithm = excluded.checksum_algorithm, checksum_value = excluded.checksum_value,
			checksum_type = excluded.checksum_type, part_sizes = excluded.part_sizes`,
		o.Bucket, o.Key, o.BodyID, o.Size, o.ETag, toMillis(o.LastModified), headers,
		o.Checksum.Algorithm, o.Checksum.Value, o.Checksum.Type, parts)
}

// DeleteObject deletes the object with that key, or returns ENOTFOUND.
func (t *tx) DeleteObject(ctx context.Context, bucket, key string) error {
	const op = "sqlite: delete object"
	if err := t.checkWrite(op); err != nil {
		return err
	}
	res, err := t.tx.ExecContext(ctx, `DELETE FROM objects WHERE bucket = ? AND object_key = ?`, bucket, key)
	if err != nil {
		return internal(ctx, op, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return internal(ctx, op, err)
	} else if n == 0 {
		return notFound(op, "key")
	}
	return nil
}

// Multipart uploads.

const uploadColumns = `id, bucket, object_key, initiated, headers, checksum_algorithm, checksum_type`

func scanUpload(s scanner) (*keyfront.Upload, error) {
	var u keyfront.Upload
	var initiated int64
	var headers string
	if err := s.Scan(&u.ID, &u.Bucket, &u.Key, &initiated, &headers, &u.ChecksumAlgorithm, &u.ChecksumType); err != nil {
		return nil, err
	}
	u.Initiated = fromMillis(initiated)
	if err := decodeHeaders(headers, &u.Headers); err != nil {
		return nil, err
	}
	return &u, nil
}

// GetUpload returns the upload with that ID, or ENOTFOUND.
func (t *tx) GetUpload(ctx context.Context, id string) (*keyfront.Upload, error) {
	return get(ctx, t, "sqlite: get upload", "upload", scanUpload,
		`SELECT `+uploadColumns+` FROM uploads WHERE id = ?`, id)
}

// ListUploads returns the uploads q selects, ordered by key, then ID.
func (t *tx) ListUploads(ctx context.Context, bucket string, q keyfront.UploadQuery) ([]*keyfront.Upload, error) {
	const op = "sqlite: list uploads"
	limit, err := sqlLimit(op, keyfront.Page{Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	if err := t.bucketExists(ctx, op, bucket); err != nil {
		return nil, err
	}
	query := `SELECT ` + uploadColumns + ` FROM uploads WHERE bucket = ? AND object_key >= ?`
	args := []any{bucket, q.Prefix}
	if end, ok := prefixEnd(q.Prefix); ok {
		query += ` AND object_key < ?`
		args = append(args, end)
	}
	if q.IDMarker == "" {
		query += ` AND object_key > ?`
		args = append(args, q.KeyMarker)
	} else {
		query += ` AND (object_key, id) > (?, ?)`
		args = append(args, q.KeyMarker, q.IDMarker)
	}
	query += ` ORDER BY object_key, id LIMIT ?`
	args = append(args, limit)
	return list(ctx, t, op, scanUpload, query, args...)
}

// PutUpload inserts u or replaces the upload with its ID; it returns
// ENOTFOUND if the bucket does not exist.
func (t *tx) PutUpload(ctx context.Context, u *keyfront.Upload) error {
	const op = "sqlite: put upload"
	if err := t.checkPut(op, "upload", u.ID); err != nil {
		return err
	}
	if err := t.bucketExists(ctx, op, u.Bucket); err != nil {
		return err
	}
	headers, err := encodeHeaders(u.Headers)
	if err != nil {
		return internal(ctx, op, err)
	}
	// An upsert, so that the upload's parts survive (REPLACE would
	// cascade).
	return t.exec(ctx, op, `
		INSERT INTO uploads (`+uploadColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			bucket = excluded.bucket, object_key = excluded.object_key, initiated = excluded.initiated,
			headers = excluded.headers, checksum_algorithm = excluded.checksum_algorithm,
			checksum_type = excluded.checksum_type`,
		u.ID, u.Bucket, u.Key, toMillis(u.Initiated), headers, u.ChecksumAlgorithm, u.ChecksumType)
}

// DeleteUpload deletes the upload and, through the foreign key's ON DELETE
// CASCADE, its parts; or returns ENOTFOUND.
func (t *tx) DeleteUpload(ctx context.Context, id string) error {
	return t.delete(ctx, "sqlite: delete upload", "upload", `DELETE FROM uploads WHERE id = ?`, id)
}

// Parts.

const partColumns = `upload_id, number, body_id, size, etag, last_modified,
	checksum_algorithm, checksum_value, checksum_type`

func scanPart(s scanner) (*keyfront.Part, error) {
	var p keyfront.Part
	var modified int64
	if err := s.Scan(&p.UploadID, &p.Number, &p.BodyID, &p.Size, &p.ETag, &modified,
		&p.Checksum.Algorithm, &p.Checksum.Value, &p.Checksum.Type); err != nil {
		return nil, err
	}
	p.LastModified = fromMillis(modified)
	return &p, nil
}

// GetPart returns part number of the upload, or ENOTFOUND.
func (t *tx) GetPart(ctx context.Context, uploadID string, number int) (*keyfront.Part, error) {
	return get(ctx, t, "sqlite: get part", "part", scanPart,
		`SELECT `+partColumns+` FROM parts WHERE upload_id = ? AND number = ?`, uploadID, number)
}

// ListParts returns the upload's parts numbered above after, by number.
func (t *tx) ListParts(ctx context.Context, uploadID string, after, limit int) ([]*keyfront.Part, error) {
	const op = "sqlite: list parts"
	l, err := sqlLimit(op, keyfront.Page{Limit: limit})
	if err != nil {
		return nil, err
	}
	var one int
	err = t.tx.QueryRowContext(ctx, `SELECT 1 FROM uploads WHERE id = ?`, uploadID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, notFound(op, "upload")
	case err != nil:
		return nil, internal(ctx, op, err)
	}
	return list(ctx, t, op, scanPart,
		`SELECT `+partColumns+` FROM parts WHERE upload_id = ? AND number > ? ORDER BY number LIMIT ?`,
		uploadID, after, l)
}

// PutPart inserts p or replaces the part with its upload and number; it
// returns ENOTFOUND if the upload does not exist.
func (t *tx) PutPart(ctx context.Context, p *keyfront.Part) error {
	const op = "sqlite: put part"
	if err := t.checkPut(op, "part", p.UploadID); err != nil {
		return err
	}
	var one int
	err := t.tx.QueryRowContext(ctx, `SELECT 1 FROM uploads WHERE id = ?`, p.UploadID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return notFound(op, "upload")
	case err != nil:
		return internal(ctx, op, err)
	}
	return t.exec(ctx, op, `
		INSERT INTO parts (`+partColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (upload_id, number) DO UPDATE SET
			body_id = excluded.body_id, size = excluded.size, etag = excluded.etag,
			last_modified = excluded.last_modified, checksum_algorithm = excluded.checksum_algorithm,
			checksum_value = excluded.checksum_value, checksum_type = excluded.checksum_type`,
		p.UploadID, p.Number, p.BodyID, p.Size, p.ETag, toMillis(p.LastModified),
		p.Checksum.Algorithm, p.Checksum.Value, p.Checksum.Type)
}

// bodiesBatch bounds the bound parameters of one BodiesInUse query, well
// under SQLite's limit.
const bodiesBatch = 500

// BodiesInUse returns those of ids that an object or a part names.
func (t *tx) BodiesInUse(ctx context.Context, ids []string) (map[string]bool, error) {
	const op = "sqlite: bodies in use"
	used := make(map[string]bool)
	for len(ids) > 0 {
		n := min(len(ids), bodiesBatch)
		batch := ids[:n]
		ids = ids[n:]
		marks := strings.TrimSuffix(strings.Repeat("?,", n), ",")
		args := make([]any, 0, 2*n)
		for _, id := range batch {
			args = append(args, id)
		}
		args = append(args, args...)
		rows, err := t.tx.QueryContext(ctx, `
			SELECT body_id FROM objects WHERE body_id IN (`+marks+`)
			UNION SELECT body_id FROM parts WHERE body_id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, internal(ctx, op, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, internal(ctx, op, err)
			}
			used[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, internal(ctx, op, err)
		}
	}
	return used, nil
}
