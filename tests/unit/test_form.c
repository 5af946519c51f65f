/* application/x-www-form-urlencoded parsing and URL encoding. */
#include "check.h"
#include "form.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

static apr_table_t *parse(const char *s, apr_status_t *rv, const char **why)
{
    apr_table_t *t = (apr_table_t *)1;
    *rv = portal_form_parse(pool, s, strlen(s), &t, why);
    return t;
}

static void test_basic(void)
{
    apr_status_t rv;
    const char *why = "unset";
    apr_table_t *t = parse("a=1&b=hello+world&c=%41%62%2B%26%3d", &rv, &why);

    CHECK_INT(rv, APR_SUCCESS);
    CHECK(why == NULL);
    CHECK_INT(apr_table_elts(t)->nelts, 3);
    CHECK_STR(apr_table_get(t, "a"), "1");
    CHECK_STR(apr_table_get(t, "b"), "hello world");
    CHECK_STR(apr_table_get(t, "c"), "Ab+&=");
}

static void test_shapes(void)
{
    apr_status_t rv;
    const char *why;
    apr_table_t *t = parse("&&flag&x=&=v&y=a=b&&", &rv, &why);

    CHECK_INT(rv, APR_SUCCESS);
    CHECK_INT(apr_table_elts(t)->nelts, 4);
    CHECK_STR(apr_table_get(t, "flag"), "");
    CHECK_STR(apr_table_get(t, "x"), "");
    CHECK_STR(apr_table_get(t, ""), "v");
    CHECK_STR(apr_table_get(t, "y"), "a=b");   /* split on the first '=' */

    t = parse("", &rv, &why);
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_INT(apr_table_elts(t)->nelts, 0);
    rv = portal_form_parse(pool, NULL, 0, &t, NULL);
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_INT(apr_table_elts(t)->nelts, 0);

    /* Keys keep their order and repeated keys keep every value. */
    t = parse("tag=a&tag=b&Tag=c", &rv, &why);
    CHECK_INT(apr_table_elts(t)->nelts, 3);
    const apr_table_entry_t *e = (const apr_table_entry_t *)apr_table_elts(t)->elts;
    CHECK_STR(e[0].val, "a");
    CHECK_STR(e[1].val, "b");
    CHECK_STR(e[2].key, "Tag");
    CHECK_STR(e[2].val, "c");

    /* len is honoured: nothing after it is read. */
    rv = portal_form_parse(pool, "a=1&b=2", 3, &t, &why);
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_INT(apr_table_elts(t)->nelts, 1);
    CHECK_STR(apr_table_get(t, "a"), "1");
    rv = portal_form_parse(pool, "a=%4", 4, &t, &why);
    CHECK_INT(rv, APR_EINVAL);
    CHECK_STR(why, "bad_encoding");

    /* UTF-8 in percent-encoding and raw. */
    t = parse("name=%C3%BC%E2%82%AC&raw=\xC3\xA7", &rv, &why);
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_STR(apr_table_get(t, "name"), "\xC3\xBC\xE2\x82\xAC");
    CHECK_STR(apr_table_get(t, "raw"), "\xC3\xA7");
    t = parse("text=a%0D%0Ab%09c", &rv, &why);
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_STR(apr_table_get(t, "text"), "a\r\nb\tc");
}

static void expect_fail(const char *in, const char *code)
{
    apr_status_t rv;
    const char *why = NULL;
    apr_table_t *t = parse(in, &rv, &why);
    if (!CHECK_INT(rv, APR_EINVAL))
        fprintf(stderr, "  input: %s\n", in);
    CHECK(t == NULL);
    if (!CHECK_STR(why, code))
        fprintf(stderr, "  input: %s\n", in);
}

static void test_errors(void)
{
    expect_fail("a=%", "bad_encoding");
    expect_fail("a=%4", "bad_encoding");
    expect_fail("a=%4g", "bad_encoding");
    expect_fail("a=%g4", "bad_encoding");
    expect_fail("%zz=1", "bad_encoding");
    expect_fail("a=1&b=100%", "bad_encoding");
    expect_fail("a=%00", "bad_utf8");            /* NUL */
    expect_fail("a=%C3", "bad_utf8");            /* truncated sequence */
    expect_fail("a=%C0%AF", "bad_utf8");         /* overlong '/' */
    expect_fail("a=%ED%A0%80", "bad_utf8");      /* surrogate */
    expect_fail("a=%1B", "bad_utf8");            /* ESC */
    expect_fail("%FF=1", "bad_utf8");            /* key too */
    expect_fail("k=\xFF", "bad_utf8");
    expect_fail("k=%7F", "bad_utf8");

    /* A raw NUL inside the counted bytes. */
    apr_table_t *t;
    const char *why;
    CHECK_INT(portal_form_parse(pool, "a=b\0c", 5, &t, &why), APR_EINVAL);
    CHECK_STR(why, "bad_utf8");
}

static void test_field_limit(void)
{
    apr_status_t rv;
    const char *why;
    char *big = apr_palloc(pool, 1002 * 4 + 1), *o = big;

    for (int i = 0; i < 1000; i++)
        o += sprintf(o, "f=%d&", i % 10);
    *o = '\0';
    apr_table_t *t = parse(big, &rv, &why);
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_INT(apr_table_elts(t)->nelts, 1000);
    strcpy(o, "&&&&");               /* empty pairs do not count */
    t = parse(big, &rv, &why);
    CHECK_INT(rv, APR_SUCCESS);
    strcpy(o, "x");
    expect_fail(big, "too_many_fields");
}

static void test_url_encode(void)
{
    CHECK_STR(portal_url_encode(pool, ""), "");
    CHECK_STR(portal_url_encode(pool, "AZaz09-._~"), "AZaz09-._~");
    CHECK_STR(portal_url_encode(pool, "a b&c=d/e?f#g+h%"),
              "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
    CHECK_STR(portal_url_encode(pool, "\xC3\xBC\"<'>\n"), "%C3%BC%22%3C%27%3E%0A");

    /* Round trip through the parser. */
    const char *v = "x y+z&%=\xE2\x82\xAC";
    const char *q = apr_pstrcat(pool, portal_url_encode(pool, "k&="), "=",
                                portal_url_encode(pool, v), NULL);
    apr_status_t rv;
    const char *why;
    apr_table_t *t = parse(q, &rv, &why);
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_STR(apr_table_get(t, "k&="), v);
}

static void test_form_encode(void)
{
    apr_table_t *t = apr_table_make(pool, 4);
    CHECK_STR(portal_form_encode(pool, t, "lang"), "");
    apr_table_add(t, "q", "a b&c");
    apr_table_add(t, "lang", "tr");
    apr_table_add(t, "LANG", "az");
    apr_table_add(t, "q", "\xC3\xBC=");
    apr_table_add(t, "k&=", "");
    CHECK_STR(portal_form_encode(pool, t, "lang"), "q=a%20b%26c&q=%C3%BC%3D&k%26%3D=&");
    CHECK_STR(portal_form_encode(pool, t, NULL),
              "q=a%20b%26c&lang=tr&LANG=az&q=%C3%BC%3D&k%26%3D=&");

    /* A full query of short pairs comes back whole, in order. */
    apr_table_t *many = apr_table_make(pool, PORTAL_FORM_MAX_FIELDS);
    for (int i = 0; i < PORTAL_FORM_MAX_FIELDS; i++)
        apr_table_add(many, apr_psprintf(pool, "k%d", i), "v");
    const char *all = portal_form_encode(pool, many, "lang");
    CHECK(strncmp(all, "k0=v&k1=v&", 10) == 0);
    CHECK(strstr(all, "&k999=v&") != NULL);
    CHECK_INT(strlen(all), 10 * 5 + 90 * 6 + 900 * 7);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_basic();
    test_shapes();
    test_errors();
    test_field_limit();
    test_url_encode();
    test_form_encode();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("form");
}
