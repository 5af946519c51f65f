/* mod_portal: a customer portal and licensing service inside Apache httpd.
 * This file is the module record and its hooks; the work is in core/ and
 * the area folders. */
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <http_request.h>
#include "core/mod_portal_config.h"
#include "core/portal_req.h"
#include "areas.h"

static const portal_area areas[] = {
    { "cabinet",   "portal-cabinet",   &portal_cabinet_routes,   0, 1 },
    { "admin",     "portal-admin",     &portal_admin_routes,     0, 1 },
    { "downloads", "portal-downloads", &portal_downloads_routes, 0, 1 },
    { "webhooks",  "portal-webhooks",  &portal_webhooks_routes,  1, 0 },
    { "licensing", "portal-licensing", &portal_licensing_routes, 1, 0 },
};

static int portal_handler(request_rec *r)
{
    if (!r->handler || strncmp(r->handler, "portal-", 7) != 0)
        return DECLINED;
    for (apr_size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        if (strcmp(r->handler, areas[i].handler) == 0)
            return portal_dispatch(r, &areas[i]);
    return DECLINED;
}

/* Static files and anything else under a PortalSecurityHeaders location. */
static int portal_fixups(request_rec *r)
{
    const portal_dir_cfg *d = portal_dir_config(r);
    if (d && d->security_headers == 1)
        portal_security_headers(r, 0);
    return DECLINED;
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_check_config(portal_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(portal_handler, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_fixups(portal_fixups, NULL, NULL, APR_HOOK_MIDDLE);
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
