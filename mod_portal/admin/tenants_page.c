/* Tenants: search (company name, tax id, a member's e-mail), a new tenant,
 * one tenant's details, members and pending invitations, suspend and
 * unsuspend with a reason. A new tenant's owner is invited by mail.
 * Suspending signs every session of the tenant out; sign-in refuses a
 * suspended company (cabinet/signin_page.c). */
#include "admin.h"

#include <apr_strings.h>
#include "../core/audit.h"
#include "../core/invitations.h"
#include "../core/roles.h"
#include "../core/utf8.h"
#include "admin_rules.h"
#include "identity_rules.h"

#define MAX_QUERY 254

static int may(portal_req *pr, const char *perm)
{
    return portal_roles_grants(pr->cfg->roles, PORTAL_ADMIN_ROLE, pr->admin->role, perm);
}

static int show_list(portal_req *pr, int status, apr_table_t *form, const char *error_key)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_admin_view(pr, "tenants");
    const char *q = portal_text_trim(p, apr_table_get(pr->query, "q"));
    if (strlen(q) > MAX_QUERY)
        q = "";
    int page = portal_admin_page(apr_table_get(pr->query, "page"));
    const char *params[] = { *q ? q : NULL, apr_itoa(p, PORTAL_ADMIN_PAGE_SIZE + 1),
                             apr_itoa(p, (page - 1) * PORTAL_ADMIN_PAGE_SIZE) };
    portal_db_result *res;
    portal_db_error err;
    if (portal_admin_query(pr, "admin.tenants_search", 3, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "searching tenants", &err);
    static const char *const cols[] = { "id", "name", "tax_id", "status", "country", "created",
                                        "members", NULL };
    json_t *rows = portal_admin_rows(res, PORTAL_ADMIN_PAGE_SIZE, cols, NULL);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        const char *id = json_string_value(json_object_get(row, "id"));
        json_object_set_new(row, "url", json_string(portal_admin_link(pr, "/tenants/", id)));
        const char *status = json_string_value(json_object_get(row, "status"));
        json_object_set_new(row, "active", json_boolean(strcmp(status, "active") == 0));
    }
    json_object_set_new(view, "tenants", rows);
    json_object_set_new(view, "empty", json_boolean(json_array_size(rows) == 0));
    json_object_set_new(view, "q", json_string(q));
    json_object_set_new(view, "search", json_string(portal_url(pr, "/tenants")));
    int more = portal_db_nrows(res) > PORTAL_ADMIN_PAGE_SIZE;
    json_object_set_new(view, "pager", portal_admin_pager(pr, "/tenants", page, more));
    if (may(pr, "admin.tenants.manage"))
        json_object_set_new(view, "create", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
            "action", portal_url(pr, "/tenants"), "csrf", portal_csrf_token(pr),
            "name", form ? portal_text_trim(p, apr_table_get(form, "name")) : "",
            "tax_id", form ? portal_text_trim(p, apr_table_get(form, "tax_id")) : "",
            "country", form ? portal_text_trim(p, apr_table_get(form, "country")) : "",
            "owner_email", form ? portal_text_trim(p, apr_table_get(form, "owner_email")) : ""));
    if (error_key)
        portal_admin_error(pr, error_key);
    return portal_render(pr, status, "admin/tenants");
}

int portal_admin_tenants(portal_req *pr)
{
    return show_list(pr, HTTP_OK, NULL, NULL);
}

static int country_ok(const char *c)
{
    return !*c || (strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z');
}

int portal_admin_tenant_create(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *name = portal_text_trim(p, apr_table_get(pr->form, "name"));
    const char *tax_id = portal_text_trim(p, apr_table_get(pr->form, "tax_id"));
    const char *country = portal_text_trim(p, apr_table_get(pr->form, "country"));
    const char *owner = portal_email_normalize(p, apr_table_get(pr->form, "owner_email"));
    if (!*name || strlen(name) > 160)
        return show_list(pr, HTTP_BAD_REQUEST, pr->form, "staff.tenants.errors.name");
    if (strlen(tax_id) > 32)
        return show_list(pr, HTTP_BAD_REQUEST, pr->form, "staff.tenants.errors.tax_id");
    if (!country_ok(country))
        return show_list(pr, HTTP_BAD_REQUEST, pr->form, "staff.tenants.errors.country");
    if (!owner)
        return show_list(pr, HTTP_BAD_REQUEST, pr->form, "staff.tenants.errors.owner_email");
    portal_db_error err;
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    const char *params[] = { name, tax_id, country };
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS
        || portal_admin_query(pr, "admin.tenant_create", 3, params, &res, &err) != APR_SUCCESS) {
        if (db)
            portal_db_rollback(db);
        return portal_fail_db(pr, "creating a tenant", &err);
    }
    const char *id = portal_db_get(res, 0, "id");
    /* The owner is invited the way a team invites (core/invitations.h), by
     * the vendor, inside the same transaction: no tenant without its
     * invitation, no mail for a tenant that was not made. */
    portal_invitation_new in = {
        id, name, owner, "owner", NULL, NULL, pr->locale,
        apr_pstrcat(p, pr->cfg->base_url ? pr->cfg->base_url : "",
                    portal_cabinet_url(pr, "/invite/"), NULL),
    };
    const char *invitation = NULL;
    json_t *detail = NULL;
    apr_status_t rv = portal_invitation_create(db, p, &pr->cfg->mail, &in, &invitation, &err);
    if (rv == APR_SUCCESS) {
        detail = portal_json_owned(p, json_pack("{s:s, s:s, s:s}", "name", name,
                                                "owner_email", owner, "invitation", invitation));
        rv = portal_audit_admin(pr, "admin.tenant.created", NULL, NULL, id, detail, &err);
    }
    if (rv != APR_SUCCESS || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "creating a tenant", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER,
                           portal_url(pr, apr_pstrcat(p, "/tenants/", id, "?created=1", NULL)));
}

/* The tenant of the route, or NULL: answered 404 (*rc) or a failure. */
static const portal_db_result *tenant_of(portal_req *pr, int *rc)
{
    const char *id = apr_table_get(pr->params, "id");
    portal_db_result *res;
    portal_db_error err;
    if (!portal_uuid_valid(id)) {
        *rc = portal_fail(pr, HTTP_NOT_FOUND, "not_found");
        return NULL;
    }
    const char *params[] = { id };
    if (portal_admin_query(pr, "admin.tenant", 1, params, &res, &err) != APR_SUCCESS) {
        *rc = portal_fail_db(pr, "reading a tenant", &err);
        return NULL;
    }
    if (portal_db_nrows(res) != 1) {
        *rc = portal_fail(pr, HTTP_NOT_FOUND, "not_found");
        return NULL;
    }
    return res;
}

static int show_tenant(portal_req *pr, int status, const portal_db_result *t,
                       const char *error_key)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_admin_view(pr, "tenant");
    const char *id = portal_db_get(t, 0, "id");
    static const char *const cols[] = { "id", "name", "tax_id", "country", "city", "phone",
                                        "status", "created", NULL };
    json_t *tenant = portal_admin_row(t, cols, NULL);
    json_object_set_new(tenant, "active", json_boolean(strcmp(portal_db_get(t, 0, "status"),
                                                              "active") == 0));
    json_object_set_new(view, "tenant", tenant);
    json_object_set_new(view, "page", json_pack("{s:s, s:s}", "title",
                                                portal_db_get(t, 0, "name"), "description", ""));
    portal_db_result *res;
    portal_db_error err;
    const char *params[] = { id };
    if (portal_admin_query(pr, "admin.tenant_members", 1, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading a tenant's members", &err);
    static const char *const mcols[] = { "id", "email", "name", "role", "verified", "totp",
                                         "last_signin", NULL };
    static const char *const bools[] = { "verified", "totp", NULL };
    json_t *members = portal_admin_rows(res, 0, mcols, bools);
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m) {
        const char *uid = json_string_value(json_object_get(m, "id"));
        const char *role = json_string_value(json_object_get(m, "role"));
        json_object_set_new(m, "url", json_string(portal_admin_link(pr, "/users/", uid)));
        json_object_set_new(m, "role_label", json_string(portal_text(pr,
            apr_pstrcat(p, "staff.member_roles.", role, NULL))));
    }
    json_object_set_new(view, "members", members);
    if (portal_admin_query(pr, "admin.tenant_invitations", 1, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading a tenant's invitations", &err);
    static const char *const icols[] = { "email", "role", "invited_by", "expires", NULL };
    json_t *invitations = portal_admin_rows(res, 0, icols, NULL);
    json_array_foreach(invitations, i, m) {
        const char *role = json_string_value(json_object_get(m, "role"));
        json_object_set_new(m, "role_label", json_string(portal_text(pr,
            apr_pstrcat(p, "staff.member_roles.", role, NULL))));
    }
    json_object_set_new(view, "has_invitations", json_boolean(json_array_size(invitations) > 0));
    json_object_set_new(view, "invitations", invitations);
    json_object_set_new(view, "back", json_string(portal_url(pr, "/tenants")));
    json_object_set_new(view, "audit", json_string(portal_admin_link(pr, "/audit?tenant=", id)));
    if (may(pr, "admin.tenants.manage"))
        json_object_set_new(view, "status_form", json_pack("{s:s, s:s}",
            "action", portal_url(pr, apr_pstrcat(p, "/tenants/", id, "/status", NULL)),
            "csrf", portal_csrf_token(pr)));
    if (apr_table_get(pr->query, "created"))
        json_object_set_new(view, "notice", json_string(portal_text(pr, "staff.tenants.created")));
    if (apr_table_get(pr->query, "done"))
        json_object_set_new(view, "notice",
                            json_string(portal_text(pr, "staff.tenants.status_changed")));
    if (error_key)
        portal_admin_error(pr, error_key);
    return portal_render(pr, status, "admin/tenant");
}

int portal_admin_tenant(portal_req *pr)
{
    int rc;
    const portal_db_result *t = tenant_of(pr, &rc);
    return t ? show_tenant(pr, HTTP_OK, t, NULL) : rc;
}

int portal_admin_tenant_status(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    int rc;
    const portal_db_result *t = tenant_of(pr, &rc);
    if (!t)
        return rc;
    const char *action = apr_table_get(pr->form, "action");
    const char *to = action && strcmp(action, "suspend") == 0 ? "suspended"
                   : action && strcmp(action, "unsuspend") == 0 ? "active" : NULL;
    if (!to)
        return show_tenant(pr, HTTP_BAD_REQUEST, t, "staff.errors.action");
    const char *problem;
    const char *reason = portal_admin_reason(p, apr_table_get(pr->form, "reason"), &problem);
    if (!reason)
        return show_tenant(pr, HTTP_BAD_REQUEST, t,
                           apr_pstrcat(p, "staff.errors.reason_", problem, NULL));
    const char *id = portal_db_get(t, 0, "id");
    const char *params[] = { id, to };
    const char *one[] = { id };
    portal_db_error err;
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "changing a tenant's status", &err);
    apr_status_t rv = portal_admin_query(pr, "admin.tenant_status", 2, params, &res, &err);
    if (rv == APR_SUCCESS && portal_db_nrows(res) != 1) {
        portal_db_rollback(db);   /* it had that status already */
        return portal_redirect(pr, HTTP_SEE_OTHER,
                               portal_url(pr, apr_pstrcat(p, "/tenants/", id, NULL)));
    }
    int suspend = strcmp(to, "suspended") == 0;
    json_t *detail = portal_json_owned(p, json_pack("{s:s, s:{s:s}, s:{s:s}}", "reason", reason,
        "before", "status", rv == APR_SUCCESS ? portal_db_get(res, 0, "before") : "",
        "after", "status", to));
    if (rv != APR_SUCCESS
        || (suspend && portal_query(pr, "admin.tenant_sessions_revoke", 1, one, &res, &err)
                           != APR_SUCCESS)
        || portal_audit_admin(pr, suspend ? "admin.tenant.suspended" : "admin.tenant.unsuspended",
                              NULL, NULL, id, detail, &err) != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "changing a tenant's status", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER,
                           portal_url(pr, apr_pstrcat(p, "/tenants/", id, "?done=1", NULL)));
}
