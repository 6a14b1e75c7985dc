-- Schema version 2: the embedded S3 origin's buckets, objects and multipart
-- uploads. Object and part bodies are files outside the database, named by
-- body_id; a row is written only after its file is complete and synced.
--
-- Conventions are those of 0001 (BINARY collation, so that ORDER BY and
-- comparisons agree with Go's byte-wise string order, which is the order S3
-- lists keys in; Unix milliseconds; STRICT tables). Headers and metadata
-- are JSON objects, read and written whole with their row.

CREATE TABLE buckets (
	name          TEXT    NOT NULL PRIMARY KEY,
	creation_date INTEGER NOT NULL,
	region        TEXT    NOT NULL,
	-- NULL when the bucket has no policy.
	policy        BLOB
) STRICT;

-- Deleting a bucket that still has objects or uploads is refused by the
-- foreign keys (no cascade): BucketNotEmpty.
CREATE TABLE objects (
	bucket             TEXT    NOT NULL REFERENCES buckets (name),
	object_key         TEXT    NOT NULL,
	body_id            TEXT    NOT NULL,
	size               INTEGER NOT NULL,
	etag               TEXT    NOT NULL,
	last_modified      INTEGER NOT NULL,
	headers            TEXT    NOT NULL CHECK (json_valid(headers)),
	checksum_algorithm TEXT    NOT NULL,
	checksum_value     TEXT    NOT NULL,
	checksum_type      TEXT    NOT NULL,
	-- JSON array of the part sizes of a multipart object, NULL otherwise.
	part_sizes         TEXT    CHECK (part_sizes IS NULL OR json_valid(part_sizes)),
	PRIMARY KEY (bucket, object_key)
) STRICT, WITHOUT ROWID;

CREATE INDEX objects_body ON objects (body_id);

CREATE TABLE uploads (
	id                 TEXT    NOT NULL PRIMARY KEY,
	bucket             TEXT    NOT NULL REFERENCES buckets (name),
	object_key         TEXT    NOT NULL,
	initiated          INTEGER NOT NULL,
	headers            TEXT    NOT NULL CHECK (json_valid(headers)),
	checksum_algorithm TEXT    NOT NULL,
	checksum_type      TEXT    NOT NULL
) STRICT;

-- ListUploads walks this index.
CREATE INDEX uploads_by_key ON uploads (bucket, object_key, id);

CREATE TABLE parts (
	upload_id          TEXT    NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
	number             INTEGER NOT NULL,
	body_id            TEXT    NOT NULL,
	size               INTEGER NOT NULL,
	etag               TEXT    NOT NULL,
	last_modified      INTEGER NOT NULL,
	checksum_algorithm TEXT    NOT NULL,
	checksum_value     TEXT    NOT NULL,
	checksum_type      TEXT    NOT NULL,
	PRIMARY KEY (upload_id, number)
) STRICT, WITHOUT ROWID;

CREATE INDEX parts_body ON parts (body_id);
