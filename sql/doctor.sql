-- Queries of `portalctl doctor`, run as the role Apache connects with.

-- name: whoami
-- retry: safe
-- The portal's role must own no table, so that row-level security applies.
SELECT current_user AS role,
       current_setting('server_version') AS server_version,
       (SELECT count(*) FROM pg_class c
         WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
           AND c.relkind IN ('r', 'p')
           AND c.relnamespace = 'public'::regnamespace) AS owned_tables;

-- name: role_attributes
-- retry: safe
-- A superuser or BYPASSRLS role ignores every row-level-security policy.
SELECT rolsuper AS superuser, rolbypassrls AS bypass_rls
  FROM pg_roles WHERE rolname = current_user;

-- name: tenant_tables_unprotected
-- retry: safe
-- Tenant-owned tables whose row security is off or not forced (migration
-- 002 defines which tables are tenant-owned). Empty before that migration.
SELECT coalesce(string_agg(table_name, ', ' ORDER BY table_name), '') AS tables,
       count(*) AS total,
       count(*) FILTER (WHERE NOT (row_security AND forced)) AS unprotected
  FROM portal_tenant_tables;
