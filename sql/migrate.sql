-- Bookkeeping of schema migrations (portalctl migrate, the admin status page).

-- name: bookkeeping
-- Lives beside the schema; created by the first run.
CREATE TABLE IF NOT EXISTS portal_schema_migrations (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: lock
-- One migrator at a time, whichever machine it runs on: taken inside each
-- migration's transaction (and the bookkeeping table's), so it ends with the
-- transaction and cannot outlive, or be lost with, a session the db layer
-- resets between two statements. The key is the one earlier builds took per
-- session, so they exclude each other too.
SELECT pg_advisory_xact_lock(7263540192);

-- name: txid
-- Which transaction a migration's text ran in: read before and after it.
SELECT txid_current()::text AS txid;

-- name: recorded
-- Under the lock: whether another migrator applied this one meanwhile.
SELECT checksum FROM portal_schema_migrations WHERE version = $1;

-- name: table_exists
-- retry: safe
SELECT to_regclass('portal_schema_migrations') IS NOT NULL AS present;

-- name: applied
-- retry: safe
SELECT version, name, checksum, applied_at
  FROM portal_schema_migrations
 ORDER BY version;

-- name: record
INSERT INTO portal_schema_migrations (version, name, checksum)
VALUES ($1, $2, $3);
