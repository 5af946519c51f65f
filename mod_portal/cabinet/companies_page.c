/* /account/companies: the companies a person belongs to, a switch between
 * them (POST: a new session in the chosen company, the old one revoked,
 * audited), and the invitations of the person's address to others. */
#include "team.h"

#include <apr_strings.h>

static apr_status_t memberships(portal_req *pr, portal_db_result **res, portal_db_error *err)
{
    const char *params[] = { pr->session->user_id };
    return portal_query(pr, "team.memberships", 1, params, res, err);
}

int portal_cabinet_companies(portal_req *pr)
{
    portal_db_error err;
    portal_db_result *res, *inv;
    const char *params[] = { pr->session->user_id, pr->session->time_zone };
    if (memberships(pr, &res, &err) != APR_SUCCESS
        || portal_query(pr, "team.invitations_for", 2, params, &inv, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "listing companies", &err);
    json_t *list = json_array();
    for (int i = 0; i < portal_db_nrows(res); i++) {
        const char *id = portal_db_get(res, i, "tenant_id");
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:b}",
            "id", id, "name", portal_db_get(res, i, "tenant_name"),
            "role", portal_text(pr, apr_pstrcat(pr->r->pool, "team.roles.",
                                                portal_db_get(res, i, "role"), NULL)),
            "current", strcmp(id, pr->session->tenant_id) == 0,
            "suspended", strcmp(portal_db_get(res, i, "tenant_status"), "active") != 0));
    }
    json_t *invitations = json_array();
    for (int i = 0; i < portal_db_nrows(inv); i++)
        json_array_append_new(invitations, json_pack("{s:s, s:s, s:s}",
            "company", portal_db_get(inv, i, "tenant_name"),
            "role", portal_text(pr, apr_pstrcat(pr->r->pool, "team.roles.",
                                                portal_db_get(inv, i, "role"), NULL)),
            "expires", portal_db_get(inv, i, "expires")));
    json_t *view = portal_view(pr, "companies");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/account/switch")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "companies", list);
    json_object_set_new(view, "has_invitations", json_boolean(json_array_size(invitations) > 0));
    json_object_set_new(view, "invitations", invitations);
    return portal_render(pr, HTTP_OK, "cabinet/companies");
}

int portal_cabinet_switch(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *want = apr_table_get(pr->form, "tenant");
    portal_db_error err;
    portal_db_result *res;
    if (memberships(pr, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "switching company", &err);
    const char *tenant = NULL;
    for (int i = 0; want && i < portal_db_nrows(res); i++)
        if (strcmp(portal_db_get(res, i, "tenant_id"), want) == 0
            && strcmp(portal_db_get(res, i, "tenant_status"), "active") == 0)
            tenant = portal_db_get(res, i, "tenant_id");
    if (!tenant)   /* not a company of this person: as if it did not exist */
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    const char *before = pr->session->tenant_id;
    const char *user = pr->session->user_id, *email = pr->session->email;
    json_t *detail = portal_json_owned(p, json_pack("{s:{s:s}, s:{s:s}}", "before", "tenant",
                                                    before, "after", "tenant", tenant));
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS
        || portal_session_start(pr, user, tenant, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.tenant.switched", user, email, tenant, detail, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        if (db)
            portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
        return portal_fail_db(pr, "switching company", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/account/"));
}
