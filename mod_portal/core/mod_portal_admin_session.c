/* Signed-in admins: their cookie, their row in admin_sessions
 * (sql/admin_session.sql) and the permission check of the admin area,
 * against conf/roles.json's admin_roles. A separate space from the
 * customers' sessions: another cookie, another table, shorter timeouts. */
#include "portal_req.h"

#include <apr_strings.h>
#include <http_protocol.h>
#include "cookie.h"
#include "crypto.h"
#include "form.h"
#include "roles.h"

#define TOKEN_BYTES 32
#define TOKEN_CHARS 43          /* base64url of 32 bytes, unpadded */
/* Staff sessions are short: 15 minutes idle, 12 hours at most (or the
 * customers' PortalSessionMax if that is shorter). */
#define ADMIN_IDLE_SECONDS 900
#define ADMIN_MAX_SECONDS 43200

static const char *cookie_name(portal_req *pr)
{
    return portal_req_secure(pr) ? "__Host-portal_admin" : "portal_admin";
}

static const char *col(const portal_db_result *res, const char *name)
{
    const char *v = portal_db_get(res, 0, name);
    return v ? v : "";
}

apr_status_t portal_admin_session_load(portal_req *pr, portal_db_error *err)
{
    if (pr->admin_loaded)
        return APR_SUCCESS;
    const char *token = portal_cookie_get(pr->cookies, cookie_name(pr));
    if (!token || strlen(token) != TOKEN_CHARS) {
        pr->admin_loaded = 1;
        return APR_SUCCESS;
    }
    apr_pool_t *p = pr->r->pool;
    const char *params[] = { portal_sha256_hex(p, token, strlen(token)),
                             apr_ltoa(p, ADMIN_IDLE_SECONDS) };
    portal_db_result *res;
    if (portal_query(pr, "admin_session.check", 2, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    pr->admin_loaded = 1;
    if (portal_db_nrows(res) != 1)
        return APR_SUCCESS;
    portal_admin_session *s = apr_pcalloc(p, sizeof(*s));
    s->id = col(res, "session_id");
    s->admin_id = col(res, "admin_id");
    s->email = col(res, "email");
    s->role = col(res, "role");
    pr->admin = s;
    return APR_SUCCESS;
}

apr_status_t portal_admin_session_start(portal_req *pr, const char *admin_id,
                                        portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    const char *token = portal_random_token(p, TOKEN_BYTES);
    if (!token)
        return portal_db_refuse(err, "no randomness for an admin session token");
    long max = pr->cfg->session_max < ADMIN_MAX_SECONDS ? pr->cfg->session_max
                                                        : ADMIN_MAX_SECONDS;
    const char *ua = apr_table_get(pr->r->headers_in, "User-Agent");
    const char *params[] = { portal_sha256_hex(p, token, strlen(token)), admin_id,
                             apr_ltoa(p, max), pr->r->useragent_ip, ua ? ua : "" };
    portal_db_result *res;
    if (portal_query(pr, "admin_session.start", 5, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (pr->admin) {
        const char *old[] = { pr->admin->id };
        if (portal_query(pr, "admin_session.revoke", 1, old, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
    }
    portal_set_cookie(pr, cookie_name(pr), token, -1);
    pr->admin = NULL;
    pr->admin_loaded = 1;
    return APR_SUCCESS;
}

apr_status_t portal_admin_session_end(portal_req *pr, portal_db_error *err)
{
    if (pr->admin) {
        const char *params[] = { pr->admin->id };
        portal_db_result *res;
        if (portal_query(pr, "admin_session.revoke", 1, params, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
    }
    portal_set_cookie(pr, cookie_name(pr), "", 0);
    pr->admin = NULL;
    return APR_SUCCESS;
}

int portal_admin_authorize(portal_req *pr, const char *perm)
{
    portal_db_error err;
    int is_public = strcmp(perm, "public") == 0;
    if (strcmp(perm, "admin") != 0 && strncmp(perm, "admin.", 6) != 0 && !is_public)
        return portal_refuse_route(pr, perm, "not an admin permission");
    if (portal_admin_session_load(pr, &err) != APR_SUCCESS) {
        if (is_public) {
            portal_log_error(pr, 0, "admin session check: %s",
                             portal_db_error_line(pr->r->pool, &err));
            return OK;   /* the status page answers while the database is down */
        }
        return portal_fail_db(pr, "admin session check", &err);
    }
    if (is_public)
        return OK;
    if (!pr->admin)
        return portal_send_to_signin(pr, portal_url(pr, "/signin"));
    if (strcmp(perm, "admin") == 0)
        return OK;
    if (!portal_roles_grants(pr->cfg->roles, PORTAL_ADMIN_ROLE, pr->admin->role, perm))
        return portal_refuse_route(pr, perm, apr_pstrcat(pr->r->pool, "the admin role ",
                                   pr->admin->role, " does not hold it", NULL));
    return OK;
}
