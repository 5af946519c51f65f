/* What every admin page shares: the header with the signed-in admin and the
 * nav their role opens, queries across tenants, rows into the view. */
#include "admin.h"

#include <apr_strings.h>
#include "../core/admins.h"
#include "../core/form.h"
#include "../core/roles.h"
#include "../core/secretbox.h"

static const struct {
    const char *page, *path, *perm;
} nav_items[] = {
    { "tenants", "/tenants", "admin.tenants.read" },
    { "admins", "/admins", "admin.admins.manage" },
    { "audit", "/audit", "admin.audit.read" },
    { "outbox", "/outbox", "admin.outbox.read" },
    { "status", "/", NULL },
};

/* A company's and a customer's pages belong under Companies. */
static int current(const char *page, const char *item)
{
    return strcmp(page, item) == 0
        || (strcmp(item, "tenants") == 0
            && (strcmp(page, "tenant") == 0 || strcmp(page, "user") == 0));
}

static json_t *nav(portal_req *pr, const char *page)
{
    json_t *items = json_array();
    apr_pool_t *p = pr->r->pool;
    for (apr_size_t i = 0; i < sizeof(nav_items) / sizeof(nav_items[0]); i++) {
        if (nav_items[i].perm && !portal_roles_grants(pr->cfg->roles, PORTAL_ADMIN_ROLE,
                                                      pr->admin->role, nav_items[i].perm))
            continue;
        json_array_append_new(items, json_pack("{s:s, s:s, s:b}",
            "label", portal_text(pr, apr_pstrcat(p, "staff.nav.", nav_items[i].page, NULL)),
            "url", portal_url(pr, nav_items[i].path),
            "current", current(page, nav_items[i].page)));
    }
    return items;
}

json_t *portal_admin_view(portal_req *pr, const char *page)
{
    int fresh = pr->view == NULL;
    json_t *view = portal_view(pr, page);
    if (!fresh)
        return view;
    apr_pool_t *p = pr->r->pool;
    json_object_set_new(view, "page", json_pack("{s:s, s:s}",
        "title", portal_text(pr, apr_pstrcat(p, "staff.pages.", page, ".title", NULL)),
        "description", portal_text(pr, "staff.pages.description")));
    if (pr->admin)
        json_object_set_new(view, "staff", json_pack("{s:s, s:s, s:s, s:s, s:o}",
            "email", pr->admin->email,
            "role", portal_text(pr, apr_pstrcat(p, "staff.roles.", pr->admin->role, NULL)),
            "signout", portal_url(pr, "/signout"),
            "csrf", portal_csrf_token(pr),
            "nav", nav(pr, page)));
    return view;
}

apr_status_t portal_admin_query(portal_req *pr, const char *label, int nparams,
                                const char *const *params, portal_db_result **res,
                                portal_db_error *err)
{
    portal_db *db = portal_req_db(pr, err);
    if (!db)
        return APR_EGENERAL;
    return portal_db_query_as(db, pr->r->pool, PORTAL_DB_ALL_TENANTS, label, nparams, params,
                              res, err);
}

static int listed(const char *const *names, const char *name)
{
    for (; names && *names; names++)
        if (strcmp(*names, name) == 0)
            return 1;
    return 0;
}

json_t *portal_admin_rows(const portal_db_result *res, int limit, const char *const *cols,
                          const char *const *bools)
{
    json_t *rows = json_array();
    int n = portal_db_nrows(res);
    for (int i = 0; i < n && (limit <= 0 || i < limit); i++) {
        json_t *row = json_object();
        for (const char *const *c = cols; *c; c++) {
            const char *v = portal_db_get(res, i, *c);
            json_object_set_new(row, *c, listed(bools, *c)
                                             ? json_boolean(portal_db_get_bool(res, i, *c))
                                         : v ? json_string(v) : json_null());
        }
        json_array_append_new(rows, row);
    }
    return rows;
}

void portal_admin_error(portal_req *pr, const char *key)
{
    json_object_set_new(portal_view(pr, "home"), "error", json_string(portal_text(pr, key)));
}

const unsigned char *portal_admin_totp_key(portal_req *pr)
{
    unsigned char *key = apr_palloc(pr->r->pool, PORTAL_KEY_BYTES);
    portal_derive_key(pr->cfg->secret, pr->cfg->secret_len, PORTAL_ADMIN_TOTP_PURPOSE, key);
    portal_wipe_on_cleanup(pr->r->pool, key, PORTAL_KEY_BYTES);
    return key;
}

const char *portal_admin_link(portal_req *pr, const char *path, const char *tail)
{
    return portal_url(pr, apr_pstrcat(pr->r->pool, path, tail, NULL));
}

json_t *portal_admin_pager(portal_req *pr, const char *path, int page, int has_next)
{
    apr_pool_t *p = pr->r->pool;
    const char *rest = portal_form_encode(p, pr->query, "page");
    const char *base = apr_pstrcat(p, portal_url(pr, path), "?", rest, "page=", NULL);
    json_t *pager = json_object();
    json_object_set_new(pager, "page", json_integer(page));
    json_object_set_new(pager, "has_pages", json_boolean(page > 1 || has_next));
    if (page > 1)
        json_object_set_new(pager, "prev", json_string(apr_psprintf(p, "%s%d", base, page - 1)));
    if (has_next)
        json_object_set_new(pager, "next", json_string(apr_psprintf(p, "%s%d", base, page + 1)));
    return pager;
}

json_t *portal_admin_row(const portal_db_result *res, const char *const *cols,
                         const char *const *bools)
{
    json_t *rows = portal_admin_rows(res, 1, cols, bools);
    json_t *row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return row ? row : json_object();
}
