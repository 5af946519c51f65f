#include "origin.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

const char *portal_origin_of(apr_pool_t *p, const char *url)
{
    const char *rest;
    const char *scheme;
    if (!url)
        return NULL;
    if (strncasecmp(url, "https://", 8) == 0) {
        scheme = "https";
        rest = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        scheme = "http";
        rest = url + 7;
    } else {
        return NULL;
    }
    apr_size_t n = strcspn(rest, "/?#");
    if (n == 0)
        return NULL;
    char *host = apr_pstrmemdup(p, rest, n);
    for (char *c = host; *c; c++) {
        if (*c == '@' || (unsigned char)*c <= ' ')
            return NULL;   /* userinfo or junk: not an origin */
        *c = (char)tolower((unsigned char)*c);
    }
    apr_size_t hn = strlen(host);
    const char *default_port = strcmp(scheme, "https") == 0 ? ":443" : ":80";
    apr_size_t dn = strlen(default_port);
    if (hn > dn && strcmp(host + hn - dn, default_port) == 0)
        host[hn - dn] = '\0';
    return apr_pstrcat(p, scheme, "://", host, NULL);
}

int portal_origin_allowed(apr_pool_t *p, const char *origin, const char *sec_fetch_site,
                          const char *own_origin, const char *base_origin)
{
    if (sec_fetch_site && strcmp(sec_fetch_site, "same-origin") != 0
        && strcmp(sec_fetch_site, "none") != 0)
        return 0;
    if (!origin)
        return 1;   /* no claim made: the CSRF token decides */
    const char *sep = strstr(origin, "://");
    if (!sep || strpbrk(sep + 3, "/?#"))
        return 0;   /* "null", or more than an origin */
    const char *o = portal_origin_of(p, origin);
    if (!o)
        return 0;
    return (own_origin && strcmp(o, own_origin) == 0)
        || (base_origin && strcmp(o, base_origin) == 0);
}
