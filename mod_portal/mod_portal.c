/* mod_portal: a customer portal and licensing service inside Apache httpd.
 * This file is the module record and its hooks; the work is in core/ and
 * the area folders. */
#include <apr_strings.h>
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include "core/mod_portal_config.h"
#include "core/portal_req.h"
#include "areas.h"
#include "core/files.h"
#include "core/password.h"
#include "core/mod_portal_jobs.h"

static const portal_area areas[] = {
    { "cabinet",   "portal-cabinet",   &portal_cabinet_routes,   0, 1 },
    { "admin",     "portal-admin",     &portal_admin_routes,     0, 1 },
    { "downloads", "portal-downloads", &portal_downloads_routes, 0, 1 },
    { "webhooks",  "portal-webhooks",  &portal_webhooks_routes,  1, 0 },
    { "licensing", "portal-licensing", &portal_licensing_routes, 1, 0 },
};

static const portal_area *area_named(const char *handler)
{
    if (!handler || strncmp(handler, "portal-", 7) != 0)
        return NULL;
    for (apr_size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        if (strcmp(handler, areas[i].handler) == 0)
            return &areas[i];
    return NULL;
}

static int portal_handler(request_rec *r)
{
    const portal_area *area = area_named(r->handler);
    return area ? portal_dispatch(r, area) : DECLINED;
}

/* The area whose SetHandler is in r->per_dir_config, before core applies
 * it to r->handler (in fixups). */
static const portal_area *area_in_effect(request_rec *r)
{
    core_dir_config *core = ap_get_core_module_config(r->per_dir_config);
    const char *handler = NULL, *err = NULL;
    if (core && core->expr_handler)
        handler = ap_expr_str_exec(r, core->expr_handler, &err);
    return err ? NULL : area_named(handler);
}

/* The security headers go out before access control runs, so that Apache's
 * own answers (a 403 from `Require ip`, a 401) carry them too: for a
 * portal area (by the SetHandler in effect, which core applies only later)
 * and for anything under PortalSecurityHeaders On (the static files). */
static int portal_early_headers(request_rec *r)
{
    const portal_area *area = area_in_effect(r);
    const portal_dir_cfg *d = portal_dir_config(r);
    if (area || (d && d->security_headers == 1))
        portal_security_headers(r, area && area->json);
    return DECLINED;
}

/* The portal's areas are pages and APIs, not files under the DocumentRoot,
 * so Apache's directory and file walk has nothing to find for them and must
 * not run: it is what lets the DocumentRoot's <Directory> sections and
 * .htaccess files (Redirect, RewriteRule, Options), mod_dir (DirectoryIndex
 * turning / into /index.html, DirectorySlash's 301s) and mod_autoindex
 * reach inside a portal <Location>. mod_proxy skips it the same way.
 *
 * map_to_storage runs with r->per_dir_config reset to the server's
 * defaults, so the area is read in translate_name, where the <Location>
 * (and <If>) sections of r->uri are merged, and noted with that URI; a
 * translate_name hook that rewrites r->uri afterwards (a RewriteRule with
 * [PT]) leaves the note stale, and then the walk runs as usual. The
 * <Location> walk that runs again after map_to_storage still applies the
 * area's Require. A <Location> with `SetHandler none` (/static) is no area
 * and keeps its files.
 *
 * r->filename becomes "portal:AREA", no path (like mod_proxy's "proxy:"):
 * left as the DocumentRoot path core_translate made, it would still let a
 * server-wide MultiViews negotiate /pricing into pricing.html next to it,
 * and mod_mime map a URI's extension (/x.shtml) to handlers and filters. */
#define PORTAL_AREA_NOTE "portal-area"
#define PORTAL_AREA_URI_NOTE "portal-area-uri"

static int portal_note_area(request_rec *r)
{
    const portal_area *area = area_in_effect(r);
    if (area) {
        apr_table_setn(r->notes, PORTAL_AREA_NOTE, area->name);
        apr_table_set(r->notes, PORTAL_AREA_URI_NOTE, r->uri);   /* a copy */
    }
    return DECLINED;
}

static int portal_map_to_storage(request_rec *r)
{
    const char *name = apr_table_get(r->notes, PORTAL_AREA_NOTE);
    const char *uri = apr_table_get(r->notes, PORTAL_AREA_URI_NOTE);
    if (!name || !uri || strcmp(uri, r->uri) != 0)
        return DECLINED;
    r->filename = r->canonical_filename = apr_pstrcat(r->pool, "portal:", name, NULL);
    return OK;
}

/* Every route needs a permission conf/roles.json defines, of the right kind
 * for its area: a typo, or a customer permission on an admin page, stops
 * `apache2 -t` with the route named. */
static int portal_check_routes(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                               server_rec *s)
{
    (void)pconf;
    (void)plog;
    const portal_roles *roles = portal_server_config(s)->roles;
    for (apr_size_t i = 0; roles && i < sizeof(areas) / sizeof(areas[0]); i++) {
        const char *err = NULL;
        if (portal_roles_check_routes(roles, areas[i].routes, areas[i].name,
                                      strcmp(areas[i].name, "admin") == 0, ptemp, &err)
            != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, NULL, "mod_portal: %s",
                         err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

static void print_line(void *baton, const char *text)
{
    apr_file_printf(baton, "%s\n", text);
}

/* `apache2 -t -D DUMP_PORTAL_ROUTES` lists every route of every area with
 * the permission it needs, as `-D DUMP_MODULES` lists modules: what a
 * reviewer (and the route test) reads to see that nothing is open by
 * accident. */
static int portal_dump_routes(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                              server_rec *s)
{
    (void)pconf;
    (void)plog;
    (void)s;
    if (!ap_exists_config_define("DUMP_PORTAL_ROUTES")
        || ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_NORMAL)
        return OK;
    apr_file_t *out;
    if (apr_file_open_stdout(&out, ptemp) != APR_SUCCESS)
        return OK;
    for (apr_size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        portal_route_dump(areas[i].routes, areas[i].name, print_line, out, ptemp);
    return OK;
}

/* Uploads a killed child was writing stay in storage/tmp: each new child
 * removes those older than a day (no live upload lasts that long). */
static void portal_child_init(apr_pool_t *p, server_rec *s)
{
    /* argon2id runs at once: bounded memory (the main server's setting: the
     * cap is the process's, whichever host a request is for). */
    portal_password_slots_init(portal_server_config(s)->max_hashes);
    for (server_rec *vs = s; vs; vs = vs->next) {
        const portal_server_cfg *c = portal_server_config(vs);
        if (c->storage_dir)
            portal_sweep_dir(apr_pstrcat(p, c->storage_dir, "/tmp", NULL), "upload-",
                             apr_time_now() - apr_time_from_sec(24 * 3600), p);
    }
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_check_config(portal_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(portal_check_routes, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(portal_dump_routes, NULL, NULL, APR_HOOK_LAST);
    ap_hook_optional_fn_retrieve(portal_retrieve_optional_fns, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(portal_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(portal_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_header_parser(portal_early_headers, NULL, NULL, APR_HOOK_MIDDLE);
    /* First, before a translate_name hook that answers OK (mod_alias) ends
     * the phase; last in map_to_storage, after mod_proxy's, TRACE's and
     * OPTIONS *'s, before core's directory walk (REALLY_LAST). */
    ap_hook_translate_name(portal_note_area, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_map_to_storage(portal_map_to_storage, NULL, NULL, APR_HOOK_LAST);
    portal_jobs_register_hooks(p);
}

AP_DECLARE_MODULE(portal) = {
    STANDARD20_MODULE_STUFF,
    portal_create_dir_cfg,
    portal_merge_dir_cfg,
    portal_create_server_cfg,
    portal_merge_server_cfg,
    portal_directives,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE
#endif
};
