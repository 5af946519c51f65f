/* The mail outbox: what was sent, what waits, what fails and why (the
 * error of the last try), newest first. */
#include "admin.h"

#include <apr_strings.h>
#include "admin_rules.h"

static const char *const statuses[] = { "", "queued", "sent", "failed", NULL };

int portal_admin_outbox(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_admin_view(pr, "outbox");
    const char *status = apr_table_get(pr->query, "status");
    int known = 0;
    json_t *tabs = json_array();
    for (const char *const *s = statuses; *s; s++) {
        int current = strcmp(status ? status : "", *s) == 0;
        known |= current;
        json_array_append_new(tabs, json_pack("{s:s, s:s, s:b}",
            "label", portal_text(pr, apr_pstrcat(p, "staff.outbox.filter_",
                                                 **s ? *s : "all", NULL)),
            "url", **s ? portal_url(pr, apr_pstrcat(p, "/outbox?status=", *s, NULL))
                       : portal_url(pr, "/outbox"),
            "current", current));
    }
    json_object_set_new(view, "tabs", tabs);
    if (!known) {
        json_object_set_new(view, "rows", json_array());
        portal_admin_error(pr, "staff.outbox.errors.status");
        return portal_render(pr, HTTP_BAD_REQUEST, "admin/outbox");
    }
    int page = portal_admin_page(apr_table_get(pr->query, "page"));
    const char *params[] = { status ? status : "", apr_itoa(p, PORTAL_ADMIN_PAGE_SIZE + 1),
                             apr_itoa(p, (page - 1) * PORTAL_ADMIN_PAGE_SIZE) };
    portal_db_result *res;
    portal_db_error err;
    if (portal_query(pr, "admin.outbox", 3, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading the outbox", &err);
    static const char *const cols[] = { "id", "recipient", "template", "subject", "status",
                                        "attempts", "last_error", "created", "next_try", "sent",
                                        NULL };
    json_t *rows = portal_admin_rows(res, PORTAL_ADMIN_PAGE_SIZE, cols, NULL);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *s = json_string_value(json_object_get(row, "status"));
        json_object_set_new(row, "status_label", json_string(portal_text(pr,
            apr_pstrcat(p, "staff.outbox.status_", s, NULL))));
        json_object_set_new(row, "badge", json_string(strcmp(s, "sent") == 0 ? "ok"
            : strcmp(s, "queued") == 0 ? "neutral" : "fail"));
    }
    json_object_set_new(view, "rows", rows);
    json_object_set_new(view, "empty", json_boolean(json_array_size(rows) == 0));
    int more = portal_db_nrows(res) > PORTAL_ADMIN_PAGE_SIZE;
    json_object_set_new(view, "pager", portal_admin_pager(pr, "/outbox", page, more));
    return portal_render(pr, HTTP_OK, "admin/outbox");
}
