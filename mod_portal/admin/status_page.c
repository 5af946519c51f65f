/* The system status page: what a hosting team checks first when customers
 * report trouble. It still answers while PostgreSQL is down, saying so. */
#include "admin.h"

#include <sys/statvfs.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include "../core/embedded.h"
#include "../core/files.h"
#include "../core/format.h"
#include "../core/migrate.h"

#define LOW_DISK_BYTES ((apr_off_t)1024 * 1024 * 1024)

static json_t *check(portal_req *pr, const char *name_key, int ok, const char *detail)
{
    return json_pack("{s:s, s:b, s:s}", "name", portal_text(pr, name_key), "ok", ok,
                     "detail", detail);
}

static json_t *storage_checks(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    json_t *checks = json_array();
    const char *tmp = apr_pstrcat(p, pr->cfg->storage_dir, "/tmp", NULL);
    char *probe = apr_pstrcat(p, tmp, "/status-XXXXXX", NULL);
    apr_file_t *f;
    portal_private_dir(tmp, p);
    apr_status_t rv = apr_file_mktemp(&f, probe, APR_FOPEN_CREATE | APR_FOPEN_WRITE
                                      | APR_FOPEN_EXCL | APR_FOPEN_DELONCLOSE, p);
    if (rv == APR_SUCCESS)
        apr_file_close(f);
    char reason[120];
    json_array_append_new(checks, check(pr, "admin.check_storage", rv == APR_SUCCESS,
        rv == APR_SUCCESS ? pr->cfg->storage_dir
                          : apr_pstrcat(p, pr->cfg->storage_dir, ": ",
                                        apr_strerror(rv, reason, sizeof(reason)), NULL)));
    struct statvfs vfs;
    if (statvfs(pr->cfg->storage_dir, &vfs) == 0) {
        apr_off_t free_bytes = (apr_off_t)vfs.f_bavail * (apr_off_t)vfs.f_frsize;
        json_array_append_new(checks, check(pr, "admin.check_disk",
                                            free_bytes >= LOW_DISK_BYTES,
                                            portal_format_size(p, free_bytes)));
    }
    return checks;
}

static json_t *schema_status(portal_req *pr, portal_db *db)
{
    apr_pool_t *p = pr->r->pool;
    apr_array_header_t *known, *applied, *todo;
    const char *err = NULL;
    if (portal_migrations_load(p, portal_migration_files, &known, &err) != APR_SUCCESS
        || portal_migrate_applied(db, p, &applied, &err) != APR_SUCCESS
        || portal_migrate_plan(p, known, applied, &todo, &err) != APR_SUCCESS) {
        portal_log_error(pr, 0, "schema status: %s", err);
        return json_pack("{s:b, s:s}", "ok", 0, "detail", portal_text(pr, "admin.schema_unknown"));
    }
    return json_pack("{s:b, s:i, s:i, s:i}", "ok", todo->nelts == 0,
                     "applied", applied->nelts, "total", known->nelts, "pending", todo->nelts);
}

int portal_admin_status(portal_req *pr)
{
    json_t *view = portal_admin_view(pr, "status");
    json_t *status = json_object();
    portal_db_error err;
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (db && portal_db_query(db, pr->r->pool, "admin.server_status", 0, NULL, &res, &err)
                  == APR_SUCCESS) {
        json_object_set_new(status, "now", json_string(portal_db_get(res, 0, "now")));
        json_object_set_new(status, "db", json_pack("{s:b, s:s}", "ok", 1, "server_version",
                                                    portal_db_get(res, 0, "server_version")));
        json_object_set_new(status, "schema", schema_status(pr, db));
    } else {
        portal_log_error(pr, 0, "status page: %s", portal_db_error_line(pr->r->pool, &err));
        json_object_set_new(status, "db", json_pack("{s:b, s:s}", "ok", 0, "detail",
                                                    portal_text(pr, "admin.db_unreachable")));
        json_object_set_new(status, "schema", json_pack("{s:b, s:s}", "ok", 0, "detail",
                                                        portal_text(pr, "admin.schema_unknown")));
    }
    json_object_set_new(status, "version", json_string(PORTAL_VERSION));
    json_object_set_new(status, "checks", storage_checks(pr));
    json_object_set_new(view, "status", status);
    return portal_render(pr, HTTP_OK, "admin/status");
}
