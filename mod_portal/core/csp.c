#include "csp.h"

#include <apr_strings.h>

const char *portal_csp_html(apr_pool_t *p, const char *asset_origin)
{
    const char *a = asset_origin ? apr_pstrcat(p, " ", asset_origin, NULL) : "";
    return apr_pstrcat(p,
        "default-src 'self'; script-src 'self'", a, "; style-src 'self'", a,
        "; img-src 'self'", a, " data:; font-src 'self'", a,
        "; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'", NULL);
}
