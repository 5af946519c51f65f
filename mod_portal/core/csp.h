/* The Content-Security-Policy of mod_portal's pages: everything from the
 * portal's own origin, no inline script or style, no framing. Plain data
 * in, the header value out. */
#ifndef PORTAL_CSP_H
#define PORTAL_CSP_H

#include <apr_pools.h>

/* The policy of HTML pages. asset_origin is the origin of an absolute
 * PortalStaticURL ("https://cdn.example.com"), allowed for scripts,
 * styles, images and fonts beside 'self'; NULL when the static files are
 * served by the portal's own origin. */
const char *portal_csp_html(apr_pool_t *p, const char *asset_origin);

/* The policy of JSON answers: nothing may load. */
#define PORTAL_CSP_JSON "default-src 'none'; frame-ancestors 'none'"

#endif
