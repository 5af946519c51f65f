/* The permission matrix (conf/roles.json) and the route check apache2 -t runs. */
#include <apr_general.h>
#include <apr_strings.h>
#include "check.h"
#include "roles.h"

static int page(struct portal_req *pr) { (void)pr; return 0; }

static const char *parse_error(apr_pool_t *p, const char *json)
{
    portal_roles *r = NULL;
    const char *err = NULL;
    if (portal_roles_parse(p, json, strlen(json), &r, &err) == APR_SUCCESS)
        return "parsed";
    return err;
}

static void test_builtin_matrix(apr_pool_t *p)
{
    const char *err = NULL;
    const portal_roles *r = portal_roles_builtin(p, &err);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK(portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "owner", "team.manage"));
    CHECK(portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "admin", "billing.manage"));
    CHECK(!portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "member", "team.manage"));
    CHECK(portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "member", "support.write"));
    CHECK(!portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "viewer", "support.write"));
    CHECK(!portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "viewer", "downloads.read"));
    CHECK(portal_roles_grants(r, PORTAL_ADMIN_ROLE, "super", "admin.admins.manage"));
    CHECK(!portal_roles_grants(r, PORTAL_ADMIN_ROLE, "support", "admin.billing.manage"));
    CHECK(portal_roles_grants(r, PORTAL_ADMIN_ROLE, "finance", "admin.billing.manage"));
    /* A customer role is not an admin role, even with the same name. */
    CHECK(!portal_roles_grants(r, PORTAL_ADMIN_ROLE, "owner", "team.manage"));
    CHECK(!portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "admin", "admin.audit.read"));
    CHECK(!portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "nobody", "team.read"));
    CHECK(portal_roles_has_role(r, PORTAL_CUSTOMER_ROLE, "viewer"));
    CHECK(!portal_roles_has_role(r, PORTAL_ADMIN_ROLE, "viewer"));
    CHECK(portal_roles_known(r, "public") && portal_roles_known(r, "none"));
    CHECK(portal_roles_known(r, "devices.manage"));
    CHECK(!portal_roles_known(r, "devices.destroy"));
    /* Builtins are decided by the router, never granted by a role. */
    CHECK(!portal_roles_grants(r, PORTAL_CUSTOMER_ROLE, "owner", "member"));
}

static void test_malformed_matrices(apr_pool_t *p)
{
    CHECK(strstr(parse_error(p, "[1]"), "not one JSON object") != NULL);
    CHECK(strstr(parse_error(p, "{\"permissions\":{\"a.b\":\"x\"},\"customer_roles\":"
                 "{\"owner\":[\"a.c\"]},\"admin_roles\":{\"super\":[]}}"),
                 "grants \"a.c\", which \"permissions\" does not define") != NULL);
    CHECK(strstr(parse_error(p, "{\"permissions\":{\"admin.x\":\"x\"},\"customer_roles\":"
                 "{\"owner\":[\"admin.x\"]},\"admin_roles\":{\"super\":[]}}"),
                 "belong to admin roles only") != NULL);
    CHECK(strstr(parse_error(p, "{\"permissions\":{\"public\":\"x\"}}"),
                 "permission \"public\"") != NULL);
    CHECK(strstr(parse_error(p, "{\"permissions\":{},\"customer_roles\":{}}"),
                 "\"customer_roles\" must be an object of roles") != NULL);
    CHECK_STR(parse_error(p, "{\"permissions\":{\"a.b\":\"x\",\"admin.y\":\"y\"},"
                          "\"customer_roles\":{\"owner\":[\"a.b\"]},"
                          "\"admin_roles\":{\"super\":[\"admin.y\"]}}"), "parsed");
}

static const char *check_table(apr_pool_t *p, const portal_route *rows, apr_size_t n,
                               const char *def, int admin_area)
{
    const char *err = NULL;
    const portal_roles *r = portal_roles_builtin(p, &err);
    portal_route_table t = { rows, n, def };
    if (portal_roles_check_routes(r, &t, admin_area ? "admin" : "cabinet", admin_area, p,
                                  &err) == APR_SUCCESS)
        return "ok";
    return err;
}

static void test_route_check(apr_pool_t *p)
{
    static const portal_route good[] = {
        { "GET", "/", "public", page }, { "GET", "/account/", NULL, page },
        { "POST", "/account/team", "team.manage", page },
    };
    CHECK_STR(check_table(p, good, 3, "member", 0), "ok");
    static const portal_route typo[] = { { "GET", "/team", "team.mange", page } };
    CHECK_STR(check_table(p, typo, 1, "member", 0),
              "route cabinet GET /team needs permission 'team.mange', which conf/roles.json "
              "does not define");
    static const portal_route admin_in_cabinet[] = {
        { "GET", "/x", "admin.audit.read", page } };
    CHECK(strstr(check_table(p, admin_in_cabinet, 1, "member", 0),
                 "a permission of admin sessions") != NULL);
    static const portal_route customer_in_admin[] = { { "GET", "/x", "billing.read", page } };
    CHECK(strstr(check_table(p, customer_in_admin, 1, "admin", 1),
                 "a permission of customer sessions") != NULL);
    CHECK(strstr(check_table(p, NULL, 0, "membr", 0), "the default permission of area") != NULL);
    CHECK_STR(check_table(p, NULL, 0, "admin", 1), "ok");
}

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    test_builtin_matrix(p);
    test_malformed_matrices(p);
    test_route_check(p);
    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("roles");
}
