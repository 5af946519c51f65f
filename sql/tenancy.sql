-- The statements the db layer sends before a tenant-scoped query, in the
-- same pipeline (core/db.h, portal_db_query_as): transaction-local settings
-- read by portal_tenant() and portal_all_tenants() in the policies.

-- name: tenant
-- retry: safe
SELECT set_config('portal.tenant_id', $1, true) AS tenant,
       set_config('portal.all_tenants', '', true) AS all_tenants;

-- name: all_tenants
-- retry: safe
SELECT set_config('portal.all_tenants', $1, true) AS all_tenants,
       set_config('portal.tenant_id', '', true) AS tenant;
