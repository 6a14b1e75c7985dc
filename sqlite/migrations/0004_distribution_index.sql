-- Schema version 4: indexes of distributions by what the write rules look
-- them up by inside every write (keyfront.Tx.FindDistributions), so that
-- creating or updating a distribution costs the same with 10 or 10,000.
--
-- The scalar attributes get plain indexes. The list-valued ones (aliases,
-- trusted key groups, origin access controls), stored as JSON arrays in
-- distributions, are mirrored one row per value in distribution_refs,
-- which PutDistribution rewrites with the distribution and the foreign key
-- deletes with it. Aliases are kept lower-cased (ASCII, as lower() does):
-- domain names compare without regard to case.
CREATE INDEX distributions_caller_reference ON distributions (caller_reference);
CREATE INDEX distributions_domain_name ON distributions (domain_name);

CREATE TABLE distribution_refs (
	-- 'alias', 'key-group' or 'origin-access-control'
	kind            TEXT NOT NULL,
	value           TEXT NOT NULL,
	distribution_id TEXT NOT NULL REFERENCES distributions (id) ON DELETE CASCADE,
	PRIMARY KEY (kind, value, distribution_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX distribution_refs_distribution ON distribution_refs (distribution_id);

INSERT OR IGNORE INTO distribution_refs (kind, value, distribution_id)
SELECT 'alias', lower(j.value), d.id FROM distributions AS d, json_each(d.aliases) AS j;
INSERT OR IGNORE INTO distribution_refs (kind, value, distribution_id)
SELECT 'key-group', j.value, d.id FROM distributions AS d, json_each(d.key_group_ids) AS j;
INSERT OR IGNORE INTO distribution_refs (kind, value, distribution_id)
SELECT 'origin-access-control', j.value, d.id FROM distributions AS d, json_each(d.origin_access_control_ids) AS j;
