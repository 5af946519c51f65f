/* E-mail verification by the 6-digit code mailed at sign-up: five tries a
 * code, 15 minutes, a new code on request with a cool-down. An unverified
 * account can sign in but cannot buy; the dashboard says so. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/i18n.h"
#include "../core/ratelimit.h"
#include "identity_rules.h"

/* A new code at most once a minute, five an hour: enough for a mail that
 * went to spam, not enough to flood an inbox. */
#define RESEND_COOLDOWN 60
#define RESENDS_PER_HOUR 5
/* Tries across codes: five a code, and no more than ten codes' worth. */
#define TRIES_PER_HOUR 20

static int show_form(portal_req *pr, int status, const char *notice_key, const char *error)
{
    json_t *view = portal_view(pr, "verify");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/verify")));
    json_object_set_new(view, "resend_action", json_string(portal_url(pr, "/verify/resend")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "email", json_string(pr->session->email));
    if (notice_key)
        json_object_set_new(view, "notice", json_string(portal_text(pr, notice_key)));
    if (error)
        json_object_set_new(view, "error", json_string(error));
    return portal_render(pr, status, "cabinet/verify");
}

static int already_verified(portal_req *pr)
{
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/account/?verified=1"));
}

int portal_cabinet_verify(portal_req *pr)
{
    if (pr->session->email_verified)
        return already_verified(pr);
    return show_form(pr, HTTP_OK, apr_table_get(pr->query, "sent") ? "verify.sent" : NULL,
                     NULL);
}

int portal_cabinet_verify_send(portal_req *pr)
{
    if (pr->session->email_verified)
        return already_verified(pr);
    apr_pool_t *p = pr->r->pool;
    const char *code = portal_code_digits(p, apr_table_get(pr->form, "code"));
    if (!code)
        return show_form(pr, HTTP_BAD_REQUEST, NULL, portal_text(pr, "verify.errors.format"));
    int rc = portal_limit(pr, "verify.try", pr->session->user_id, TRIES_PER_HOUR, 3600);
    if (rc != OK)
        return rc;
    portal_db_error err;
    portal_db_result *res;
    const char *params[] = { pr->session->user_id, portal_cabinet_code_hash(pr, code) };
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS
        || portal_query(pr, "cabinet.code_try", 2, params, &res, &err) != APR_SUCCESS) {
        if (db)
            portal_db_rollback(db);
        return portal_fail_db(pr, "checking a verification code", &err);
    }
    if (portal_db_nrows(res) == 0) {
        portal_db_commit(db, p, &err);
        return show_form(pr, HTTP_BAD_REQUEST, NULL, portal_text(pr, "verify.errors.expired"));
    }
    if (!portal_db_get_bool(res, 0, "matched")) {
        if (portal_db_commit(db, p, &err) != APR_SUCCESS)
            return portal_fail_db(pr, "counting a verification try", &err);
        long long left = portal_db_get_int(res, 0, "tries_left");
        return show_form(pr, HTTP_BAD_REQUEST, NULL, left > 0
            ? portal_i18n_count(p, pr->cfg->i18n, pr->locale, "verify.errors.wrong", left)
            : portal_text(pr, "verify.errors.expired"));
    }
    const char *user[] = { pr->session->user_id };
    if (portal_query(pr, "cabinet.user_verified", 1, user, &res, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.email.verified", NULL, NULL, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "verifying an e-mail", &err);
    }
    return already_verified(pr);
}

int portal_cabinet_verify_resend(portal_req *pr)
{
    if (pr->session->email_verified)
        return already_verified(pr);
    apr_pool_t *p = pr->r->pool;
    int rc = portal_limit_as(pr, "resend_too_soon", "verify.resend.minute",
                             pr->session->user_id, 1, RESEND_COOLDOWN);
    if (rc == OK)
        rc = portal_limit(pr, "verify.resend.hour", pr->session->user_id, RESENDS_PER_HOUR,
                          3600);
    if (rc != OK)
        return rc;
    portal_db_error err;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS
        || portal_cabinet_send_code(pr, pr->session->user_id, pr->session->email,
                                    pr->session->locale, &err) != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        if (db)
            portal_db_rollback(db);
        return portal_fail_db(pr, "sending a new code", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/verify?sent=1"));
}
