/* Where a form post comes from: the rule applied before its body is read. */
#include <apr_general.h>
#include "check.h"
#include "origin.h"

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);

    CHECK_STR(portal_origin_of(p, "https://Portal.Example.com/"), "https://portal.example.com");
    CHECK_STR(portal_origin_of(p, "https://portal.example.com:443"), "https://portal.example.com");
    CHECK_STR(portal_origin_of(p, "http://127.0.0.1:8080/x?y"), "http://127.0.0.1:8080");
    CHECK_STR(portal_origin_of(p, "http://host:80"), "http://host");
    CHECK_STR(portal_origin_of(p, "ftp://host"), NULL);
    CHECK_STR(portal_origin_of(p, "https://"), NULL);
    CHECK_STR(portal_origin_of(p, "https://user@evil.example"), NULL);
    CHECK_STR(portal_origin_of(p, NULL), NULL);

    const char *own = "http://127.0.0.1:8080", *base = "https://portal.example.com";
#define ALLOWED(origin, site) portal_origin_allowed(p, origin, site, own, base)
    CHECK(ALLOWED(NULL, NULL));                                   /* an old browser */
    CHECK(ALLOWED("http://127.0.0.1:8080", NULL));
    CHECK(ALLOWED("https://portal.example.com", "same-origin"));
    CHECK(ALLOWED("https://PORTAL.example.com:443", NULL));
    CHECK(ALLOWED(NULL, "none"));                                 /* typed or bookmarked */
    CHECK(!ALLOWED(NULL, "cross-site"));
    CHECK(!ALLOWED(NULL, "same-site"));                           /* a sibling subdomain */
    CHECK(!ALLOWED("https://portal.example.com", "cross-site"));
    /* Prefixes and look-alikes of an allowed origin are other origins. */
    CHECK(!ALLOWED("http://127.0.0.1", NULL));
    CHECK(!ALLOWED("http://127.0.0.1:80", NULL));
    CHECK(!ALLOWED("http://127.0", NULL));
    CHECK(!ALLOWED("https://portal.example.co", NULL));
    CHECK(!ALLOWED("https://portal.example.com.evil.example", NULL));
    CHECK(!ALLOWED("http://portal.example.com", NULL));           /* scheme differs */
    CHECK(!ALLOWED("https://shop.portal.example.com", NULL));
    CHECK(!ALLOWED("null", NULL));
    CHECK(!ALLOWED("https://portal.example.com/path", NULL));
    CHECK(!portal_origin_allowed(p, "https://portal.example.com", NULL, own, NULL));

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("origin");
}
