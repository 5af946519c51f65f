/* Signed-in customers: the session cookie and its row in PostgreSQL
 * (sql/session.sql), and the permission check the dispatcher runs before
 * every route, against conf/roles.json. */
#include "portal_req.h"

#include <apr_strings.h>
#include <http_protocol.h>
#include "cookie.h"
#include "crypto.h"
#include "form.h"
#include "roles.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43          /* base64url of 32 bytes, unpadded */

/* Under TLS the __Host- prefix makes browsers refuse the cookie unless it
 * is Secure, Path=/ and host-only: no sibling subdomain can plant one. */
static const char *cookie_name(portal_req *pr)
{
    return portal_req_secure(pr) ? "__Host-portal_session" : "portal_session";
}

static const char *token_hash(portal_req *pr, const char *token)
{
    return portal_sha256_hex(pr->r->pool, token, strlen(token));
}

static const char *text_or_empty(const portal_db_result *res, const char *col)
{
    const char *v = portal_db_get(res, 0, col);
    return v ? v : "";
}

apr_status_t portal_session_load(portal_req *pr, portal_db_error *err)
{
    if (pr->session_loaded)
        return APR_SUCCESS;
    const char *token = portal_cookie_get(pr->cookies, cookie_name(pr));
    if (!token || strlen(token) != TOKEN_CHARS) {
        pr->session_loaded = 1;
        return APR_SUCCESS;
    }
    apr_pool_t *p = pr->r->pool;
    const char *params[] = { token_hash(pr, token),
                             apr_ltoa(p, pr->cfg->session_idle) };
    portal_db_result *res;
    if (portal_query(pr, "session.check", 2, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    pr->session_loaded = 1;
    if (portal_db_nrows(res) != 1)
        return APR_SUCCESS;
    portal_session *s = apr_pcalloc(p, sizeof(*s));
    s->id = text_or_empty(res, "session_id");
    s->user_id = text_or_empty(res, "user_id");
    s->tenant_id = text_or_empty(res, "tenant_id");
    s->email = text_or_empty(res, "email");
    s->name = text_or_empty(res, "user_name");
    s->locale = text_or_empty(res, "locale");
    s->time_zone = text_or_empty(res, "time_zone");
    s->role = text_or_empty(res, "role");
    s->tenant_name = text_or_empty(res, "tenant_name");
    s->tenant_status = text_or_empty(res, "tenant_status");
    s->email_verified = portal_db_get_bool(res, 0, "email_verified");
    s->totp_enabled = portal_db_get_bool(res, 0, "totp_enabled");
    s->tenant_requires_2fa = portal_db_get_bool(res, 0, "tenant_requires_2fa");
    pr->session = s;
    return APR_SUCCESS;
}

apr_status_t portal_session_start(portal_req *pr, const char *user_id, const char *tenant_id,
                                  portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    const char *token = portal_random_token(p, TOKEN_BYTES);
    if (!token)
        return portal_db_refuse(err, "no randomness for a session token");
    const char *ua = apr_table_get(pr->r->headers_in, "User-Agent");
    const char *params[] = { token_hash(pr, token), user_id, tenant_id,
                             pr->r->useragent_ip, apr_ltoa(p, pr->cfg->session_max),
                             ua ? ua : "" };
    portal_db_result *res;
    if (portal_query(pr, "session.start", 6, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (pr->session) {
        const char *old[] = { pr->session->id };
        if (portal_query(pr, "session.revoke", 1, old, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
    }
    /* A session cookie: the browser forgets it when it closes; the row's
     * idle and absolute timeouts end it on the server whatever it keeps. */
    portal_set_cookie(pr, cookie_name(pr), token, -1);
    /* The next portal_session_load reads the new session (a page that
     * rotates the token and then renders, with forms bound to it). */
    apr_table_set(pr->cookies, cookie_name(pr), token);
    pr->session = NULL;
    pr->session_loaded = 0;
    return APR_SUCCESS;
}

apr_status_t portal_session_end(portal_req *pr, portal_db_error *err)
{
    if (pr->session) {
        const char *params[] = { pr->session->id };
        portal_db_result *res;
        if (portal_query(pr, "session.revoke", 1, params, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
    }
    portal_set_cookie(pr, cookie_name(pr), "", 0);
    pr->session = NULL;
    return APR_SUCCESS;
}

int portal_send_to_signin(portal_req *pr, const char *signin)
{
    apr_pool_t *p = pr->r->pool;
    const char *here = portal_path_escape(p, pr->r->uri);
    if (pr->r->args)
        here = apr_pstrcat(p, here, "?", pr->r->args, NULL);
    apr_table_t *q = apr_table_make(p, 1);
    apr_table_setn(q, "next", here);
    const char *query = portal_form_encode(p, q, NULL);
    portal_redirect(pr, HTTP_SEE_OTHER,
                    apr_pstrcat(p, signin, "?", apr_pstrmemdup(p, query, strlen(query) - 1),
                                NULL));
    return PORTAL_ANSWERED;
}

/* Where a customer who must sign in goes: the cabinet's sign-in page,
 * coming back to this address afterwards. */
static int to_signin(portal_req *pr)
{
    return portal_send_to_signin(pr, portal_cabinet_url(pr, "/signin"));
}

/* A tenant that requires two-step verification lets a member without it
 * reach only the "self" routes (the security page, sign-out) until it is
 * on: every other route sends them to the security page. The session
 * check says whether the company requires it: no statement of its own. */
static int two_factor_gate(portal_req *pr)
{
    if (pr->session->totp_enabled || !pr->session->tenant_requires_2fa)
        return OK;
    if (pr->area->json)
        return portal_fail(pr, HTTP_FORBIDDEN, "two_factor_required");
    portal_redirect(pr, HTTP_SEE_OTHER, portal_cabinet_url(pr, "/account/security?required=1"));
    return PORTAL_ANSWERED;
}

int portal_refuse_route(portal_req *pr, const char *perm, const char *why)
{
    portal_log_error(pr, 0, "route %s %s needs '%s': %s", pr->r->method, pr->path, perm, why);
    return portal_fail(pr, HTTP_FORBIDDEN, "forbidden");
}

int portal_authorize(portal_req *pr, const char *perm)
{
    portal_db_error err;
    if (strcmp(perm, "none") == 0)
        return portal_refuse_route(pr, perm, "closed to everyone");
    /* Admin sessions are a separate space: the admin area reads only the
     * admin cookie, and a customer session never opens an admin page. */
    if (strcmp(pr->area->name, "admin") == 0)
        return portal_admin_authorize(pr, perm);
    if (strcmp(perm, "admin") == 0 || strncmp(perm, "admin.", 6) == 0)
        return portal_refuse_route(pr, perm, "no admin session");
    /* Public pages of the browser areas learn the session too, when there
     * is a cookie, so the header can show the account menu. */
    if (strcmp(perm, "public") == 0 && !pr->area->browser)
        return OK;
    if (portal_session_load(pr, &err) != APR_SUCCESS) {
        if (strcmp(perm, "public") == 0) {
            portal_log_error(pr, 0, "session check: %s",
                             portal_db_error_line(pr->r->pool, &err));
            return OK;   /* the page itself does not need it */
        }
        return portal_fail_db(pr, "session check", &err);
    }
    if (strcmp(perm, "public") == 0)
        return OK;
    if (strcmp(perm, "guest") == 0) {
        if (!pr->session)
            return OK;
        portal_redirect(pr, HTTP_SEE_OTHER, portal_cabinet_url(pr, "/account/"));
        return PORTAL_ANSWERED;
    }
    if (!pr->session) {
        if (pr->area->json)
            return portal_fail(pr, HTTP_UNAUTHORIZED, "unauthorized");
        return to_signin(pr);
    }
    if (strcmp(perm, "self") == 0)
        return OK;
    int rc = two_factor_gate(pr);
    if (rc != OK || strcmp(perm, "member") == 0)
        return rc;
    if (!portal_roles_grants(pr->cfg->roles, PORTAL_CUSTOMER_ROLE, pr->session->role, perm))
        return portal_refuse_route(pr, perm, apr_pstrcat(pr->r->pool, "the role ",
                                   pr->session->role, " does not hold it", NULL));
    return OK;
}
