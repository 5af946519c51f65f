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
