/* Forgotten passwords: a single-use link by mail (30 minutes, stored as
 * its SHA-256), a new password, every session signed out, a notice by
 * mail. The forgot form answers the same whether or not the e-mail has an
 * account, so it tells no one which addresses are registered. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/crypto.h"
#include "../core/outbox.h"
#include "../core/password.h"
#include "../core/ratelimit.h"
#include "identity_rules.h"

#define FORGOT_PER_IP 10
#define FORGOT_PER_ACCOUNT 3
#define FORGOT_WINDOW 3600

static int show_forgot(portal_req *pr, int status, const char *email, int sent,
                       const char *error_key)
{
    json_t *view = portal_view(pr, "forgot");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/forgot")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "email", json_string(email ? email : ""));
    json_object_set_new(view, "sent", json_boolean(sent));
    if (error_key)
        json_object_set_new(view, "error", json_string(portal_text(pr, error_key)));
    return portal_render(pr, status, "cabinet/forgot");
}

int portal_cabinet_forgot(portal_req *pr)
{
    return show_forgot(pr, HTTP_OK, NULL, 0, NULL);
}

/* Queues the link for an existing account, inside one transaction. */
static apr_status_t send_link(portal_req *pr, const portal_db_result *user, const char *email,
                              portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    const char *user_id = portal_db_get(user, 0, "id");
    portal_db *db = portal_req_db(pr, err);
    if (!db || portal_db_begin(db, p, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (portal_reset_link_enqueue(pr, user_id, email, portal_db_get(user, 0, "locale"), err)
            != APR_SUCCESS
        || portal_audit_req(pr, "user.password.reset_requested", user_id, email, NULL, NULL,
                            err) != APR_SUCCESS
        || portal_db_commit(db, p, err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

int portal_cabinet_forgot_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *raw = apr_table_get(pr->form, "email");
    const char *email = portal_email_normalize(p, raw);
    if (!email)
        return show_forgot(pr, HTTP_BAD_REQUEST, raw, 0, "forgot.errors.email");
    int rc = portal_limit(pr, "forgot.ip", portal_rate_key_ip(p, pr->r->useragent_ip),
                          FORGOT_PER_IP, FORGOT_WINDOW);
    if (rc == OK)
        rc = portal_limit(pr, "forgot.account", portal_rate_key_email(p, email),
                          FORGOT_PER_ACCOUNT, FORGOT_WINDOW);
    if (rc != OK)
        return rc;
    portal_db_error err;
    portal_db_result *user;
    const char *params[] = { email };
    if (portal_query(pr, "cabinet.user_for_signin", 1, params, &user, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "looking up an account to reset", &err);
    /* No account: the same answer; the mail is what differs, and only the
     * owner of the address sees it. */
    if (portal_db_nrows(user) == 1 && send_link(pr, user, email, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "sending a reset link", &err);
    return show_forgot(pr, HTTP_OK, email, 1, NULL);
}

static int show_reset(portal_req *pr, int status, const char *token, const char *error_key)
{
    json_t *view = portal_view(pr, "reset");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/reset")));
    json_object_set_new(view, "forgot", json_string(portal_url(pr, "/forgot")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "token", json_string(token ? token : ""));
    if (error_key)
        json_object_set_new(view, "error", json_string(portal_text(pr, error_key)));
    return portal_render(pr, status, "cabinet/reset");
}

/* The account a link is for, or NULL (the page says the link is spent). */
static const portal_db_result *live_link(portal_req *pr, const char *token, int *failed,
                                         portal_db_error *err)
{
    portal_db_result *res;
    *failed = 0;
    if (!token || strlen(token) != 43)
        return NULL;
    const char *params[] = { portal_sha256_hex(pr->r->pool, token, strlen(token)) };
    if (portal_query(pr, "cabinet.reset_live", 1, params, &res, err) != APR_SUCCESS) {
        *failed = 1;
        return NULL;
    }
    return portal_db_nrows(res) == 1 ? res : NULL;
}

int portal_cabinet_reset(portal_req *pr)
{
    const char *token = apr_table_get(pr->query, "token");
    portal_db_error err;
    int failed;
    portal_secret_link_page(pr);
    if (!live_link(pr, token, &failed, &err))
        return failed ? portal_fail_db(pr, "checking a reset link", &err)
                      : show_reset(pr, HTTP_GONE, NULL, "reset.errors.spent");
    return show_reset(pr, HTTP_OK, token, NULL);
}

int portal_cabinet_reset_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *token = apr_table_get(pr->form, "token");
    const char *password = apr_table_get(pr->form, "password");
    portal_db_error err;
    int failed;
    const portal_db_result *link = live_link(pr, token, &failed, &err);
    if (!link)
        return failed ? portal_fail_db(pr, "checking a reset link", &err)
                      : show_reset(pr, HTTP_GONE, NULL, "reset.errors.spent");
    const char *email = portal_db_get(link, 0, "email");
    const char *local = apr_pstrmemdup(p, email, strcspn(email, "@"));
    const char *context[] = { email, local, NULL };
    const char *problem = portal_password_problem(password ? password : "", context);
    if (problem)
        return show_reset(pr, HTTP_BAD_REQUEST, token,
                          apr_pstrcat(p, "signup.errors.password_", problem, NULL));
    const char *hash;
    int rc = portal_req_password_hash(pr, password, &hash);
    if (rc != OK)
        return rc;

    /* Spend the link, set the password, end every session, mail a notice
     * and audit it: all or nothing. */
    const char *user = portal_db_get(link, 0, "user_id");
    const char *spend[] = { portal_sha256_hex(p, token, strlen(token)) };
    const char *set[] = { user, hash };
    const char *everyone[] = { user, NULL };
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "resetting a password", &err);
    apr_status_t rv = portal_query(pr, "cabinet.reset_use", 1, spend, &res, &err);
    if (rv == APR_SUCCESS && portal_db_nrows(res) != 1) {
        portal_db_rollback(db);   /* another request spent it a moment ago */
        return show_reset(pr, HTTP_GONE, NULL, "reset.errors.spent");
    }
    json_t *vars = portal_json_owned(p, json_pack("{s:s}", "url",
        apr_pstrcat(p, pr->cfg->base_url ? pr->cfg->base_url : "", portal_url(pr, "/forgot"),
                    NULL)));
    if (rv != APR_SUCCESS
        || portal_query(pr, "cabinet.user_password", 2, set, &res, &err) != APR_SUCCESS
        || portal_query(pr, "session.revoke_others", 2, everyone, &res, &err) != APR_SUCCESS
        || portal_mail_enqueue(db, p, &pr->cfg->mail, email, portal_db_get(link, 0, "locale"),
                               "password_changed", vars, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.password.reset", user, email, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "resetting a password", &err);
    }
    portal_session_end(pr, &err);   /* this browser's cookie too, if any */
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/signin?reset=1"));
}
