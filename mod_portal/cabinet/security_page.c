/* /account/security: the password, two-step verification (its forms; the
 * enrolment itself is two_factor_page.c), the live sessions with "sign
 * out" each, and the owner's switch that requires two-step verification
 * of the whole team. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/audit.h"
#include "../core/password.h"
#include "../core/ratelimit.h"
#include "identity_rules.h"
#include "security_rules.h"

#define PASSWORD_TRIES 5
#define PASSWORD_WINDOW 900

static apr_status_t sessions_view(portal_req *pr, json_t **out, portal_db_error *err)
{
    const portal_session *s = pr->session;
    apr_pool_t *p = pr->r->pool;
    const char *params[] = { s->user_id, s->id, s->time_zone, apr_ltoa(p, pr->cfg->session_idle),
                             s->tenant_id };
    portal_db_result *res;
    if (portal_query(pr, "security.sessions_live", 5, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    json_t *list = json_array();
    for (int i = 0; i < portal_db_nrows(res); i++) {
        const char *ip = portal_db_get(res, i, "ip");
        const char *label = portal_device_label(p, portal_db_get(res, i, "user_agent"));
        const char *id = portal_db_get(res, i, "id");
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}",
            "at_iso", portal_db_get(res, i, "at_iso"), "at", portal_db_get(res, i, "at_local"),
            "seen_iso", portal_db_get(res, i, "seen_iso"),
            "seen", portal_db_get(res, i, "seen_local"), "ip", ip ? ip : "",
            "device", label ? label : portal_text(pr, "account.unknown_device"),
            "current", portal_db_get_bool(res, i, "current"),
            "revoke", portal_url(pr, apr_pstrcat(p, "/account/security/sessions/", id,
                                                 "/signout", NULL))));
    }
    *out = list;
    return APR_SUCCESS;
}

static const char *const notices[] = { "password", "signed_out", "signed_out_all",
                                       "two_factor_off", "required_on", "required_off", NULL };

int portal_cabinet_security_show(portal_req *pr, int status, const char *section,
                                 const char *error_key)
{
    portal_db_error err;
    json_t *sessions;
    const portal_session *s = pr->session;
    int required = s->tenant_requires_2fa;   /* read with the session */
    if (sessions_view(pr, &sessions, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "security page", &err);
    const char *params[] = { s->user_id };
    portal_db_result *user;
    if (portal_query(pr, "security.user", 1, params, &user, &err) != APR_SUCCESS) {
        json_decref(sessions);
        return portal_fail_db(pr, "security page", &err);
    }
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_view(pr, "account_security");
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "sessions", sessions);
    json_object_set_new(view, "has_others", json_boolean(json_array_size(sessions) > 1));
    json_object_set_new(view, "actions", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
        "password", portal_url(pr, "/account/security/password"),
        "start", portal_url(pr, "/account/security/2fa"),
        "disable", portal_url(pr, "/account/security/2fa/disable"),
        "recovery", portal_url(pr, "/account/security/2fa/recovery"),
        "signout_all", portal_url(pr, "/account/security/sessions/signout-others"),
        "require", portal_url(pr, "/account/security/require-2fa"),
        "dashboard", portal_url(pr, "/account/")));
    int on = portal_db_nrows(user) == 1 && portal_db_get(user, 0, "totp_secret") != NULL;
    json_object_set_new(view, "two_factor", json_pack("{s:b, s:I, s:b}", "on", on,
        "recovery_left", (json_int_t)(on ? apr_atoi64(portal_db_get(user, 0, "recovery_left")) : 0),
        "required", required));
    if (strcmp(s->role, "owner") == 0)
        json_object_set_new(view, "team", json_pack("{s:b, s:b}", "required", required,
                                                    "can", on));
    if (required && !on)
        json_object_set_new(view, "must_enrol", json_string(
            portal_text(pr, "account_security.two_factor.must_enrol")));
    const char *done = apr_table_get(pr->query, "done");
    for (int i = 0; done && notices[i]; i++)
        if (strcmp(done, notices[i]) == 0)
            json_object_set_new(view, "notice", json_string(portal_text(pr,
                apr_pstrcat(p, "account_security.done.", done, NULL))));
    if (section) {
        json_t *errors = json_object();
        json_object_set_new(errors, section, json_string(portal_text(pr, error_key)));
        json_object_set_new(view, "errors", errors);
    }
    return portal_render(pr, status, "cabinet/security");
}

int portal_cabinet_account_security(portal_req *pr)
{
    return portal_cabinet_security_show(pr, HTTP_OK, NULL, NULL);
}

static int password_error(portal_req *pr, int status, const char *key)
{
    return portal_cabinet_security_show(pr, status, "password", key);
}

int portal_cabinet_security_password(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const portal_session *s = pr->session;
    const char *current = apr_table_get(pr->form, "current");
    const char *fresh = apr_table_get(pr->form, "password");
    const char *local = apr_pstrmemdup(p, s->email, strcspn(s->email, "@"));
    const char *context[] = { s->email, local, s->name, s->tenant_name, NULL };
    const char *problem = portal_password_change_problem(p, current, fresh,
                                                         apr_table_get(pr->form, "confirm"),
                                                         context);
    if (problem)
        return password_error(pr, HTTP_BAD_REQUEST, problem);
    int rc = portal_limit(pr, "security.password", portal_rate_key_hash(p, s->user_id),
                          PASSWORD_TRIES, PASSWORD_WINDOW);
    if (rc != OK)
        return rc;
    portal_db_error err;
    portal_db_result *user, *res;
    const char *params[] = { s->user_id };
    if (portal_query(pr, "security.user", 1, params, &user, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "changing a password", &err);
    int matches;
    rc = portal_req_password_check(pr, portal_db_nrows(user) == 1
                                           ? portal_db_get(user, 0, "password_hash") : NULL,
                                   current, &matches, NULL);
    if (rc != OK)
        return rc;
    if (!matches) {
        if (portal_audit_req(pr, "user.password.change_failed", NULL, NULL, NULL, NULL, &err)
            != APR_SUCCESS)
            return portal_fail_db(pr, "auditing a failed password change", &err);
        return password_error(pr, HTTP_UNAUTHORIZED, "account_security.errors.current_wrong");
    }
    const char *hash;
    rc = portal_req_password_hash(pr, fresh, &hash);
    if (rc != OK)
        return rc;

    /* The hash, every other session out, this one's token rotated, the
     * notice and the audit row: all or nothing. */
    const char *set[] = { s->user_id, hash };
    const char *others[] = { s->user_id, s->id };
    const char *user_id = s->user_id, *tenant = s->tenant_id;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "changing a password", &err);
    if (portal_query(pr, "cabinet.user_password", 2, set, &res, &err) != APR_SUCCESS
        || portal_query(pr, "session.revoke_others", 2, others, &res, &err) != APR_SUCCESS
        || portal_cabinet_notice(pr, s->email, s->locale, "password_changed", NULL, &err)
               != APR_SUCCESS
        || portal_audit_req(pr, "user.password.changed", NULL, NULL, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_session_start(pr, user_id, tenant, &err) != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
        return portal_fail_db(pr, "changing a password", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/account/security?done=password"));
}

int portal_cabinet_security_revoke(portal_req *pr)
{
    const portal_session *s = pr->session;
    const char *id = apr_table_get(pr->params, "id");
    portal_db_error err;
    portal_db_result *res;
    if (!portal_uuid_valid(id))   /* a UUID, or nothing to look up */
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    const char *params[] = { id, s->user_id, s->id, s->tenant_id };
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, pr->r->pool, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "signing a session out", &err);
    if (portal_query(pr, "security.session_revoke", 4, params, &res, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "signing a session out", &err);
    }
    if (portal_db_nrows(res) != 1) {   /* not a session of this person here */
        portal_db_rollback(db);
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    }
    json_t *detail = portal_json_owned(pr->r->pool, json_pack("{s:s}", "session", id));
    if (portal_audit_req(pr, "user.session.revoked", NULL, NULL, NULL, detail, &err)
            != APR_SUCCESS
        || portal_db_commit(db, pr->r->pool, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "signing a session out", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER,
                           portal_url(pr, "/account/security?done=signed_out#sessions"));
}

int portal_cabinet_security_revoke_others(portal_req *pr)
{
    const portal_session *s = pr->session;
    portal_db_error err;
    portal_db_result *res;
    const char *params[] = { s->user_id, s->id };
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, pr->r->pool, &err) != APR_SUCCESS
        || portal_query(pr, "session.revoke_others", 2, params, &res, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.session.revoked_others", NULL, NULL, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_db_commit(db, pr->r->pool, &err) != APR_SUCCESS) {
        if (db)
            portal_db_rollback(db);
        return portal_fail_db(pr, "signing other sessions out", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER,
                           portal_url(pr, "/account/security?done=signed_out_all#sessions"));
}

int portal_cabinet_security_require(portal_req *pr)
{
    const portal_session *s = pr->session;
    if (strcmp(s->role, "owner") != 0) {
        portal_log_error(pr, 0, "require-2fa by the %s of a tenant", s->role);
        return portal_fail(pr, HTTP_FORBIDDEN, "forbidden");
    }
    const char *want = apr_table_get(pr->form, "require");
    int on = want && strcmp(want, "on") == 0;
    if (!want || (!on && strcmp(want, "off") != 0))
        return portal_cabinet_security_show(pr, HTTP_BAD_REQUEST, "team",
                                            "account_security.errors.require_choice");
    if (on && !s->totp_enabled)
        return portal_cabinet_security_show(pr, HTTP_CONFLICT, "team",
                                            "account_security.errors.require_own_first");
    portal_db_error err;
    portal_db_result *res;
    const char *params[] = { on ? "true" : "false" };
    apr_pool_t *p = pr->r->pool;
    /* The setting before, read under the row's lock: the audit row says
     * what changed, whatever another owner did a moment ago. */
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS
        || portal_db_query_as(db, p, s->tenant_id, "security.tenant_require_lock", 0, NULL,
                              &res, &err) != APR_SUCCESS) {
        if (db)
            portal_db_rollback(db);
        return portal_fail_db(pr, "requiring two-step verification", &err);
    }
    int before = portal_db_nrows(res) == 1 && portal_db_get_bool(res, 0, "require_2fa");
    json_t *detail = portal_json_owned(p, json_pack("{s:{s:b}, s:{s:b}}", "before",
                                                    "required", before, "after", "required", on));
    if (portal_db_query_as(db, p, s->tenant_id, "security.tenant_require_set", 1, params, &res,
                           &err) != APR_SUCCESS
        || portal_audit_req(pr, "tenant.require_2fa.changed", NULL, NULL, NULL, detail, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "requiring two-step verification", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, on
        ? "/account/security?done=required_on#team" : "/account/security?done=required_off#team"));
}
