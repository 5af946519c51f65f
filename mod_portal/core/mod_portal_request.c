/* The request context: from request_rec to a portal_req, the router's
 * decision, the checks every unsafe browser request passes, and the lazily
 * acquired database connection. */
#include "portal_req.h"

#include <stdarg.h>
#include <apr_dbd.h>
#include <apr_fnmatch.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <mod_dbd.h>
#include "cookie.h"
#include "crypto.h"
#include "csp.h"
#include "form.h"
#include "origin.h"
#include "utf8.h"

#define LOCALE_COOKIE "portal_lang"
#define CSRF_COOKIE "portal_csrf"
#define ONE_YEAR (365L * 24 * 3600)

static APR_OPTIONAL_FN_TYPE(ap_dbd_acquire) *dbd_acquire;

void portal_retrieve_optional_fns(void)
{
    dbd_acquire = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_acquire);
}

void portal_log_error(portal_req *pr, apr_status_t rv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = apr_pvsprintf(pr->r->pool, fmt, ap);
    va_end(ap);
    ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, pr->r, "mod_portal [%s] %s: %s",
                  pr->request_id, pr->area->name, msg);
}

static apr_status_t rollback_open_transaction(void *data)
{
    portal_db_rollback(data);
    return APR_SUCCESS;
}

portal_db *portal_req_db(portal_req *pr, portal_db_error *err)
{
    if (pr->db)
        return pr->db;
    ap_dbd_t *dbd = dbd_acquire ? dbd_acquire(pr->r) : NULL;
    if (!dbd) {
        err->kind = PORTAL_DB_UNAVAILABLE;
        err->sqlstate[0] = '\0';
        err->constraint = NULL;
        err->message = dbd_acquire ? "mod_dbd has no connection to PostgreSQL"
                                   : "mod_dbd is not loaded";
        return NULL;
    }
    if (strcmp(apr_dbd_name(dbd->driver), "pgsql") != 0) {
        /* check_config refuses other drivers; never cast their handle. */
        err->kind = PORTAL_DB_FAILED;
        err->sqlstate[0] = '\0';
        err->constraint = NULL;
        err->message = apr_pstrcat(pr->r->pool, "DBDriver is ", apr_dbd_name(dbd->driver),
                                   ", not pgsql", NULL);
        return NULL;
    }
    void *state = NULL;
    apr_pool_userdata_get(&state, "mod_portal.db", dbd->pool);
    if (!state) {
        PGconn *conn = apr_dbd_native_handle(dbd->driver, dbd->handle);
        state = portal_db_make(conn, dbd->pool, pr->cfg->sql);
        apr_pool_userdata_set(state, "mod_portal.db", apr_pool_cleanup_null, dbd->pool);
    }
    pr->db = state;
    /* A pre-cleanup runs before every ordinary cleanup of r->pool and before
     * its subpools are destroyed: before mod_dbd puts the connection back
     * in the pool (a cleanup of r->pool) or closes it (a subpool's), so the
     * rollback never touches a released or freed connection. */
    apr_pool_pre_cleanup_register(pr->r->pool, pr->db, rollback_open_transaction);
    return pr->db;
}

apr_status_t portal_query(portal_req *pr, const char *label, int nparams,
                          const char *const *params, portal_db_result **res,
                          portal_db_error *err)
{
    portal_db *db = portal_req_db(pr, err);
    if (!db)
        return APR_EGENERAL;
    return portal_db_query(db, pr->r->pool, label, nparams, params, res, err);
}

const char *portal_url(portal_req *pr, const char *rel)
{
    if (strcmp(rel, "/") == 0 && *pr->mount_url)
        return apr_pstrcat(pr->r->pool, pr->mount_url, "/", NULL);
    return apr_pstrcat(pr->r->pool, pr->mount_url, rel, NULL);
}

const char *portal_text(portal_req *pr, const char *key)
{
    return portal_i18n_get(pr->cfg->i18n, pr->locale, key);
}

static int is_tls(request_rec *r)
{
    return apr_table_get(r->subprocess_env, "HTTPS") != NULL
        || strcmp(ap_http_scheme(r), "https") == 0;
}

int portal_req_secure(portal_req *pr)
{
    return is_tls(pr->r)
        || (pr->cfg->base_url && strncasecmp(pr->cfg->base_url, "https://", 8) == 0);
}

void portal_set_cookie(portal_req *pr, const char *name, const char *value, long max_age)
{
    portal_cookie_opts o = { "/", max_age, 1, portal_req_secure(pr), "Lax" };
    const char *header = portal_cookie_format(pr->r->pool, name, value, &o);
    if (header)
        apr_table_add(pr->r->err_headers_out, "Set-Cookie", header);
}

void portal_security_headers(request_rec *r, int json)
{
    apr_table_t *h = r->err_headers_out;
    const portal_server_cfg *cfg = portal_server_config(r->server);
    apr_table_setn(h, "Content-Security-Policy", json || !cfg->csp ? PORTAL_CSP_JSON : cfg->csp);
    apr_table_setn(h, "X-Content-Type-Options", "nosniff");
    apr_table_setn(h, "Referrer-Policy", "strict-origin-when-cross-origin");
    apr_table_setn(h, "X-Frame-Options", "DENY");
    apr_table_setn(h, "Cross-Origin-Opener-Policy", "same-origin");
    apr_table_setn(h, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (is_tls(r))
        apr_table_setn(h, "Strict-Transport-Security", "max-age=31536000");
}

/* The token is HMAC(secret, cookie value), so a token is only good with the
 * cookie it was made for. Anyone can obtain a pair for a cookie of their
 * own; what keeps a sibling domain that plants such a cookie from posting
 * is the Origin rule (portal_origin_allowed). Sessions will bind the token
 * to the signed-in user. */
static const char *csrf_for(portal_req *pr, const char *cookie)
{
    /* Signed in: bound to the session too, so a token seen before sign-in
     * (or in another session) is no good after it. */
    const char *msg = pr->session
        ? apr_pstrcat(pr->r->pool, "csrf:", cookie, ":session:", pr->session->id, NULL)
        : pr->admin
        ? apr_pstrcat(pr->r->pool, "csrf:", cookie, ":admin:", pr->admin->id, NULL)
        : apr_pstrcat(pr->r->pool, "csrf:", cookie, NULL);
    return portal_hmac_b64url(pr->r->pool, pr->cfg->secret, pr->cfg->secret_len, msg,
                              strlen(msg));
}

const char *portal_csrf_token(portal_req *pr)
{
    const char *cookie = apr_table_get(pr->cookies, CSRF_COOKIE);
    if (!cookie || strlen(cookie) < 32) {
        cookie = portal_random_token(pr->r->pool, 32);
        if (!cookie)
            return "";   /* no randomness: the form will be refused, safely */
        apr_table_setn(pr->cookies, CSRF_COOKIE, cookie);
        portal_set_cookie(pr, CSRF_COOKIE, cookie, -1);
    }
    return csrf_for(pr, cookie);
}

int portal_csrf_valid(portal_req *pr, const char *token)
{
    const char *cookie = apr_table_get(pr->cookies, CSRF_COOKIE);
    return cookie && token && portal_equal_secret(token, csrf_for(pr, cookie));
}

/* Before reading the body of an unsafe browser request: refuse what the
 * browser says comes from another origin. */
static int cross_site(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *host = apr_table_get(pr->r->headers_in, "Host");
    const char *own = host ? portal_origin_of(p, apr_pstrcat(p, ap_http_scheme(pr->r), "://",
                                                             host, NULL))
                           : NULL;
    return !portal_origin_allowed(p, apr_table_get(pr->r->headers_in, "Origin"),
                                  apr_table_get(pr->r->headers_in, "Sec-Fetch-Site"), own,
                                  portal_origin_of(p, pr->cfg->base_url));
}

static int is_unsafe(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0
        && strcmp(method, "OPTIONS") != 0;
}

static const char *negotiate_locale(portal_req *pr)
{
    const char *asked = apr_table_get(pr->query, "lang");
    const char *code = portal_i18n_supported(asked);
    if (code) {
        if (!portal_equal_secret(code, apr_table_get(pr->cookies, LOCALE_COOKIE)))
            portal_set_cookie(pr, LOCALE_COOKIE, code, ONE_YEAR);
        return code;
    }
    return portal_i18n_negotiate(apr_table_get(pr->cookies, LOCALE_COOKIE),
                                 apr_table_get(pr->r->headers_in, "Accept-Language"),
                                 pr->cfg->default_locale);
}

/* The mount is the path of the <Location> that set the handler: of the
 * Location sections that cover the request, in the order Apache merges
 * them, the last one with a SetHandler — the one whose handler is in
 * effect. Nested sections without SetHandler (limits, Require) leave it
 * alone. A handler set by a regex or wildcard Location, or outside any
 * Location, mounts the area at "/". */
static const char *mount_of(request_rec *r)
{
    core_server_config *sconf = ap_get_core_module_config(r->server->module_config);
    const char *mount = "";
    ap_conf_vector_t **sections = (ap_conf_vector_t **)sconf->sec_url->elts;
    for (int i = 0; i < sconf->sec_url->nelts; i++) {
        core_dir_config *c = ap_get_core_module_config(sections[i]);
        if (!c->d || !c->expr_handler || c->condition_ifelse)
            continue;
        if (c->r) {
            if (ap_regexec(c->r, r->uri, 0, NULL, 0) == 0)
                mount = "";
        } else if (c->d_is_fnmatch) {
            if (apr_fnmatch(c->d, r->uri, APR_FNM_PATHNAME) == APR_SUCCESS)
                mount = "";
        } else if (portal_location_covers(c->d, r->uri)) {
            mount = portal_mount_of_location(r->pool, c->d);
        }
    }
    return mount;
}

static portal_req *make_req(request_rec *r, const portal_area *area)
{
    portal_req *pr = apr_pcalloc(r->pool, sizeof(*pr));
    pr->r = r;
    pr->area = area;
    pr->cfg = portal_server_config(r->server);
    pr->request_id = apr_table_get(r->subprocess_env, "UNIQUE_ID");
    if (!pr->request_id)
        pr->request_id = r->log_id ? r->log_id : "-";
    pr->mount = mount_of(r);
    pr->mount_url = portal_path_escape(r->pool, pr->mount);
    pr->path = portal_route_relative(r->pool, pr->mount, r->uri);
    pr->cookies = portal_cookie_parse(r->pool, apr_table_get(r->headers_in, "Cookie"));
    pr->query = apr_table_make(r->pool, 1);
    pr->locale = pr->cfg->default_locale ? pr->cfg->default_locale : "en";
    return pr;
}

/* Every unsafe browser request: same-site, a body the route can trust, and
 * a CSRF token bound to the visitor's cookie. */
static int checked_body(portal_req *pr)
{
    if (cross_site(pr))
        return portal_fail(pr, HTTP_FORBIDDEN, "csrf_failed");
    /* Without the cookie no token can be valid: refuse before the body is
     * read, so an anonymous post writes nothing to disk. */
    if (!apr_table_get(pr->cookies, CSRF_COOKIE))
        return portal_fail(pr, HTTP_FORBIDDEN, "csrf_failed");
    int rc = portal_read_browser_body(pr);
    if (rc != OK)
        return rc;
    if (!portal_csrf_valid(pr, apr_table_get(pr->form, "csrf")))
        return portal_fail(pr, HTTP_FORBIDDEN, "csrf_failed");
    return OK;
}

/* What the handler hook returns: a route that answered is done; a bare
 * status gets the error answer of that status. */
static int answer_status(portal_req *pr, int rc)
{
    static const struct { int status; const char *code; } codes[] = {
        { HTTP_BAD_REQUEST, "bad_request" }, { HTTP_UNAUTHORIZED, "unauthorized" },
        { HTTP_FORBIDDEN, "forbidden" },
        { HTTP_NOT_FOUND, "not_found" }, { HTTP_METHOD_NOT_ALLOWED, "method_not_allowed" },
        { HTTP_REQUEST_ENTITY_TOO_LARGE, "payload_too_large" },
        { HTTP_SERVICE_UNAVAILABLE, "service_unavailable" },
    };
    if (rc == OK || rc == PORTAL_ANSWERED)
        return OK;
    int status = HTTP_INTERNAL_SERVER_ERROR;
    const char *code = "internal";
    for (apr_size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        if (codes[i].status == rc) {
            status = rc;
            code = codes[i].code;
        }
    return portal_fail(pr, status, code) == PORTAL_ANSWERED ? OK : status;
}

int portal_dispatch(request_rec *r, const portal_area *area)
{
    portal_req *pr = make_req(r, area);
    portal_security_headers(r, area->json);
    apr_table_setn(r->err_headers_out, "X-Request-Id", pr->request_id);
    if (!pr->cfg->configured || !pr->cfg->templates || !pr->cfg->secret) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "mod_portal: %s is mounted but this "
                      "server has no PortalTemplateDir/PortalSecretFile", area->handler);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_table_mergen(r->err_headers_out, "Vary", "Accept-Language, Cookie");

    if (!portal_text_valid(r->uri, strlen(r->uri)) || strpbrk(r->uri, "\t\r\n"))
        return answer_status(pr, portal_fail(pr, HTTP_BAD_REQUEST, "bad_utf8"));
    if (r->args) {
        const char *why = NULL;
        apr_table_t *q;
        if (portal_form_parse(r->pool, r->args, strlen(r->args), &q, &why) != APR_SUCCESS)
            return answer_status(pr, portal_fail(pr, HTTP_BAD_REQUEST,
                strcmp(why, "bad_utf8") == 0 ? "bad_utf8" : "bad_request"));
        pr->query = q;
    }
    pr->locale = negotiate_locale(pr);

    portal_match m;
    portal_route_match(area->routes, r->method, pr->path, r->pool, &m);
    switch (m.kind) {
    case PORTAL_MATCH_FOUND:
        break;
    case PORTAL_MATCH_REDIRECT: {
        const char *to = portal_url(pr, portal_path_escape(r->pool, m.redirect_path));
        if (r->args)
            to = apr_pstrcat(r->pool, to, "?", r->args, NULL);
        return answer_status(pr, portal_redirect(pr, HTTP_MOVED_PERMANENTLY, to));
    }
    case PORTAL_MATCH_OPTIONS:
        apr_table_setn(r->headers_out, "Allow", m.allow);
        r->status = HTTP_NO_CONTENT;
        return OK;
    case PORTAL_MATCH_NOT_ALLOWED:
        apr_table_setn(r->err_headers_out, "Allow", m.allow);
        return answer_status(pr, portal_fail(pr, HTTP_METHOD_NOT_ALLOWED,
                                             "method_not_allowed"));
    case PORTAL_MATCH_NOT_FOUND:
        return answer_status(pr, portal_fail(pr, HTTP_NOT_FOUND, "not_found"));
    }
    pr->params = m.params;
    int rc = portal_authorize(pr, portal_route_perm(area->routes, m.route));
    if (rc == OK && area->browser && is_unsafe(r->method))
        rc = checked_body(pr);
    if (rc == OK)
        rc = m.route->fn(pr);
    if (pr->uploads)
        portal_upload_discard(pr->uploads);   /* what the route did not keep */
    return answer_status(pr, rc);
}
