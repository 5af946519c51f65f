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
-- One migrator at a time, whichever machine it runs on.
SELECT pg_advisory_lock(7263540192);

-- name: unlock
SELECT pg_advisory_unlock(7263540192);

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
