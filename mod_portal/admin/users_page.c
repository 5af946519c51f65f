/* One customer account: who, which companies, and three actions support
 * takes on a ticket, each with a reason in the audit log: a forced
 * password reset (the old password stops working, a reset link is mailed,
 * every session ends), signing every session out, and turning 2FA off
 * (with the recovery codes and a pending enrolment; the person is mailed). */
#include "admin.h"

#include <apr_strings.h>
#include "../core/audit.h"
#include "../core/crypto.h"
#include "../core/outbox.h"
#include "../core/roles.h"
#include "admin_rules.h"

static const portal_db_result *user_of(portal_req *pr, int *rc)
{
    const char *id = apr_table_get(pr->params, "id");
    portal_db_result *res;
    portal_db_error err;
    if (!portal_uuid_valid(id)) {
        *rc = portal_fail(pr, HTTP_NOT_FOUND, "not_found");
        return NULL;
    }
    const char *params[] = { id };
    if (portal_admin_query(pr, "admin.user", 1, params, &res, &err) != APR_SUCCESS) {
        *rc = portal_fail_db(pr, "reading a user", &err);
        return NULL;
    }
    if (portal_db_nrows(res) < 1) {
        *rc = portal_fail(pr, HTTP_NOT_FOUND, "not_found");
        return NULL;
    }
    return res;
}

static int show(portal_req *pr, int status, const portal_db_result *u, const char *error_key)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_admin_view(pr, "user");
    const char *id = portal_db_get(u, 0, "id");
    json_object_set_new(view, "page", json_pack("{s:s, s:s}", "title",
                                                portal_db_get(u, 0, "email"), "description", ""));
    static const char *const cols[] = { "id", "email", "name", "locale", "totp", "verified",
                                        "created", "live_sessions", NULL };
    static const char *const bools[] = { "totp", "verified", NULL };
    json_object_set_new(view, "user", portal_admin_row(u, cols, bools));
    json_t *companies = json_array();
    for (int i = 0; i < portal_db_nrows(u); i++) {
        const char *tid = portal_db_get(u, i, "tenant_id");
        json_array_append_new(companies, json_pack("{s:s, s:s, s:s, s:b}",
            "name", portal_db_get(u, i, "tenant_name"),
            "role", portal_text(pr, apr_pstrcat(p, "staff.member_roles.",
                                                portal_db_get(u, i, "role"), NULL)),
            "url", portal_url(pr, apr_pstrcat(p, "/tenants/", tid, NULL)),
            "active", strcmp(portal_db_get(u, i, "tenant_status"), "active") == 0));
    }
    json_object_set_new(view, "companies", companies);
    if (portal_roles_grants(pr->cfg->roles, PORTAL_ADMIN_ROLE, pr->admin->role,
                            "admin.users.manage")) {
        const char *base = portal_url(pr, apr_pstrcat(p, "/users/", id, NULL));
        json_object_set_new(view, "actions", json_pack("{s:s, s:s, s:s, s:s}",
            "csrf", portal_csrf_token(pr),
            "reset", apr_pstrcat(p, base, "/reset", NULL),
            "sessions", apr_pstrcat(p, base, "/sessions", NULL),
            "totp", apr_pstrcat(p, base, "/totp", NULL)));
    }
    const char *done = apr_table_get(pr->query, "done");
    if (done && (strcmp(done, "reset") == 0 || strcmp(done, "sessions") == 0
                 || strcmp(done, "totp") == 0))
        json_object_set_new(view, "notice", json_string(portal_text(pr,
            apr_pstrcat(p, "staff.users.done_", done, NULL))));
    if (error_key)
        portal_admin_error(pr, error_key);
    return portal_render(pr, status, "admin/user");
}

int portal_admin_user(portal_req *pr)
{
    int rc;
    const portal_db_result *u = user_of(pr, &rc);
    return u ? show(pr, HTTP_OK, u, NULL) : rc;
}

typedef enum { ACT_RESET, ACT_SESSIONS, ACT_TOTP } action;

/* A random password nobody knows, hashed: the old one stops working.
 * OK, or the answer (503 busy). */
static int locked_hash(portal_req *pr, const char **hash)
{
    const char *secret = portal_random_token(pr->r->pool, 32);
    if (!secret)
        return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "busy");
    return portal_req_password_hash(pr, secret, hash);
}

/* Two-step verification off: the secret, a pending enrolment and the
 * recovery codes go, what there was is in *before and *after for the
 * audit row, and the person is told by mail, in their language. */
static apr_status_t totp_reset(portal_req *pr, portal_db *db, const portal_db_result *u,
                               json_t **before, json_t **after, portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    const char *one[] = { portal_db_get(u, 0, "id") };
    portal_db_result *res;
    apr_status_t rv = portal_query(pr, "admin.user_totp_reset", 1, one, &res, err);
    if (rv != APR_SUCCESS)
        return rv;
    *before = json_pack("{s:b, s:b, s:I}",
        "totp", portal_db_nrows(res) == 1 && portal_db_get_bool(res, 0, "totp"),
        "pending", portal_db_nrows(res) == 1 && portal_db_get_bool(res, 0, "pending"),
        "recovery_left", (json_int_t)(portal_db_nrows(res) == 1
                                      ? portal_db_get_int(res, 0, "recovery_left") : 0));
    *after = json_pack("{s:b, s:b, s:I}", "totp", 0, "pending", 0, "recovery_left",
                       (json_int_t)0);
    json_t *vars = portal_json_owned(p, json_pack("{s:s}", "url", apr_pstrcat(p,
        pr->cfg->base_url ? pr->cfg->base_url : "", portal_cabinet_url(pr, "/account/security"),
        NULL)));
    return portal_mail_enqueue(db, p, &pr->cfg->mail, portal_db_get(u, 0, "email"),
                               portal_db_get(u, 0, "locale"), "two_factor_reset", vars, err);
}

static int act(portal_req *pr, action what)
{
    static const char *const names[] = { "reset", "sessions", "totp" };
    static const char *const events[] = { "admin.user.password_reset",
                                          "admin.user.sessions_revoked",
                                          "admin.user.totp_reset" };
    apr_pool_t *p = pr->r->pool;
    int rc;
    const portal_db_result *u = user_of(pr, &rc);
    if (!u)
        return rc;
    const char *problem;
    const char *reason = portal_admin_reason(p, apr_table_get(pr->form, "reason"), &problem);
    if (!reason)
        return show(pr, HTTP_BAD_REQUEST, u,
                    apr_pstrcat(p, "staff.errors.reason_", problem, NULL));
    const char *id = portal_db_get(u, 0, "id");
    const char *email = portal_db_get(u, 0, "email");
    const char *hash = NULL;
    if (what == ACT_RESET && (rc = locked_hash(pr, &hash)) != OK)
        return rc;
    const char *everyone[] = { id, NULL };
    const char *set[] = { id, hash };
    portal_db_error err;
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "an action on a user", &err);
    apr_status_t rv = APR_SUCCESS;
    if (what == ACT_RESET)
        rv = portal_query(pr, "cabinet.user_password", 2, set, &res, &err);
    if (rv == APR_SUCCESS && what == ACT_RESET)
        rv = portal_reset_link_enqueue(pr, id, email, portal_db_get(u, 0, "locale"), &err);
    json_t *before = NULL, *after = NULL;
    if (rv == APR_SUCCESS && what == ACT_TOTP)
        rv = totp_reset(pr, db, u, &before, &after, &err);
    /* Every action ends the person's sessions: after a reset or a 2FA
     * change nobody stays signed in on the old terms. */
    if (rv == APR_SUCCESS)
        rv = portal_query(pr, "session.revoke_others", 2, everyone, &res, &err);
    json_t *detail = portal_json_owned(p, json_pack("{s:s, s:s, s:s}", "user_id", id,
                                                    "email", email, "reason", reason));
    if (before) {
        json_object_set_new(detail, "before", before);
        json_object_set_new(detail, "after", after);
    }
    if (rv != APR_SUCCESS
        || portal_audit_admin(pr, events[what], NULL, NULL, portal_db_get(u, 0, "tenant_id"),
                              detail, &err) != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "an action on a user", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr,
        apr_pstrcat(p, "/users/", id, "?done=", names[what], NULL)));
}

int portal_admin_user_reset(portal_req *pr)
{
    return act(pr, ACT_RESET);
}

int portal_admin_user_sessions(portal_req *pr)
{
    return act(pr, ACT_SESSIONS);
}

int portal_admin_user_totp(portal_req *pr)
{
    return act(pr, ACT_TOTP);
}
