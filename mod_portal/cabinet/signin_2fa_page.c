/* The second step of a sign-in (/signin/2fa) for an account with two-step
 * verification. The right password alone makes no session: it gives this
 * browser a challenge (a random token in a cookie, its SHA-256 in
 * signin_challenges) good for 5 minutes and 5 codes, and for nothing else.
 * So someone who has only the password can try 5 codes per challenge, and
 * at most CODE_TRIES per account in CODE_WINDOW whatever the challenges;
 * the code, or one recovery code, then makes the session as a sign-in does. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/cookie.h"
#include "../core/crypto.h"
#include "../core/ratelimit.h"
#include "security_rules.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43
#define CHALLENGE_SECONDS 300
#define CODE_TRIES 10
#define CODE_WINDOW 900

static const char *cookie_name(portal_req *pr)
{
    return portal_req_secure(pr) ? "__Host-portal_2fa" : "portal_2fa";
}

/* The SHA-256 (hex) of this browser's challenge token, or NULL. */
static const char *challenge_hash(portal_req *pr)
{
    const char *token = portal_cookie_get(pr->cookies, cookie_name(pr));
    if (!token || strlen(token) != TOKEN_CHARS)
        return NULL;
    return portal_sha256_hex(pr->r->pool, token, strlen(token));
}

int portal_cabinet_signin_challenge(portal_req *pr, const char *user_id, const char *tenant_id,
                                    const char *next)
{
    apr_pool_t *p = pr->r->pool;
    const char *token = portal_random_token(p, TOKEN_BYTES);
    if (!token)
        return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "service_unavailable");
    const char *safe = portal_next_path(next, pr->mount_url);
    const char *params[] = { portal_sha256_hex(p, token, strlen(token)), user_id, tenant_id,
                             safe ? safe : "" };
    portal_db_error err;
    portal_db_result *res;
    if (portal_query(pr, "security.challenge_new", 4, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "starting a sign-in's second step", &err);
    portal_set_cookie(pr, cookie_name(pr), token, CHALLENGE_SECONDS);
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/signin/2fa"));
}

static int show(portal_req *pr, int status, const char *error)
{
    json_t *view = portal_view(pr, "signin_2fa");
    json_object_set_new(view, "live", json_boolean(status != HTTP_GONE));
    json_object_set_new(view, "action", json_string(portal_url(pr, "/signin/2fa")));
    json_object_set_new(view, "restart", json_string(portal_url(pr, "/signin")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    if (error)
        json_object_set_new(view, "error", json_string(error));
    return portal_render(pr, status, "cabinet/signin_2fa");
}

/* No live challenge (none, 5 minutes past, or 5 wrong codes): the page
 * says to sign in again, and the cookie goes. */
static int restart(portal_req *pr)
{
    portal_set_cookie(pr, cookie_name(pr), "", 0);
    return show(pr, HTTP_GONE, portal_text(pr, "signin_2fa.expired"));
}

static const portal_db_result *live(portal_req *pr, const char *hash, int *failed,
                                    portal_db_error *err)
{
    portal_db_result *res;
    const char *params[] = { hash };
    *failed = 0;
    if (!hash)
        return NULL;
    if (portal_query(pr, "security.challenge_live", 1, params, &res, err) != APR_SUCCESS) {
        *failed = 1;
        return NULL;
    }
    return portal_db_nrows(res) == 1 && portal_db_get(res, 0, "totp_secret") ? res : NULL;
}

int portal_cabinet_signin_2fa(portal_req *pr)
{
    portal_db_error err;
    int failed;
    if (!live(pr, challenge_hash(pr), &failed, &err))
        return failed ? portal_fail_db(pr, "a sign-in's second step", &err) : restart(pr);
    return show(pr, HTTP_OK, NULL);
}

int portal_cabinet_signin_2fa_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    portal_db_error err;
    portal_db_result *res;
    int failed;
    const char *hash = challenge_hash(pr);
    const portal_db_result *c = live(pr, hash, &failed, &err);
    if (!c)
        return failed ? portal_fail_db(pr, "a sign-in's second step", &err) : restart(pr);
    const char *typed = apr_table_get(pr->form, "code");
    const char *ignored;
    if (portal_factor_parse(p, typed, &ignored) == PORTAL_FACTOR_NONE)
        return show(pr, HTTP_BAD_REQUEST, portal_text(pr, "signin_2fa.errors.format"));
    const char *user_id = portal_db_get(c, 0, "user_id");
    const char *tenant = portal_db_get(c, 0, "tenant_id");
    const char *email = portal_db_get(c, 0, "email");
    int rc = portal_limit(pr, "signin.2fa", portal_rate_key_hash(p, user_id), CODE_TRIES,
                          CODE_WINDOW);
    if (rc != OK)
        return rc;
    /* The try counts before the code is looked at, in its own statement. */
    const char *try_params[] = { hash };
    if (portal_query(pr, "security.challenge_try", 1, try_params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "a sign-in's second step", &err);
    if (portal_db_nrows(res) != 1)
        return restart(pr);
    int tries_left = (int)apr_atoi64(portal_db_get(res, 0, "tries_left"));

    int left;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "a sign-in's second step", &err);
    apr_status_t rv = portal_cabinet_factor_check(pr, user_id, portal_db_get(c, 0, "totp_secret"),
                                                  typed, &left, &err);
    if (rv == APR_EMISMATCH) {
        portal_db_rollback(db);
        json_t *detail = portal_json_owned(p, json_pack("{s:b}", "second_factor", 1));
        if (portal_audit_req(pr, "user.signin.failed", user_id, email, tenant, detail, &err)
            != APR_SUCCESS)
            return portal_fail_db(pr, "auditing a failed sign-in", &err);
        if (tries_left <= 0)
            return restart(pr);
        return show(pr, HTTP_UNAUTHORIZED, apr_psprintf(p, "%s %s",
            portal_text(pr, "signin_2fa.errors.wrong"),
            portal_text(pr, tries_left == 1 ? "signin_2fa.errors.one_left"
                                            : "signin_2fa.errors.few_left")));
    }
    json_t *detail = portal_json_owned(p, json_pack("{s:s}", "second_factor",
                                                    left >= 0 ? "recovery_code" : "totp"));
    json_t *vars = portal_json_owned(p, json_pack("{s:i}", "left", left));
    const char *spend[] = { hash };
    if (rv != APR_SUCCESS
        || portal_query(pr, "security.challenge_use", 1, spend, &res, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "signing in", &err);
    }
    if (portal_db_nrows(res) != 1) {   /* spent by another request a moment ago */
        portal_db_rollback(db);
        return restart(pr);
    }
    if (portal_session_start(pr, user_id, tenant, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.signin", user_id, email, tenant, detail, &err)
               != APR_SUCCESS
        || (left >= 0
            && (portal_audit_req(pr, "user.recovery.used", user_id, email, tenant, vars, &err)
                    != APR_SUCCESS
                || portal_cabinet_notice(pr, email, portal_db_get(c, 0, "locale"),
                                         "recovery_used", vars, &err) != APR_SUCCESS))
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
        return portal_fail_db(pr, "signing in", &err);
    }
    portal_set_cookie(pr, cookie_name(pr), "", 0);
    const char *next = portal_db_get(c, 0, "next_path");
    const char *safe = portal_next_path(next, pr->mount_url);
    return portal_redirect(pr, HTTP_SEE_OTHER, safe ? safe : portal_url(pr, "/account/"));
}
