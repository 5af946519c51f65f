/* Where a browser request comes from: the rule that refuses cross-site
 * form posts before their body is read. Plain strings in, a verdict out. */
#ifndef PORTAL_ORIGIN_H
#define PORTAL_ORIGIN_H

#include <apr_pools.h>

/* "scheme://host[:port]" of an absolute http(s) URL or of a scheme and a
 * Host header value, lowercased, default ports dropped; NULL if malformed. */
const char *portal_origin_of(apr_pool_t *p, const char *url);

/* 1 when a request may be acted on: Sec-Fetch-Site, if sent, is
 * "same-origin" or "none" (typed, bookmarked), and Origin, if sent, is
 * exactly own_origin (the request's scheme and Host) or base_origin (the
 * origin of PortalBaseURL; may be NULL). A sibling subdomain is refused
 * too: it can plant cookies, so it must not post forms. */
int portal_origin_allowed(apr_pool_t *p, const char *origin, const char *sec_fetch_site,
                          const char *own_origin, const char *base_origin);

#endif
