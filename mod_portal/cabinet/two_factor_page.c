/* Two-step verification on /account/security: enrolment (a secret sealed
 * in the users row while pending, its QR code and its spelling, one code
 * to confirm), the ten recovery codes shown once, turning it off and a new
 * set of recovery codes. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/qr_svg.h"
#include "../core/ratelimit.h"
#include "../core/totp.h"
#include "security_rules.h"

/* Code tries per person on these forms, whatever the form. */
#define CODE_TRIES 10
#define CODE_WINDOW 900

static int code_limit(portal_req *pr)
{
    return portal_limit(pr, "security.code", portal_rate_key_hash(pr->r->pool,
                                                                  pr->session->user_id),
                        CODE_TRIES, CODE_WINDOW);
}

static const portal_db_result *own_row(portal_req *pr, portal_db_error *err)
{
    portal_db_result *res;
    const char *params[] = { pr->session->user_id };
    if (portal_query(pr, "security.user", 1, params, &res, err) != APR_SUCCESS)
        return NULL;
    return portal_db_nrows(res) == 1 ? res : NULL;
}

static int back(portal_req *pr, const char *query)
{
    return portal_redirect(pr, HTTP_SEE_OTHER,
                           portal_url(pr, apr_pstrcat(pr->r->pool, "/account/security", query,
                                                      NULL)));
}

static int security_error(portal_req *pr, int status, const char *key)
{
    return portal_cabinet_security_show(pr, status, "two_factor", key);
}

int portal_cabinet_two_factor_start(portal_req *pr)
{
    if (pr->session->totp_enabled)
        return back(pr, "");
    const unsigned char *secret;
    apr_size_t len;
    if (portal_totp_secret_new(pr->r->pool, &secret, &len) != APR_SUCCESS)
        return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "service_unavailable");
    const char *sealed = portal_cabinet_totp_seal(pr, secret, len);
    if (!sealed)
        return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "service_unavailable");
    portal_db_error err;
    portal_db_result *res;
    const char *params[] = { pr->session->user_id, sealed };
    if (portal_query(pr, "security.pending_set", 2, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "starting an enrolment", &err);
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/account/security/2fa"));
}

static int show_enrol(portal_req *pr, int status, const char *error_key)
{
    portal_db_error err;
    const portal_db_result *user = own_row(pr, &err);
    if (!user)
        return portal_fail_db(pr, "enrolment page", &err);
    const unsigned char *secret;
    apr_size_t len;
    if (portal_db_get(user, 0, "totp_secret") || !portal_db_get_bool(user, 0, "pending_live")
        || portal_cabinet_totp_open(pr, portal_db_get(user, 0, "totp_pending"), &secret, &len)
               != APR_SUCCESS)
        return back(pr, "");
    apr_pool_t *p = pr->r->pool;
    const char *base32 = portal_base32_encode(p, secret, len);
    const char *uri = portal_totp_uri(p, portal_text(pr, "brand.product"), pr->session->email,
                                      base32);
    json_t *view = portal_view(pr, "two_factor_enrol");
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "action", json_string(portal_url(pr, "/account/security/2fa/confirm")));
    json_object_set_new(view, "cancel", json_string(portal_url(pr, "/account/security")));
    json_object_set_new(view, "qr", json_string(portal_qr_svg(p, uri,
        portal_text(pr, "two_factor_enrol.qr_title"))));
    json_object_set_new(view, "secret", json_string(portal_secret_groups(p, base32)));
    if (error_key)
        json_object_set_new(view, "error", json_string(portal_text(pr, error_key)));
    apr_table_setn(pr->r->err_headers_out, "Cache-Control", "no-store");   /* the secret */
    return portal_render(pr, status, "cabinet/two_factor_enrol");
}

int portal_cabinet_two_factor_enrol(portal_req *pr)
{
    return show_enrol(pr, HTTP_OK, NULL);
}

/* The codes, once: no-store, and never again after this answer. */
static int show_codes(portal_req *pr, const char *const *codes, const char *notice_key)
{
    json_t *view = portal_view(pr, "recovery_codes");
    json_t *list = json_array();
    for (int i = 0; codes[i]; i++)
        json_array_append_new(list, json_string(codes[i]));
    json_object_set_new(view, "codes", list);
    json_object_set_new(view, "notice", json_string(portal_text(pr, notice_key)));
    json_object_set_new(view, "done", json_string(portal_url(pr, "/account/security")));
    apr_table_setn(pr->r->err_headers_out, "Cache-Control", "no-store");
    return portal_render(pr, HTTP_OK, "cabinet/recovery_codes");
}

int portal_cabinet_two_factor_confirm(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const portal_session *s = pr->session;
    if (s->totp_enabled)
        return back(pr, "");
    const char *code;
    if (portal_factor_parse(p, apr_table_get(pr->form, "code"), &code) != PORTAL_FACTOR_TOTP)
        return show_enrol(pr, HTTP_BAD_REQUEST, "two_factor_enrol.errors.format");
    int rc = code_limit(pr);
    if (rc != OK)
        return rc;
    portal_db_error err;
    const portal_db_result *user = own_row(pr, &err);
    if (!user)
        return portal_fail_db(pr, "confirming an enrolment", &err);
    const unsigned char *secret;
    apr_size_t len;
    long long step;
    if (!portal_db_get_bool(user, 0, "pending_live")
        || portal_cabinet_totp_open(pr, portal_db_get(user, 0, "totp_pending"), &secret, &len)
               != APR_SUCCESS)
        return back(pr, "");
    if (!portal_totp_verify(secret, len, code, apr_time_now(), -1, &step))
        return show_enrol(pr, HTTP_BAD_REQUEST, "two_factor_enrol.errors.wrong");

    /* On, with its step spent, fresh recovery codes, the notice, the audit
     * row and a new session token: all or nothing. */
    const char *user_id = s->user_id, *tenant = s->tenant_id;
    const char *const *codes;
    const char **fresh;
    const char *params[] = { user_id, apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)step) };
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "turning two-step verification on", &err);
    apr_status_t rv = portal_query(pr, "security.enable", 2, params, &res, &err);
    if (rv == APR_SUCCESS && portal_db_nrows(res) != 1) {
        portal_db_rollback(db);   /* confirmed a moment ago, or expired */
        return back(pr, "");
    }
    if (rv != APR_SUCCESS
        || portal_cabinet_recovery_new(pr, user_id, &fresh, &err) != APR_SUCCESS
        || portal_cabinet_notice(pr, s->email, s->locale, "two_factor_on", NULL, &err)
               != APR_SUCCESS
        || portal_audit_req(pr, "user.two_factor.enabled", NULL, NULL, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_session_start(pr, user_id, tenant, &err) != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
        return portal_fail_db(pr, "turning two-step verification on", &err);
    }
    codes = fresh;
    if (portal_session_load(pr, &err) != APR_SUCCESS || !pr->session)
        return portal_fail_db(pr, "the new session", &err);
    return show_codes(pr, codes, "recovery_codes.enabled");
}

/* Before the transaction: the fields are there and the tries counted.
 * 1 when ready; else 0 with the answer's status in *rc (a page that
 * re-shows the form renders with OK, so OK alone cannot mean "go on"). */
static int fields_ready(portal_req *pr, int with_password, int *rc)
{
    const char *password = apr_table_get(pr->form, "password");
    const char *ignored;
    if ((with_password && (!password || !*password || strlen(password) > 1024))
        || portal_factor_parse(pr->r->pool, apr_table_get(pr->form, "code"), &ignored)
               == PORTAL_FACTOR_NONE) {
        *rc = security_error(pr, HTTP_BAD_REQUEST, with_password
            ? "account_security.errors.disable_missing" : "account_security.errors.code_format");
        return 0;
    }
    *rc = code_limit(pr);
    return *rc == OK;
}

/* Before the transaction (argon2id holds no transaction open): the
 * person's password, in a hash slot. 1 when it holds; else 0 with the
 * page's status in *rc (busy, the wrong password, or the database). */
static int password_holds(portal_req *pr, int *rc)
{
    portal_db_error err;
    const portal_db_result *user = own_row(pr, &err);
    if (!user) {
        *rc = portal_fail_db(pr, "checking a password", &err);
        return 0;
    }
    int matches;
    *rc = portal_req_password_check(pr, portal_db_get(user, 0, "password_hash"),
                                    apr_table_get(pr->form, "password"), &matches, NULL);
    if (*rc != OK)
        return 0;
    if (!matches)
        *rc = security_error(pr, HTTP_UNAUTHORIZED, "account_security.errors.current_wrong");
    return matches;
}

/* Inside the transaction: a second factor, spent. NULL when it holds,
 * else the catalog key of the error (*failed set when the database failed
 * instead). */
static const char *proof_problem(portal_req *pr, int *recovery_left, int *failed,
                                 portal_db_error *err)
{
    *failed = 0;
    apr_status_t rv = portal_cabinet_factor_check(pr, pr->session->user_id, NULL,
                                                  apr_table_get(pr->form, "code"),
                                                  recovery_left, err);
    if (rv == APR_EMISMATCH)
        return "account_security.errors.code_wrong";
    if (rv != APR_SUCCESS) {
        *failed = 1;
        return "";
    }
    return NULL;
}

/* The answer after a refused proof, the transaction rolled back. */
static int refused(portal_req *pr, portal_db *db, const char *problem, int failed,
                   const portal_db_error *err)
{
    portal_db_rollback(db);
    if (failed)
        return portal_fail_db(pr, "checking a second factor", err);
    return security_error(pr, HTTP_UNAUTHORIZED, problem);
}

int portal_cabinet_two_factor_disable(portal_req *pr)
{
    const portal_session *s = pr->session;
    apr_pool_t *p = pr->r->pool;
    if (!s->totp_enabled)
        return back(pr, "");
    portal_db_error err;
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (!db)
        return portal_fail_db(pr, "turning two-step verification off", &err);
    if (s->tenant_requires_2fa)
        return security_error(pr, HTTP_CONFLICT, "account_security.errors.required");
    int rc, left, failed;
    if (!fields_ready(pr, 1, &rc) || !password_holds(pr, &rc))
        return rc;
    if (portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "turning two-step verification off", &err);
    const char *problem = proof_problem(pr, &left, &failed, &err);
    if (problem)
        return refused(pr, db, problem, failed, &err);
    const char *params[] = { s->user_id };
    json_t *detail = portal_json_owned(p, json_pack("{s:s}", "with",
                                                    left >= 0 ? "recovery_code" : "totp"));
    if (portal_query(pr, "security.disable", 1, params, &res, &err) != APR_SUCCESS
        || portal_query(pr, "security.recovery_clear", 1, params, &res, &err) != APR_SUCCESS
        || portal_cabinet_notice(pr, s->email, s->locale, "two_factor_off", NULL, &err)
               != APR_SUCCESS
        || portal_audit_req(pr, "user.two_factor.disabled", NULL, NULL, NULL, detail, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "turning two-step verification off", &err);
    }
    return back(pr, "?done=two_factor_off");
}

int portal_cabinet_two_factor_recovery(portal_req *pr)
{
    const portal_session *s = pr->session;
    apr_pool_t *p = pr->r->pool;
    if (!s->totp_enabled)
        return back(pr, "");
    int rc, left, failed;
    if (!fields_ready(pr, 0, &rc))
        return rc;
    portal_db_error err;
    const char **fresh;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "new recovery codes", &err);
    const char *problem = proof_problem(pr, &left, &failed, &err);
    if (problem)
        return refused(pr, db, problem, failed, &err);
    if (portal_cabinet_recovery_new(pr, s->user_id, &fresh, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.two_factor.recovery_renewed", NULL, NULL, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "new recovery codes", &err);
    }
    return show_codes(pr, (const char *const *)fresh, "recovery_codes.renewed");
}
