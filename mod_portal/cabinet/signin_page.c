/* Sign-in and sign-out of customers. A wrong password and an unknown
 * e-mail get the same answer in about the same time (a dummy argon2id run),
 * so the form never tells whether an address has an account. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/ratelimit.h"
#include "identity_rules.h"

#define MAX_PASSWORD_FIELD 1024
/* Attempts: per address, enough for an office behind one NAT; per account,
 * few enough that guessing a 12-character password is hopeless. */
#define SIGNIN_PER_IP 30
#define SIGNIN_PER_IP_WINDOW 600
#define SIGNIN_POW_FROM 20     /* proof of work past this many per address */
#define SIGNIN_PER_ACCOUNT 10
#define SIGNIN_PER_ACCOUNT_WINDOW 900

/* The page to land on after signing in: ?next= when it is a path of this
 * site, else the dashboard. */
static const char *landing(portal_req *pr, const char *next)
{
    const char *safe = portal_next_path(next, pr->mount_url);
    return safe ? safe : portal_url(pr, "/account/");
}

static int show_form(portal_req *pr, int status, const char *email, const char *next,
                     const char *error_key)
{
    json_t *view = portal_view(pr, "signin");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/signin")));
    json_object_set_new(view, "signup", json_string(portal_url(pr, "/signup")));
    json_object_set_new(view, "forgot", json_string(portal_url(pr, "/forgot")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "form", json_pack("{s:s, s:s}", "email", email ? email : "",
                                                "next", next ? next : ""));
    if (error_key)
        json_object_set_new(view, "error", json_string(portal_text(pr, error_key)));
    portal_pow_offer(pr, view, "signin", "signin.ip", SIGNIN_POW_FROM, SIGNIN_PER_IP);
    return portal_render(pr, status, "cabinet/signin");
}

int portal_cabinet_signin(portal_req *pr)
{
    const char *next = apr_table_get(pr->query, "next");
    if (apr_table_get(pr->query, "signed_out"))
        json_object_set_new(portal_view(pr, "signin"), "notice",
                            json_string(portal_text(pr, "signin.signed_out")));
    if (apr_table_get(pr->query, "reset"))
        json_object_set_new(portal_view(pr, "signin"), "notice",
                            json_string(portal_text(pr, "signin.password_reset")));
    return show_form(pr, HTTP_OK, NULL, portal_next_path(next, pr->mount_url), NULL);
}

int portal_cabinet_password_matches(portal_req *pr, const char *user_id, const char *hash,
                                    const char *password, int *matches)
{
    const char *stronger;
    int rc = portal_req_password_check(pr, hash, password, matches, &stronger);
    if (rc != OK || !stronger || !user_id)
        return rc;
    portal_db_error err;
    portal_db_result *res;
    const char *params[2] = { user_id, stronger };
    if (portal_query(pr, "cabinet.user_rehash", 2, params, &res, &err) != APR_SUCCESS)
        portal_log_error(pr, 0, "rehash at sign-in: %s", portal_db_error_line(pr->r->pool, &err));
    return OK;
}

int portal_cabinet_signin_account_limit(portal_req *pr, const char *email)
{
    portal_rate_verdict account;
    int rc = portal_limit_check(pr, "signin.account", portal_rate_key_email(pr->r->pool, email),
                                SIGNIN_PER_ACCOUNT, SIGNIN_PER_ACCOUNT_WINDOW, &account);
    if (rc == OK && !account.allowed) {
        rc = portal_cabinet_lockout_notice(pr, email, account.retry_after,
                                           SIGNIN_PER_ACCOUNT_WINDOW);
        if (rc == OK)
            rc = portal_limit_refuse(pr, "rate_limited", &account);
    }
    return rc;
}

/* The active company the person used last (team.memberships), or NULL (*suspended set when
 * they all are). */
static const char *open_tenant(portal_req *pr, const char *user_id, int *suspended,
                               portal_db_error *err, apr_status_t *rv)
{
    portal_db_result *res;
    const char *params[] = { user_id };
    *suspended = 0;
    *rv = portal_query(pr, "team.memberships", 1, params, &res, err);
    if (*rv != APR_SUCCESS)
        return NULL;
    for (int i = 0; i < portal_db_nrows(res); i++) {
        if (strcmp(portal_db_get(res, i, "tenant_status"), "active") == 0)
            return portal_db_get(res, i, "tenant_id");
        *suspended = 1;
    }
    return NULL;
}

int portal_cabinet_signin_send(portal_req *pr)
{
    const char *raw_email = apr_table_get(pr->form, "email");
    const char *password = apr_table_get(pr->form, "password");
    const char *next = apr_table_get(pr->form, "next");
    const char *email = portal_email_normalize(pr->r->pool, raw_email);
    if (!email || !password || !*password || strlen(password) > MAX_PASSWORD_FIELD)
        return show_form(pr, HTTP_BAD_REQUEST, raw_email, next, "signin.errors.missing");
    apr_pool_t *p = pr->r->pool;
    /* A field people never see (hidden from sight and from screen readers):
     * only a bot fills it in. */
    const char *trap = apr_table_get(pr->form, "website");
    if (trap && *trap) {
        portal_log_error(pr, 0, "sign-in refused: the honeypot field was filled in");
        return show_form(pr, HTTP_BAD_REQUEST, raw_email, next, "bot.refused");
    }
    int rc = portal_pow_demand(pr, "signin", "signin.ip", SIGNIN_POW_FROM, SIGNIN_PER_IP);
    if (rc == OK)
        rc = portal_limit(pr, "signin.ip", portal_rate_key_ip(p, pr->r->useragent_ip),
                          SIGNIN_PER_IP, SIGNIN_PER_IP_WINDOW);
    if (rc != OK)
        return rc;
    /* Too many tries of one account: locked for the rest of the window,
     * and its owner hears of it once. */
    rc = portal_cabinet_signin_account_limit(pr, email);
    if (rc != OK)
        return rc;

    portal_db_error err;
    portal_db_result *user;
    const char *params[] = { email };
    apr_status_t rv = portal_query(pr, "cabinet.user_for_signin", 1, params, &user, &err);
    if (rv != APR_SUCCESS)
        return portal_fail_db(pr, "sign-in", &err);
    int matches;
    const char *known = portal_db_nrows(user) == 1 ? portal_db_get(user, 0, "id") : NULL;
    rc = portal_cabinet_password_matches(pr, known,
                                         known ? portal_db_get(user, 0, "password_hash") : NULL,
                                         password, &matches);
    if (rc != OK)
        return rc;
    if (!matches) {
        json_t *detail = portal_json_owned(p, json_pack("{s:b}", "account_exists", known != NULL));
        if (portal_audit_req(pr, "user.signin.failed", known, email, NULL, detail, &err)
            != APR_SUCCESS)
            return portal_fail_db(pr, "auditing a failed sign-in", &err);
        return show_form(pr, HTTP_UNAUTHORIZED, raw_email, next, "signin.errors.wrong");
    }

    const char *user_id = portal_db_get(user, 0, "id");
    int suspended;
    const char *tenant = open_tenant(pr, user_id, &suspended, &err, &rv);
    if (rv != APR_SUCCESS)
        return portal_fail_db(pr, "sign-in memberships", &err);
    if (!tenant)
        return show_form(pr, HTTP_FORBIDDEN, raw_email, next,
                         suspended ? "signin.errors.suspended" : "signin.errors.no_company");
    /* Two-step verification: no session before the code (signin_2fa_page.c). */
    portal_db_result *factors;
    const char *uid[] = { user_id };
    if (portal_query(pr, "security.user", 1, uid, &factors, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "sign-in", &err);
    if (portal_db_nrows(factors) == 1 && portal_db_get(factors, 0, "totp_secret"))
        return portal_cabinet_signin_challenge(pr, user_id, tenant, next);
    /* The session and its audit row commit together, or neither does. */
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS
        || portal_session_start(pr, user_id, tenant, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.signin", user_id, email, tenant, NULL, &err) != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        if (db)
            portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
        return portal_fail_db(pr, "starting a session", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, landing(pr, next));
}

int portal_cabinet_signout(portal_req *pr)
{
    portal_db_error err;
    if (portal_audit_req(pr, "user.signout", NULL, NULL, NULL, NULL, &err) != APR_SUCCESS
        || portal_session_end(pr, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "signing out", &err);
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/signin?signed_out=1"));
}
