/* Admin sign-in: e-mail, password and the 6-digit code in one form — two
 * factors always. Every failure gets the same answer, whichever factor was
 * wrong, so the form tells nothing about an address or a password; a code
 * is accepted once (totp_last_step), also by two requests at once. */
#include "admin.h"

#include <apr_strings.h>
#include "../core/password.h"
#include "../core/ratelimit.h"
#include "../core/secretbox.h"
#include "../core/totp.h"
#include "identity_rules.h"

#define MAX_PASSWORD_FIELD 1024
#define SIGNIN_PER_IP 20
#define SIGNIN_PER_IP_WINDOW 600
#define SIGNIN_PER_ACCOUNT 5
#define SIGNIN_PER_ACCOUNT_WINDOW 900

static int show_form(portal_req *pr, int status, const char *email, const char *next,
                     const char *error_key)
{
    json_t *view = portal_admin_view(pr, "signin");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/signin")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "form", json_pack("{s:s, s:s}", "email", email ? email : "",
                                                "next", next ? next : ""));
    if (error_key)
        portal_admin_error(pr, error_key);
    return portal_render(pr, status, "admin/signin");
}

/* Signed in already: on to the landing page. */
static int signed_in(portal_req *pr)
{
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/tenants"));
}

int portal_admin_signin(portal_req *pr)
{
    if (pr->admin)
        return signed_in(pr);
    const char *notice = apr_table_get(pr->query, "signed_out") ? "staff.signin.signed_out"
                       : apr_table_get(pr->query, "enrolled") ? "staff.signin.enrolled" : NULL;
    if (notice)
        json_object_set_new(portal_admin_view(pr, "signin"), "notice",
                            json_string(portal_text(pr, notice)));
    return show_form(pr, HTTP_OK, NULL,
                     portal_next_path(apr_table_get(pr->query, "next"), pr->mount_url), NULL);
}

/* 1 when the code is the admin's and newer than the last one used. */
static int code_matches(portal_req *pr, const portal_db_result *a, const char *code,
                        long long *step)
{
    const unsigned char *key = portal_admin_totp_key(pr);
    const unsigned char *secret;
    apr_size_t len;
    const char *sealed = portal_db_get(a, 0, "totp_secret");
    const char *last = portal_db_get(a, 0, "totp_last_step");
    if (!sealed || portal_unseal(pr->r->pool, key, sealed, &secret, &len) != APR_SUCCESS)
        return 0;
    return portal_totp_verify(secret, len, code, apr_time_now(),
                              last ? portal_db_get_int(a, 0, "totp_last_step") : -1, step);
}

static int refused(portal_req *pr, const char *admin_id, const char *email, const char *why,
                   const char *raw_email, const char *next)
{
    portal_db_error err;
    json_t *detail = portal_json_owned(pr->r->pool, json_pack("{s:s}", "failed", why));
    if (portal_audit_admin(pr, "admin.signin.failed", admin_id, email, NULL, detail, &err)
        != APR_SUCCESS)
        return portal_fail_db(pr, "auditing a failed admin sign-in", &err);
    return show_form(pr, HTTP_UNAUTHORIZED, raw_email, next, "staff.signin.wrong");
}

int portal_admin_signin_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    if (pr->admin)
        return signed_in(pr);
    const char *raw_email = apr_table_get(pr->form, "email");
    const char *password = apr_table_get(pr->form, "password");
    const char *code = apr_table_get(pr->form, "code");
    const char *next = apr_table_get(pr->form, "next");
    const char *email = portal_email_normalize(p, raw_email);
    if (!email || !password || !*password || strlen(password) > MAX_PASSWORD_FIELD
        || !code || !portal_code_digits(p, code))
        return show_form(pr, HTTP_BAD_REQUEST, raw_email, next, "staff.signin.missing");
    int rc = portal_limit(pr, "admin.signin.ip", portal_rate_key_ip(p, pr->r->useragent_ip),
                          SIGNIN_PER_IP, SIGNIN_PER_IP_WINDOW);
    if (rc == OK)
        rc = portal_limit(pr, "admin.signin.account", portal_rate_key_email(p, email),
                          SIGNIN_PER_ACCOUNT, SIGNIN_PER_ACCOUNT_WINDOW);
    if (rc != OK)
        return rc;
    portal_db_error err;
    portal_db_result *a;
    const char *params[] = { email };
    /* The account first, then the hash: no slot is held while the database
     * answers. An unknown address costs a dummy run all the same. */
    if (portal_query(pr, "admin.for_signin", 1, params, &a, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "admin sign-in", &err);
    int password_ok;
    rc = portal_req_password_check(pr, portal_db_nrows(a) == 1
                                           ? portal_db_get(a, 0, "password_hash") : NULL,
                                   password, &password_ok, NULL);
    if (rc != OK)
        return rc;
    const char *admin_id = portal_db_nrows(a) == 1 ? portal_db_get(a, 0, "id") : NULL;
    if (!admin_id)
        return refused(pr, NULL, email, "unknown", raw_email, next);
    if (!password_ok)
        return refused(pr, admin_id, email, "password", raw_email, next);
    if (strcmp(portal_db_get(a, 0, "status"), "active") != 0)
        return refused(pr, admin_id, email, "disabled", raw_email, next);
    long long step;
    if (!code_matches(pr, a, code, &step))
        return refused(pr, admin_id, email, "code", raw_email, next);

    /* The step, the session and the audit row commit together; the step
     * is taken only if it is still newer, so a replay racing this request
     * finds no row. */
    portal_db *db = portal_req_db(pr, &err);
    portal_db_result *res;
    const char *used[] = { admin_id,
                           apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)step) };
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "starting an admin session", &err);
    apr_status_t rv = portal_query(pr, "admin.signed_in", 2, used, &res, &err);
    if (rv == APR_SUCCESS && portal_db_nrows(res) != 1) {
        portal_db_rollback(db);
        return refused(pr, admin_id, email, "code_replayed", raw_email, next);
    }
    if (rv != APR_SUCCESS
        || portal_admin_session_start(pr, admin_id, &err) != APR_SUCCESS
        || portal_audit_admin(pr, "admin.signin", admin_id, email, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
        return portal_fail_db(pr, "starting an admin session", &err);
    }
    const char *safe = portal_next_path(next, pr->mount_url);
    return portal_redirect(pr, HTTP_SEE_OTHER, safe ? safe : portal_url(pr, "/tenants"));
}

int portal_admin_signout(portal_req *pr)
{
    portal_db_error err;
    if (portal_audit_admin(pr, "admin.signout", NULL, NULL, NULL, NULL, &err) != APR_SUCCESS
        || portal_admin_session_end(pr, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "signing an admin out", &err);
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/signin?signed_out=1"));
}
