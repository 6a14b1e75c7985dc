-- Schema version 1: one table per resource kind.
--
-- Conventions, relied on by tx.go:
--   * IDs are TEXT primary keys compared with the BINARY collation, so that
--     ORDER BY id and "id > marker" agree with Go's string ordering.
--   * Timestamps are INTEGER Unix milliseconds, UTC.
--   * Lists and sets inside a record (Items, Aliases, Tags, KeyGroupIDs,
--     OriginAccessControlIDs, Paths) are JSON arrays in TEXT columns: they are
--     always read and written whole, with their record, and order matters.
--   * Tables are STRICT so that a value of the wrong type is an error at the
--     statement that writes it rather than a surprise when it is read.

CREATE TABLE public_keys (
	id               TEXT    NOT NULL PRIMARY KEY,
	etag             TEXT    NOT NULL,
	created_time     INTEGER NOT NULL,
	caller_reference TEXT    NOT NULL,
	name             TEXT    NOT NULL,
	encoded_key      TEXT    NOT NULL,
	comment          TEXT    NOT NULL
) STRICT;

CREATE TABLE key_groups (
	id                 TEXT    NOT NULL PRIMARY KEY,
	etag               TEXT    NOT NULL,
	last_modified_time INTEGER NOT NULL,
	name               TEXT    NOT NULL,
	items              TEXT    NOT NULL CHECK (json_valid(items)),
	-- NULL when the group has no Comment element, '' when it is empty.
	comment            TEXT
) STRICT;

CREATE TABLE origin_access_controls (
	id                 TEXT    NOT NULL PRIMARY KEY,
	etag               TEXT    NOT NULL,
	name               TEXT    NOT NULL,
	description        TEXT    NOT NULL,
	signing_protocol   TEXT    NOT NULL,
	signing_behavior   TEXT    NOT NULL,
	origin_type        TEXT    NOT NULL,
	last_modified_time INTEGER NOT NULL
) STRICT;

CREATE TABLE distributions (
	id                        TEXT    NOT NULL PRIMARY KEY,
	etag                      TEXT    NOT NULL,
	status                    TEXT    NOT NULL,
	last_modified_time        INTEGER NOT NULL,
	domain_name               TEXT    NOT NULL,
	caller_reference          TEXT    NOT NULL,
	enabled                   INTEGER NOT NULL CHECK (enabled IN (0, 1)),
	aliases                   TEXT    NOT NULL CHECK (json_valid(aliases)),
	key_group_ids             TEXT    NOT NULL CHECK (json_valid(key_group_ids)),
	origin_access_control_ids TEXT    NOT NULL CHECK (json_valid(origin_access_control_ids)),
	-- The DistributionConfig XML exactly as the caller gave it.
	config                    BLOB    NOT NULL,
	tags                      TEXT    NOT NULL CHECK (json_valid(tags))
) STRICT;

-- An invalidation belongs to one distribution and goes with it.
CREATE TABLE invalidations (
	distribution_id  TEXT    NOT NULL REFERENCES distributions (id) ON DELETE CASCADE,
	id               TEXT    NOT NULL,
	status           TEXT    NOT NULL,
	create_time      INTEGER NOT NULL,
	caller_reference TEXT    NOT NULL,
	paths            TEXT    NOT NULL CHECK (json_valid(paths)),
	PRIMARY KEY (distribution_id, id)
) STRICT;

-- ListInvalidations walks this index: newest first, then by ID.
CREATE INDEX invalidations_newest_first
	ON invalidations (distribution_id, create_time DESC, id DESC);
