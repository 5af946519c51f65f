-- Bookkeeping of schema migrations (portalctl migrate, the admin status page).

-- name: table_exists
SELECT to_regclass('portal_schema_migrations') IS NOT NULL AS present;

-- name: applied
SELECT version, name, checksum, applied_at
  FROM portal_schema_migrations
 ORDER BY version;

-- name: record
INSERT INTO portal_schema_migrations (version, name, checksum)
VALUES ($1, $2, $3);
