/* Answers: the root view of every page, rendered pages, JSON documents,
 * redirects, and the one error path. */
#include "portal_req.h"

#include <apr_strings.h>
#include <apr_time.h>
#include <http_log.h>
#include <http_protocol.h>
#include "buf.h"
#include "form.h"
#include "json.h"


/* Where the public site lives: the cabinet's own mount, or the path of
 * PortalBaseURL for pages of the other areas. */
static const char *site_root(portal_req *pr)
{
    if (strcmp(pr->area->name, "cabinet") == 0)
        return pr->mount_url;
    const char *base = pr->cfg->base_url;
    const char *host = base ? strstr(base, "://") : NULL;
    const char *path = host ? strchr(host + 3, '/') : NULL;
    return path ? path : "";
}

const char *portal_cabinet_url(portal_req *pr, const char *rel)
{
    return apr_pstrcat(pr->r->pool, site_root(pr), rel, NULL);
}

/* The current address with its query kept, lang= last: the switcher lands
 * the visitor on the same page with the same choices, in another language.
 * Every HTML answer builds it, so it is one pass whatever the query. */
static const char *query_without_lang(portal_req *pr)
{
    return portal_form_encode(pr->r->pool, pr->query, "lang");
}

static json_t *language_links(portal_req *pr)
{
    json_t *langs = json_array();
    const char *query = query_without_lang(pr);
    for (int i = 0; i < portal_locale_count; i++) {
        const char *code = portal_locales[i].code;
        const char *url = apr_pstrcat(pr->r->pool, portal_path_escape(pr->r->pool, pr->r->uri), "?",
                                      query, "lang=", code, NULL);
        json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:b}",
            "code", code, "name", portal_locales[i].name, "url", url,
            "current", strcmp(code, pr->locale) == 0));
    }
    return langs;
}

json_t *portal_view(portal_req *pr, const char *page)
{
    if (pr->view)
        return pr->view;
    apr_pool_t *p = pr->r->pool;
    const char *root = site_root(pr);
    const char *home = *root ? apr_pstrcat(p, root, "/", NULL) : "/";
    json_t *url = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
        "home", home,
        "features", apr_pstrcat(p, root, "/features", NULL),
        "pricing", apr_pstrcat(p, root, "/pricing", NULL),
        "security", apr_pstrcat(p, root, "/security", NULL),
        "contact", apr_pstrcat(p, root, "/contact", NULL),
        "signin", apr_pstrcat(p, root, "/signin", NULL),
        "signout", apr_pstrcat(p, root, "/signout", NULL),
        "account", apr_pstrcat(p, root, "/account/", NULL));
    apr_time_exp_t now;
    apr_time_exp_gmt(&now, apr_time_now());
    json_t *v = json_object();
    json_object_set(v, "t", portal_i18n_catalog(pr->cfg->i18n, pr->locale));
    json_object_set_new(v, "lang", json_string(pr->locale));
    json_object_set_new(v, "dir", json_string("ltr"));
    json_object_set_new(v, "langs", language_links(pr));
    json_object_set_new(v, "static", json_string(pr->cfg->static_url));
    json_object_set_new(v, "url", url);
    json_object_set_new(v, "nav", json_pack("{s:b}", page, 1));
    json_object_set_new(v, "page", json_pack("{s:s, s:s}",
        "title", portal_text(pr, apr_pstrcat(p, "pages.", page, ".title", NULL)),
        "description", portal_text(pr, apr_pstrcat(p, "pages.", page, ".description", NULL))));
    json_object_set_new(v, "request_id", json_string(pr->request_id));
    if (pr->session)   /* the header's account menu and its sign-out form */
        json_object_set_new(v, "account", json_pack("{s:s, s:s, s:s, s:s}",
            "name", *pr->session->name ? pr->session->name : pr->session->email,
            "email", pr->session->email, "company", pr->session->tenant_name,
            "csrf", portal_csrf_token(pr)));
    json_object_set_new(v, "year", json_integer(now.tm_year + 1900));
    pr->view = portal_json_owned(p, v);
    return v;
}

int portal_render(portal_req *pr, int status, const char *template_name)
{
    request_rec *r = pr->r;
    portal_buf out;
    portal_buf_init(&out, r->pool, 16 * 1024);
    json_t *view = pr->view ? pr->view : portal_view(pr, "home");
    apr_status_t rv = portal_mustache_render(pr->cfg->templates, template_name, view, &out);
    if (rv != APR_SUCCESS) {
        portal_log_error(pr, rv, "rendering template %s failed", template_name);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (!apr_table_get(r->err_headers_out, "Cache-Control"))   /* no-store wins */
        apr_table_setn(r->headers_out, "Cache-Control", "no-cache, private");
    ap_set_content_length(r, out.len);
    if (!r->header_only)
        ap_rwrite(out.data, (int)out.len, r);
    return OK;
}

int portal_json(portal_req *pr, int status, json_t *body)
{
    request_rec *r = pr->r;
    portal_json_owned(r->pool, body);
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
    if (!text)
        return HTTP_INTERNAL_SERVER_ERROR;
    apr_size_t len = strlen(text);
    r->status = status;
    ap_set_content_type(r, "application/json");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_set_content_length(r, len);
    if (!r->header_only)
        ap_rwrite(text, (int)len, r);
    free(text);
    return OK;
}

void portal_secret_link_page(portal_req *pr)
{
    apr_table_setn(pr->r->err_headers_out, "Referrer-Policy", "same-origin");
    apr_table_setn(pr->r->err_headers_out, "Cache-Control", "no-store");
}

int portal_redirect(portal_req *pr, int status, const char *location)
{
    pr->r->status = status;
    apr_table_setn(pr->r->headers_out, "Location", location);
    apr_table_setn(pr->r->headers_out, "Cache-Control", "no-store");
    ap_set_content_length(pr->r, 0);
    return OK;
}

int portal_fail(portal_req *pr, int status, const char *code)
{
    request_rec *r = pr->r;
    apr_pool_t *p = r->pool;
    const char *message = portal_text(pr, apr_pstrcat(p, "errors.", code, ".message", NULL));
    if (status == HTTP_REQUEST_ENTITY_TOO_LARGE || status == HTTP_BAD_REQUEST)
        r->connection->keepalive = AP_CONN_CLOSE;   /* leave the rest of the body unread */
    if (status == HTTP_SERVICE_UNAVAILABLE && !apr_table_get(r->err_headers_out, "Retry-After"))
        apr_table_setn(r->err_headers_out, "Retry-After", "5");   /* unless the caller knows */
    if (pr->area->json) {
        json_t *body = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", code,
                                 "message", message, "request_id", pr->request_id);
        return portal_json(pr, status, body) == OK ? PORTAL_ANSWERED : status;
    }
    pr->view = NULL;    /* an error replaces whatever the route had built */
    json_t *view = portal_view(pr, "error");
    const char *title = portal_text(pr, apr_pstrcat(p, "errors.", code, ".title", NULL));
    json_object_set_new(view, "page", json_pack("{s:s, s:s}", "title", title,
                                                "description", message));
    json_object_set_new(view, "error", json_pack("{s:i, s:s, s:s, s:s}", "status", status,
        "code", code, "title", title, "message", message));
    return portal_render(pr, status, "public/error") == OK ? PORTAL_ANSWERED : status;
}

int portal_fail_db(portal_req *pr, const char *doing, const portal_db_error *err)
{
    portal_log_error(pr, 0, "%s: %s", doing, portal_db_error_line(pr->r->pool, err));
    if (err->kind == PORTAL_DB_UNAVAILABLE)
        return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "service_unavailable");
    return portal_fail(pr, HTTP_INTERNAL_SERVER_ERROR, "internal");
}
