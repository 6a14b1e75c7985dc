-- Schema version 3: the change feed and the nodes that follow it.
--
-- feed is one row: the store's revision, advanced once by every committed
-- Update that changes the configuration, and the revision up to which the
-- log has been pruned. Every writer updates this row first, so writers are
-- serialised on it and revisions follow commit order (keyfront.Revision).
-- A process that waits for changes made by another reads this row, and only
-- this row, on each poll.
--
-- A database created before the feed existed may hold records that no
-- change describes: its log starts pruned at revision 1, so that a reader
-- asking for every change since 0 is told to reload instead of being given
-- an empty list.
CREATE TABLE feed (
	id       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	revision INTEGER NOT NULL CHECK (revision >= 0),
	-- Changes at or below this revision are no longer in the changes table.
	pruned   INTEGER NOT NULL CHECK (pruned >= 0 AND pruned <= revision)
) STRICT;

INSERT INTO feed (id, revision, pruned)
SELECT 1, v, v FROM (SELECT CASE WHEN
	EXISTS (SELECT 1 FROM public_keys) OR EXISTS (SELECT 1 FROM key_groups) OR
	EXISTS (SELECT 1 FROM origin_access_controls) OR EXISTS (SELECT 1 FROM distributions)
	THEN 1 ELSE 0 END AS v);

-- One row per record an Update put or deleted, once per revision; seq is
-- the order in which the Update first wrote it. distribution_id is the
-- invalidation's distribution, '' for other kinds.
CREATE TABLE changes (
	revision        INTEGER NOT NULL,
	seq             INTEGER NOT NULL,
	kind            TEXT    NOT NULL,
	id              TEXT    NOT NULL,
	distribution_id TEXT    NOT NULL,
	PRIMARY KEY (revision, seq)
) STRICT, WITHOUT ROWID;

-- LastChange walks this index backwards.
CREATE INDEX changes_by_record ON changes (kind, distribution_id, id, revision);

CREATE TABLE nodes (
	id        TEXT    NOT NULL PRIMARY KEY,
	revision  INTEGER NOT NULL CHECK (revision >= 0),
	-- Unix milliseconds, UTC.
	last_seen INTEGER NOT NULL
) STRICT;
