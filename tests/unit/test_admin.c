/* The admin area's rules: reasons, pages, time filters, admin changes. */
#include <apr_general.h>
#include <apr_strings.h>
#include "check.h"
#include "admin_rules.h"

static apr_pool_t *pool;

static void test_reason(void)
{
    const char *why;
    CHECK_STR(portal_admin_reason(pool, "  ticket #4411: owner asked \n", &why),
              "ticket #4411: owner asked");
    CHECK(why == NULL);
    CHECK(portal_admin_reason(pool, " \t\r\n", &why) == NULL);
    CHECK_STR(why, "missing");
    CHECK(portal_admin_reason(pool, NULL, &why) == NULL);
    CHECK_STR(why, "missing");
    char *long_text = apr_pcalloc(pool, 2 * 501 + 1);
    for (int i = 0; i < 501; i++)
        memcpy(long_text + 2 * i, "ə", 2);   /* 501 characters, 1002 bytes */
    CHECK(portal_admin_reason(pool, long_text, &why) == NULL);
    CHECK_STR(why, "too_long");
    long_text[1000] = '\0';                  /* 500 characters */
    CHECK(portal_admin_reason(pool, long_text, &why) != NULL);
}

static void test_page(void)
{
    CHECK_INT(portal_admin_page(NULL), 1);
    CHECK_INT(portal_admin_page(""), 1);
    CHECK_INT(portal_admin_page("3"), 3);
    CHECK_INT(portal_admin_page("0"), 1);
    CHECK_INT(portal_admin_page("-2"), 1);
    CHECK_INT(portal_admin_page("2x"), 1);
    CHECK_INT(portal_admin_page("10000"), 10000);
    CHECK_INT(portal_admin_page("10001"), 1);
    CHECK_INT(portal_admin_page("99999999999"), 1);
}

static void test_time(void)
{
    CHECK_STR(portal_admin_time_filter(pool, NULL), "");
    CHECK_STR(portal_admin_time_filter(pool, ""), "");
    CHECK_STR(portal_admin_time_filter(pool, "2026-12-01"), "2026-12-01 00:00+00");
    CHECK_STR(portal_admin_time_filter(pool, "2026-12-01T23:05"), "2026-12-01 23:05+00");
    CHECK(portal_admin_time_filter(pool, "2026-13-01") == NULL);
    CHECK(portal_admin_time_filter(pool, "2026-12-01T24:00") == NULL);
    CHECK(portal_admin_time_filter(pool, "2026-12-01 23:05") == NULL);
    CHECK(portal_admin_time_filter(pool, "yesterday") == NULL);
    CHECK(portal_admin_time_filter(pool, "2026-12-01'; --") == NULL);
}

static void test_changes(void)
{
    /* Another admin: anything goes while a super remains. */
    CHECK(portal_admin_change_problem("a", "b", "support", "active", "super", "active", 1) == NULL);
    CHECK(portal_admin_change_problem("a", "b", "super", "active", "super", "disabled", 1) == NULL);
    CHECK(portal_admin_change_problem("a", "b", "support", "active", "support", "disabled", 0) == NULL);
    /* The last super cannot be disabled or demoted. */
    CHECK_STR(portal_admin_change_problem("a", "b", "super", "active", "super", "disabled", 0),
              "last_super");
    CHECK_STR(portal_admin_change_problem("a", "b", "super", "active", "finance", "active", 0),
              "last_super");
    /* Nobody disables or demotes themself. */
    CHECK_STR(portal_admin_change_problem("a", "a", "super", "active", "super", "disabled", 3),
              "self");
    CHECK_STR(portal_admin_change_problem("a", "a", "super", "active", "support", "active", 3),
              "self");
    CHECK(portal_admin_change_problem("a", "a", "super", "active", "super", "active", 0) == NULL);
    /* Re-enabling a disabled super needs no other super. */
    CHECK(portal_admin_change_problem("a", "b", "super", "disabled", "super", "active", 0) == NULL);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_reason();
    test_page();
    test_time();
    test_changes();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("admin");
}
