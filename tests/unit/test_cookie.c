/* Cookie header parsing and Set-Cookie formatting. */
#include "check.h"
#include "cookie.h"

#include <apr_general.h>

static apr_pool_t *pool;

static int count(apr_table_t *t)
{
    return apr_table_elts(t)->nelts;
}

static void test_parse(void)
{
    apr_table_t *t = portal_cookie_parse(pool, "sid=abc123; lang=tr");
    CHECK_INT(count(t), 2);
    CHECK_STR(apr_table_get(t, "sid"), "abc123");
    CHECK_STR(apr_table_get(t, "lang"), "tr");

    t = portal_cookie_parse(pool, "a=1;b=2;;  ; c = 3 ;d=\"q v\";e=\"quoted\";f=");
    CHECK_STR(apr_table_get(t, "a"), "1");
    CHECK_STR(apr_table_get(t, "b"), "2");
    CHECK_STR(apr_table_get(t, "c"), "3");
    CHECK(apr_table_get(t, "d") == NULL);     /* space inside is not an octet */
    CHECK_STR(apr_table_get(t, "e"), "quoted");
    CHECK_STR(apr_table_get(t, "f"), "");
    CHECK_INT(count(t), 5);

    t = portal_cookie_parse(pool, "x=\"\"; y=\"; z=a\"");
    CHECK_STR(apr_table_get(t, "x"), "");     /* "" strips to empty */
    CHECK(apr_table_get(t, "y") == NULL);      /* a lone quote */
    CHECK(apr_table_get(t, "z") == NULL);
    CHECK_INT(count(t), 1);

    /* First occurrence wins (also across case: apr tables ignore it). */
    t = portal_cookie_parse(pool, "sid=first; sid=second; SID=third");
    CHECK_INT(count(t), 1);
    CHECK_STR(apr_table_get(t, "sid"), "first");

    /* A value may hold '=' (base64 padding); the name ends at the first. */
    t = portal_cookie_parse(pool, "tok=YWJj==; k==v");
    CHECK_STR(apr_table_get(t, "tok"), "YWJj==");
    CHECK_STR(apr_table_get(t, "k"), "=v");
}

static void test_parse_skips(void)
{
    apr_table_t *t = portal_cookie_parse(pool,
        "=novalue; noeq; bad name=1; b@d=1; ok=1; v=a,b; w=a\\b; "
        "u=\xC3\xBC; ctl=a\x01z; good2=x");
    CHECK_INT(count(t), 2);
    CHECK_STR(apr_table_get(t, "ok"), "1");
    CHECK_STR(apr_table_get(t, "good2"), "x");

    CHECK_INT(count(portal_cookie_parse(pool, NULL)), 0);
    CHECK_INT(count(portal_cookie_parse(pool, "")), 0);
    CHECK_INT(count(portal_cookie_parse(pool, ";;; ;")), 0);
    CHECK_INT(count(portal_cookie_parse(pool, "   ")), 0);
    /* A pair skipped for bad bytes does not hide a later good one. */
    t = portal_cookie_parse(pool, "sid=\x7f; sid=ok");
    CHECK_STR(apr_table_get(t, "sid"), "ok");
    /* Tabs are white space too. */
    t = portal_cookie_parse(pool, "\ta\t=\t1\t;\tb=2");
    CHECK_STR(apr_table_get(t, "a"), "1");
    CHECK_STR(apr_table_get(t, "b"), "2");
}

static void test_format(void)
{
    portal_cookie_opts o = { "/account", 3600, 1, 1, "Lax" };
    CHECK_STR(portal_cookie_format(pool, "sid", "abc", &o),
              "sid=abc; Path=/account; Max-Age=3600; HttpOnly; Secure; SameSite=Lax");

    portal_cookie_opts del = { "/", 0, 1, 0, "Strict" };
    CHECK_STR(portal_cookie_format(pool, "sid", "", &del),
              "sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; "
              "HttpOnly; SameSite=Strict");

    portal_cookie_opts session = { NULL, -1, 0, 0, NULL };
    CHECK_STR(portal_cookie_format(pool, "lang", "az", &session), "lang=az");
    CHECK_STR(portal_cookie_format(pool, "lang", "az", NULL), "lang=az");

    portal_cookie_opts none = { "/", -5, 1, 1, "None" };
    CHECK_STR(portal_cookie_format(pool, "x", "1", &none),
              "x=1; Path=/; HttpOnly; Secure; SameSite=None");
}

static void test_format_refuses(void)
{
    portal_cookie_opts o = { "/", -1, 1, 0, "Lax" };
    CHECK(portal_cookie_format(pool, "", "v", &o) == NULL);
    CHECK(portal_cookie_format(pool, NULL, "v", &o) == NULL);
    CHECK(portal_cookie_format(pool, "a b", "v", &o) == NULL);
    CHECK(portal_cookie_format(pool, "a=b", "v", &o) == NULL);
    CHECK(portal_cookie_format(pool, "a;", "v", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n\xC3\xBC", "v", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", NULL, &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", "a b", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", "a;b", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", "a,b", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", "\"q\"", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", "a\\b", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", "\xC3\xBC", &o) == NULL);
    CHECK(portal_cookie_format(pool, "n", "a\r\nSet-Cookie: x=y", &o) == NULL);

    portal_cookie_opts badpath = { "/a;Domain=evil", -1, 0, 0, NULL };
    CHECK(portal_cookie_format(pool, "n", "v", &badpath) == NULL);
    portal_cookie_opts crlfpath = { "/a\r\nX: y", -1, 0, 0, NULL };
    CHECK(portal_cookie_format(pool, "n", "v", &crlfpath) == NULL);
    portal_cookie_opts utfpath = { "/\xC3\xBC", -1, 0, 0, NULL };
    CHECK(portal_cookie_format(pool, "n", "v", &utfpath) == NULL);
    portal_cookie_opts badss = { "/", -1, 0, 1, "lax" };
    CHECK(portal_cookie_format(pool, "n", "v", &badss) == NULL);
    portal_cookie_opts insecure_none = { "/", -1, 0, 0, "None" };
    CHECK(portal_cookie_format(pool, "n", "v", &insecure_none) == NULL);

    /* What format accepts, parse reads back. */
    const char *v = "Zm9v-YmFy_+/=.:!#$%&'()*<>?@[]^`{|}~";
    const char *sc = portal_cookie_format(pool, "__Host-sid", v, &o);
    CHECK(sc != NULL);
    apr_table_t *t = portal_cookie_parse(pool, sc);
    CHECK_STR(apr_table_get(t, "__Host-sid"), v);
}

static void test_exact_names(void)
{
    apr_table_t *t = portal_cookie_parse(pool, "portal_session=good; other=1");
    CHECK_STR(portal_cookie_get(t, "portal_session"), "good");
    CHECK(portal_cookie_get(t, "Portal_Session") == NULL);
    /* A lookalike first hides the real one: signed out, never someone else. */
    t = portal_cookie_parse(pool, "Portal_session=planted; portal_session=good");
    CHECK(portal_cookie_get(t, "portal_session") == NULL);
    CHECK_STR(portal_cookie_get(t, "Portal_session"), "planted");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_parse();
    test_parse_skips();
    test_format();
    test_format_refuses();
    test_exact_names();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("cookie");
}
