/* The rules of the profile, company and team pages: who may give which
 * role, the last owner, the profile's and the company's fields, the VÖEN. */
#include <apr_general.h>
#include <apr_strings.h>
#include "check.h"
#include "team_rules.h"

static apr_pool_t *pool;

static void test_invite(void)
{
    CHECK(portal_team_invite_problem("owner", "owner") == NULL);
    CHECK(portal_team_invite_problem("owner", "viewer") == NULL);
    CHECK(portal_team_invite_problem("admin", "admin") == NULL);
    CHECK(portal_team_invite_problem("admin", "member") == NULL);
    CHECK_STR(portal_team_invite_problem("admin", "owner"), "team.errors.owner_only");
    CHECK_STR(portal_team_invite_problem("member", "viewer"), "team.errors.owner_only");
    CHECK_STR(portal_team_invite_problem("viewer", "viewer"), "team.errors.owner_only");
    CHECK_STR(portal_team_invite_problem("owner", "boss"), "team.errors.role");
    CHECK_STR(portal_team_invite_problem("owner", NULL), "team.errors.role");
}

static void test_changes(void)
{
    /* The last owner can be neither demoted nor removed, by anyone. */
    CHECK_STR(portal_team_change_problem("owner", "owner", "admin", 1, 1),
              "team.errors.last_owner");
    CHECK_STR(portal_team_change_problem("owner", "owner", NULL, 1, 0),
              "team.errors.last_owner");
    CHECK(portal_team_change_problem("owner", "owner", "admin", 2, 1) == NULL);
    CHECK(portal_team_change_problem("owner", "owner", NULL, 2, 0) == NULL);
    CHECK(portal_team_change_problem("owner", "member", "owner", 1, 0) == NULL);
    /* Admins never touch owners nor make one. */
    CHECK_STR(portal_team_change_problem("admin", "owner", "member", 3, 0),
              "team.errors.owner_only");
    CHECK_STR(portal_team_change_problem("admin", "member", "owner", 1, 0),
              "team.errors.owner_only");
    CHECK_STR(portal_team_change_problem("admin", "owner", NULL, 3, 0),
              "team.errors.owner_only");
    CHECK(portal_team_change_problem("admin", "member", "admin", 1, 0) == NULL);
    CHECK(portal_team_change_problem("admin", "admin", NULL, 1, 0) == NULL);
    CHECK(portal_team_change_problem("admin", "admin", "viewer", 1, 1) == NULL);
    CHECK_STR(portal_team_change_problem("member", "viewer", "member", 1, 0),
              "team.errors.owner_only");
    CHECK_STR(portal_team_change_problem("owner", "member", NULL, 1, 1),
              "team.errors.self_remove");
    CHECK_STR(portal_team_change_problem("owner", "member", "member", 1, 0),
              "team.errors.same_role");
    CHECK_STR(portal_team_change_problem("owner", "member", "chief", 1, 0), "team.errors.role");
}

static void test_profile(void)
{
    portal_profile_input in = { "  Aysel Məmmədova ", " +994 50 555 01 01", "az",
                                "Asia/Baku" };
    apr_table_t *e = apr_table_make(pool, 4);
    CHECK_INT(portal_profile_validate(pool, &in, e), 0);
    CHECK_STR(in.name, "Aysel Məmmədova");
    CHECK_STR(in.phone, "+994 50 555 01 01");
    portal_profile_input bad = { "", "call me", "de", "../etc/passwd" };
    e = apr_table_make(pool, 4);
    CHECK_INT(portal_profile_validate(pool, &bad, e), 4);
    CHECK_STR(apr_table_get(e, "name"), "profile.errors.name");
    CHECK_STR(apr_table_get(e, "phone"), "profile.errors.phone");
    CHECK_STR(apr_table_get(e, "locale"), "profile.errors.locale");
    CHECK_STR(apr_table_get(e, "time_zone"), "profile.errors.time_zone");
    portal_profile_input ctl = { "Line\none", "", "EN", "UTC" };
    e = apr_table_make(pool, 4);
    CHECK_INT(portal_profile_validate(pool, &ctl, e), 2);
    CHECK(apr_table_get(e, "name") && apr_table_get(e, "locale"));
}

static void test_company(void)
{
    CHECK(portal_tax_id_valid("AZ", "1402567891"));
    CHECK(portal_tax_id_valid("AZ", "1402567892"));
    CHECK(portal_tax_id_valid("AZ", ""));
    CHECK(!portal_tax_id_valid("AZ", "1402567893"));
    CHECK(!portal_tax_id_valid("AZ", "140256789"));
    CHECK(!portal_tax_id_valid("AZ", "14025678911"));
    CHECK(!portal_tax_id_valid("AZ", "14O2567891"));
    CHECK(portal_tax_id_valid("DE", "DE-123456789"));
    CHECK(!portal_tax_id_valid("DE", "DE 123"));
    portal_company_input in = { " Xəzər MMC ", "1402567891", "AZ", "Bakı", "" };
    apr_table_t *e = apr_table_make(pool, 4);
    CHECK_INT(portal_company_validate(pool, &in, e), 0);
    CHECK_STR(in.name, "Xəzər MMC");
    portal_company_input bad = { "", "12345", "AZ", "", "x" };
    e = apr_table_make(pool, 4);
    CHECK_INT(portal_company_validate(pool, &bad, e), 3);
    CHECK_STR(apr_table_get(e, "tax_id"), "company.errors.voen");
    portal_company_input nowhere = { "A", "", "XX", "", "" };
    e = apr_table_make(pool, 4);
    CHECK_INT(portal_company_validate(pool, &nowhere, e), 1);
    CHECK_STR(apr_table_get(e, "country"), "company.errors.country");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_invite();
    test_changes();
    test_profile();
    test_company();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("team");
}
