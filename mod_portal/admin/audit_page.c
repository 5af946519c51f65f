/* The audit log, newest first: by tenant, actor e-mail, event (a code or
 * its prefix: "admin.tenant" finds admin.tenant.*), and a time range
 * (UTC). Each row names its actor by the e-mail recorded with it. */
#include "admin.h"

#include <apr_strings.h>
#include "../core/audit.h"
#include "../core/utf8.h"
#include "admin_rules.h"

static const char *field(portal_req *pr, const char *name, json_t *filters)
{
    const char *v = portal_text_trim(pr->r->pool, apr_table_get(pr->query, name));
    json_object_set_new(filters, name, json_string(v));
    return v;
}

int portal_admin_audit(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_admin_view(pr, "audit");
    json_t *filters = json_object();
    json_object_set_new(view, "filters", filters);
    json_object_set_new(view, "action", json_string(portal_url(pr, "/audit")));
    const char *tenant = field(pr, "tenant", filters);
    const char *actor = field(pr, "actor", filters);
    const char *event = field(pr, "event", filters);
    const char *from = portal_admin_time_filter(p, field(pr, "from", filters));
    const char *to = portal_admin_time_filter(p, field(pr, "to", filters));
    const char *bad = *tenant && !portal_uuid_valid(tenant) ? "staff.audit.errors.tenant"
                    : strlen(actor) > 320 ? "staff.audit.errors.actor"
                    : strlen(event) > 64 ? "staff.audit.errors.event"
                    : !from || !to ? "staff.audit.errors.time" : NULL;
    if (bad) {
        json_object_set_new(view, "rows", json_array());
        portal_admin_error(pr, bad);
        return portal_render(pr, HTTP_BAD_REQUEST, "admin/audit");
    }
    int page = portal_admin_page(apr_table_get(pr->query, "page"));
    const char *params[] = { tenant, apr_pstrdup(p, actor), event, from, to,
                             apr_itoa(p, PORTAL_ADMIN_PAGE_SIZE + 1),
                             apr_itoa(p, (page - 1) * PORTAL_ADMIN_PAGE_SIZE) };
    char *lower = (char *)params[1];
    for (; *lower; lower++)
        if (*lower >= 'A' && *lower <= 'Z')
            *lower += 'a' - 'A';
    portal_db_result *res;
    portal_db_error err;
    if (portal_query(pr, "admin.audit", 7, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading the audit log", &err);
    static const char *const cols[] = { "id", "at", "event", "actor_kind", "actor_email",
                                        "tenant_id", "ip", "detail", NULL };
    json_t *rows = portal_admin_rows(res, PORTAL_ADMIN_PAGE_SIZE, cols, NULL);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *kind = json_string_value(json_object_get(row, "actor_kind"));
        json_object_set_new(row, "kind_label", json_string(portal_text(pr,
            apr_pstrcat(p, "staff.audit.kinds.", kind, NULL))));
        const char *tid = json_string_value(json_object_get(row, "tenant_id"));
        if (tid)
            json_object_set_new(row, "tenant_url", json_string(portal_url(pr,
                apr_pstrcat(p, "/tenants/", tid, NULL))));
        const char *d = json_string_value(json_object_get(row, "detail"));
        if (d && strcmp(d, "{}") == 0)
            json_object_set_new(row, "detail", json_null());
    }
    json_object_set_new(view, "rows", rows);
    json_object_set_new(view, "empty", json_boolean(json_array_size(rows) == 0));
    int more = portal_db_nrows(res) > PORTAL_ADMIN_PAGE_SIZE;
    json_object_set_new(view, "pager", portal_admin_pager(pr, "/audit", page, more));
    return portal_render(pr, HTTP_OK, "admin/audit");
}
