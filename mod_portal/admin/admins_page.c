/* Admin accounts (super admins only): the list with roles and status, a
 * new admin (their one-time enrolment link is mailed to them and shown
 * once on the page), a role change,
 * disabling and re-enabling. No admin disables or demotes themself, and
 * the last active super admin stays one (admin_rules.c), decided under a
 * lock of the super admins (admin.supers_lock). A change signs
 * the changed admin's sessions out. */
#include "admin.h"

#include <apr_strings.h>
#include "../core/admins.h"
#include "../core/audit.h"
#include "../core/outbox.h"
#include "../core/roles.h"
#include "admin_rules.h"
#include "identity_rules.h"

static const char *const roles[] = { "super", "support", "finance", NULL };

static int role_ok(portal_req *pr, const char *role)
{
    return role && portal_roles_has_role(pr->cfg->roles, PORTAL_ADMIN_ROLE, role);
}

static json_t *role_options(portal_req *pr, const char *selected)
{
    json_t *out = json_array();
    for (const char *const *r = roles; *r; r++)
        json_array_append_new(out, json_pack("{s:s, s:s, s:b}", "value", *r,
            "label", portal_text(pr, apr_pstrcat(pr->r->pool, "staff.roles.", *r, NULL)),
            "selected", selected && strcmp(selected, *r) == 0));
    return out;
}

static int show(portal_req *pr, int status, const char *email, const char *link,
                const char *error_key)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_admin_view(pr, "admins");
    portal_db_result *res;
    portal_db_error err;
    if (portal_query(pr, "admin.list", 0, NULL, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "listing admins", &err);
    static const char *const cols[] = { "id", "email", "role", "status", "enrolled",
                                        "last_signin", "created", NULL };
    static const char *const bools[] = { "enrolled", NULL };
    json_t *rows = portal_admin_rows(res, 0, cols, bools);
    size_t i;
    json_t *row;
    const char *csrf = portal_csrf_token(pr);
    json_array_foreach(rows, i, row) {
        const char *id = json_string_value(json_object_get(row, "id"));
        const char *role = json_string_value(json_object_get(row, "role"));
        int active = strcmp(json_string_value(json_object_get(row, "status")), "active") == 0;
        json_object_set_new(row, "action", json_string(portal_admin_link(pr, "/admins/", id)));
        json_object_set_new(row, "csrf", json_string(csrf));
        json_object_set_new(row, "active", json_boolean(active));
        json_object_set_new(row, "self", json_boolean(strcmp(id, pr->admin->admin_id) == 0));
        json_object_set_new(row, "role_label", json_string(portal_text(pr,
            apr_pstrcat(p, "staff.roles.", role, NULL))));
        json_object_set_new(row, "roles", role_options(pr, role));
    }
    json_object_set_new(view, "admins", rows);
    json_object_set_new(view, "create", json_pack("{s:s, s:s, s:s, s:o}",
        "action", portal_url(pr, "/admins"), "csrf", csrf, "email", email ? email : "",
        "roles", role_options(pr, "support")));
    if (link)
        json_object_set_new(view, "link", json_string(link));
    if (apr_table_get(pr->query, "done"))
        json_object_set_new(view, "notice", json_string(portal_text(pr, "staff.admins.changed")));
    if (error_key)
        portal_admin_error(pr, error_key);
    return portal_render(pr, status, "admin/admins");
}

int portal_admin_admins(portal_req *pr)
{
    return show(pr, HTTP_OK, NULL, NULL, NULL);
}

int portal_admin_admin_create(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *raw = apr_table_get(pr->form, "email");
    const char *email = portal_email_normalize(p, raw);
    const char *role = apr_table_get(pr->form, "role");
    if (!email)
        return show(pr, HTTP_BAD_REQUEST, raw, NULL, "staff.admins.errors.email");
    if (!role_ok(pr, role))
        return show(pr, HTTP_BAD_REQUEST, raw, NULL, "staff.admins.errors.role");
    portal_db_error err;
    portal_db *db = portal_req_db(pr, &err);
    const char *id, *token;
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "creating an admin", &err);
    apr_status_t rv = portal_admin_create(db, p, email, role, &id, &token, &err);
    if (rv != APR_SUCCESS && err.kind == PORTAL_DB_CONFLICT) {
        portal_db_rollback(db);
        return show(pr, HTTP_CONFLICT, raw, NULL, "staff.admins.errors.taken");
    }
    json_t *detail = portal_json_owned(p, json_pack("{s:s, s:s, s:s}", "admin_id",
                                                    rv == APR_SUCCESS ? id : "", "email", email,
                                                    "role", role));
    const char *link = rv == APR_SUCCESS
        ? portal_admin_enrol_url(p, pr->cfg->base_url, pr->mount_url, token) : NULL;
    json_t *vars = portal_json_owned(p, json_pack("{s:s}", "url", link ? link : ""));
    if (rv != APR_SUCCESS
        || portal_mail_enqueue(db, p, &pr->cfg->mail, email, pr->locale, "admin_enrol", vars,
                               &err) != APR_SUCCESS
        || portal_audit_admin(pr, "admin.admin.created", NULL, NULL, NULL, detail, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "creating an admin", &err);
    }
    /* Mailed to the new admin, and shown once to the super admin. */
    return show(pr, HTTP_OK, NULL, link, NULL);
}

/* Inside the transaction, under the lock of the active super admins: a
 * change that waited behind another reads the actor and the target as that
 * one left them. 0, or the answer to give (after the rollback). */
static int read_locked(portal_req *pr, portal_db *db, const char *id, portal_db_result **target,
                       long long *other_supers)
{
    portal_db_error err;
    portal_db_result *res;
    const char *actor[] = { pr->admin->admin_id };
    const char *one[] = { id };
    if (portal_query(pr, "admin.supers_lock", 0, NULL, &res, &err) != APR_SUCCESS
        || portal_query(pr, "admin.get_locked", 1, actor, &res, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "changing an admin", &err);
    }
    if (portal_db_nrows(res) != 1 || strcmp(portal_db_get(res, 0, "role"), "super") != 0
        || strcmp(portal_db_get(res, 0, "status"), "active") != 0) {
        /* Demoted or disabled by a change that committed first. */
        portal_db_rollback(db);
        return portal_fail(pr, HTTP_FORBIDDEN, "forbidden");
    }
    if (portal_query(pr, "admin.get_locked", 1, one, target, &err) != APR_SUCCESS
        || (portal_db_nrows(*target) == 1
            && portal_query(pr, "admin.supers_left", 1, one, &res, &err) != APR_SUCCESS)) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "changing an admin", &err);
    }
    if (portal_db_nrows(*target) != 1) {
        portal_db_rollback(db);
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    }
    *other_supers = portal_db_get_int(res, 0, "n");
    return 0;
}

int portal_admin_admin_change(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *id = apr_table_get(pr->params, "id");
    portal_db_error err;
    portal_db_result *res;
    if (!portal_uuid_valid(id))
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    const char *one[] = { id };
    const char *role = apr_table_get(pr->form, "role");
    const char *status = apr_table_get(pr->form, "status");
    if (!role_ok(pr, role))
        return show(pr, HTTP_BAD_REQUEST, NULL, NULL, "staff.admins.errors.role");
    if (!status || (strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0))
        return show(pr, HTTP_BAD_REQUEST, NULL, NULL, "staff.errors.action");
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "changing an admin", &err);
    long long other_supers = 0;
    int answer = read_locked(pr, db, id, &res, &other_supers);
    if (answer)
        return answer;
    const char *old_role = apr_pstrdup(p, portal_db_get(res, 0, "role"));
    const char *old_status = apr_pstrdup(p, portal_db_get(res, 0, "status"));
    const char *email = apr_pstrdup(p, portal_db_get(res, 0, "email"));
    const char *problem = portal_admin_change_problem(pr->admin->admin_id, id, old_role,
                                                      old_status, role, status, other_supers);
    if (problem) {
        portal_db_rollback(db);
        return show(pr, HTTP_CONFLICT, NULL, NULL,
                    apr_pstrcat(p, "staff.admins.errors.", problem, NULL));
    }
    const char *set_role[] = { id, role };
    const char *set_status[] = { id, status };
    json_t *detail = portal_json_owned(p, json_pack("{s:s, s:s, s:s, s:s, s:s}",
        "admin_id", id, "email", email, "role", role, "status", status, "was",
        apr_pstrcat(p, old_role, "/", old_status, NULL)));
    if (portal_query(pr, "admin.set_role", 2, set_role, &res, &err) != APR_SUCCESS
        || portal_query(pr, "admin.set_status", 2, set_status, &res, &err) != APR_SUCCESS
        || portal_query(pr, "admin_session.revoke_all", 1, one, &res, &err) != APR_SUCCESS
        || portal_audit_admin(pr, "admin.admin.changed", NULL, NULL, NULL, detail, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "changing an admin", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/admins?done=1"));
}
