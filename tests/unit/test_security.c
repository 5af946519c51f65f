/* The rules of the account's security page and the sign-in's second step. */
#include <apr_general.h>
#include <apr_strings.h>
#include "check.h"
#include "security_rules.h"

static apr_pool_t *pool;

static void test_groups(void)
{
    CHECK_STR(portal_secret_groups(pool, "JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
    CHECK_STR(portal_secret_groups(pool, "JBSWY3DPEHPK3PXPAB"), "JBSW Y3DP EHPK 3PXP AB");
    CHECK_STR(portal_secret_groups(pool, "ABC"), "ABC");
    CHECK_STR(portal_secret_groups(pool, NULL), "");
}

static void test_factor(void)
{
    const char *out;
    CHECK_INT(portal_factor_parse(pool, " 123 456 ", &out), PORTAL_FACTOR_TOTP);
    CHECK_STR(out, "123456");
    CHECK_INT(portal_factor_parse(pool, "k7m2-x9qp-4hdt", &out), PORTAL_FACTOR_RECOVERY);
    CHECK_STR(out, "k7m2-x9qp-4hdt");
    CHECK_INT(portal_factor_parse(pool, "K7M2 X9QP 4HDT", &out), PORTAL_FACTOR_RECOVERY);
    CHECK_STR(out, "k7m2-x9qp-4hdt");
    CHECK_INT(portal_factor_parse(pool, "k7m2x9qp4hdt", &out), PORTAL_FACTOR_RECOVERY);
    CHECK_STR(out, "k7m2-x9qp-4hdt");
    /* 0, 1, i, l and o are not in the alphabet; 11 or 13 characters are no code */
    CHECK_INT(portal_factor_parse(pool, "k7m2-x9qp-4hd0", &out), PORTAL_FACTOR_NONE);
    CHECK(out == NULL);
    CHECK_INT(portal_factor_parse(pool, "k7m2-x9qp-4hd", &out), PORTAL_FACTOR_NONE);
    CHECK_INT(portal_factor_parse(pool, "k7m2-x9qp-4hdtt", &out), PORTAL_FACTOR_NONE);
    CHECK_INT(portal_factor_parse(pool, "12345", &out), PORTAL_FACTOR_NONE);
    CHECK_INT(portal_factor_parse(pool, "", &out), PORTAL_FACTOR_NONE);
    CHECK_INT(portal_factor_parse(pool, NULL, &out), PORTAL_FACTOR_NONE);
    CHECK_INT(portal_factor_parse(pool, "k7m2-x9qp-4hdç", &out), PORTAL_FACTOR_NONE);
}

static void test_password_change(void)
{
    const char *ctx[] = { "leyla@xezer.example", "leyla", NULL };
    const char *old = "quiet-river-stone-41", *fresh = "amber-copper-lantern-77";
    CHECK(portal_password_change_problem(pool, old, fresh, fresh, ctx) == NULL);
    CHECK_STR(portal_password_change_problem(pool, "", fresh, fresh, ctx),
              "account_security.errors.current_missing");
    CHECK_STR(portal_password_change_problem(pool, NULL, fresh, fresh, ctx),
              "account_security.errors.current_missing");
    CHECK_STR(portal_password_change_problem(pool, old, "short", "short", ctx),
              "signup.errors.password_too_short");
    CHECK_STR(portal_password_change_problem(pool, old, "password1234", "password1234", ctx),
              "signup.errors.password_too_common");
    CHECK_STR(portal_password_change_problem(pool, old, "leyla@xezer.example",
                                             "leyla@xezer.example", ctx),
              "signup.errors.password_too_personal");
    CHECK_STR(portal_password_change_problem(pool, old, fresh, "amber-copper-lantern-78", ctx),
              "account_security.errors.confirm");
    CHECK_STR(portal_password_change_problem(pool, old, fresh, NULL, ctx),
              "account_security.errors.confirm");
    CHECK_STR(portal_password_change_problem(pool, old, old, old, ctx),
              "account_security.errors.same");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_groups();
    test_factor();
    test_password_change();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("security");
}
