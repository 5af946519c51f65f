/* The router: matches, captures, 404, 405 with Allow, OPTIONS, slashes, mounts. */
#include <apr_general.h>
#include "check.h"
#include "router.h"

static int page(struct portal_req *pr) { (void)pr; return 0; }
static int other(struct portal_req *pr) { (void)pr; return 1; }

static const portal_route routes[] = {
    { "GET",    "/",                  "public", page },
    { "GET",    "/pricing",           "public", page },
    { "POST",   "/contact",           "public", other },
    { "GET",    "/contact",           "public", page },
    { "GET",    "/devices/{id}",      "devices.read", page },
    { "DELETE", "/devices/{id}",      "devices.manage", other },
    { "GET",    "/t/{team}/u/{user}", "team.read", page },
    { "GET",    "/docs/",             "public", page },
};
static const portal_route_table table = PORTAL_ROUTES(routes, "member");

static const portal_route defaulted[] = {
    { "GET",  "/open",   "public", page },
    { "GET",  "/closed", NULL,     page },
    { "POST", "/closed", "team.manage", other },
};
static const portal_route_table defaulted_table = PORTAL_ROUTES(defaulted, "admin");

static void collect(void *baton, const char *text)
{
    char *all = baton;
    strcat(all, text);
    strcat(all, "\n");
}

static void test_permissions(apr_pool_t *p)
{
    /* A route that names no permission gets its table's default. */
    CHECK_STR(portal_route_perm(&defaulted_table, &defaulted[0]), "public");
    CHECK_STR(portal_route_perm(&defaulted_table, &defaulted[1]), "admin");
    CHECK_STR(portal_route_perm(&defaulted_table, &defaulted[2]), "team.manage");
    static char all[512];
    portal_route_dump(&defaulted_table, "admin", collect, all, p);
    CHECK_STR(all, "admin DEFAULT * admin\nadmin GET /open public\nadmin GET /closed admin\n"
                   "admin POST /closed team.manage\n");
}

static void test_next_path(void)
{
    CHECK_STR(portal_next_path("/account/team?x=1", ""), "/account/team?x=1");
    CHECK_STR(portal_next_path("/portal/account/", "/portal"), "/portal/account/");
    CHECK_STR(portal_next_path("/portal", "/portal"), "/portal");
    CHECK(portal_next_path("//evil.example/x", "") == NULL);
    CHECK(portal_next_path("/\\evil.example", "") == NULL);
    CHECK(portal_next_path("https://evil.example/", "") == NULL);
    CHECK(portal_next_path("/a\\b", "") == NULL);
    CHECK(portal_next_path("/a\r\nLocation: x", "") == NULL);
    CHECK(portal_next_path("/portalx/account", "/portal") == NULL);
    CHECK(portal_next_path("/a b", "") == NULL);
    CHECK(portal_next_path("/caf\xC3\xA9", "") == NULL);
    CHECK_STR(portal_next_path("/caf%C3%A9?q=%20", ""), "/caf%C3%A9?q=%20");
    CHECK(portal_next_path("/other", "/portal") == NULL);
    CHECK(portal_next_path("", "") == NULL && portal_next_path(NULL, "") == NULL);
}

static void test_path_escape(apr_pool_t *p)
{
    CHECK_STR(portal_path_escape(p, "/pricing"), "/pricing");
    CHECK_STR(portal_path_escape(p, "/a b/c?d#e%f"), "/a%20b/c%3Fd%23e%25f");
    CHECK_STR(portal_path_escape(p, "/caf\xC3\xA9/\r\n\"<>\\"),
              "/caf%C3%A9/%0D%0A%22%3C%3E%5C");
    CHECK_STR(portal_path_escape(p, "/keep-._~!$&'()*+,;=:@"), "/keep-._~!$&'()*+,;=:@");
}

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    portal_match m;

    portal_route_match(&table, "GET", "/pricing", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_FOUND);
    CHECK(m.route == &routes[1]);

    portal_route_match(&table, "HEAD", "/pricing", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_FOUND);

    portal_route_match(&table, "POST", "/contact", p, &m);
    CHECK(m.kind == PORTAL_MATCH_FOUND && m.route == &routes[2]);

    portal_route_match(&table, "GET", "/devices/42", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_FOUND);
    CHECK_STR(apr_table_get(m.params, "id"), "42");

    portal_route_match(&table, "GET", "/t/acme/u/7", p, &m);
    CHECK_STR(apr_table_get(m.params, "team"), "acme");
    CHECK_STR(apr_table_get(m.params, "user"), "7");

    /* A capture never matches an empty segment or crosses a slash. */
    portal_route_match(&table, "GET", "/devices/", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_NOT_FOUND);
    portal_route_match(&table, "GET", "/devices/4/2", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_NOT_FOUND);

    portal_route_match(&table, "GET", "/nothing-here", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_NOT_FOUND);

    portal_route_match(&table, "PUT", "/contact", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD, POST, OPTIONS");

    portal_route_match(&table, "POST", "/devices/9", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD, DELETE, OPTIONS");

    portal_route_match(&table, "OPTIONS", "/pricing", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_OPTIONS);
    CHECK_STR(m.allow, "GET, HEAD, OPTIONS");

    /* The other trailing-slash form of an existing path redirects. */
    portal_route_match(&table, "GET", "/pricing/", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_REDIRECT);
    CHECK_STR(m.redirect_path, "/pricing");
    portal_route_match(&table, "GET", "/docs", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_REDIRECT);
    CHECK_STR(m.redirect_path, "/docs/");
    portal_route_match(&table, "POST", "/pricing/", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_NOT_FOUND);

    /* An empty table (an area not yet built) finds nothing. */
    portal_route_table empty = { NULL, 0, "none" };
    portal_route_match(&empty, "GET", "/", p, &m);
    CHECK_INT(m.kind, PORTAL_MATCH_NOT_FOUND);

    /* Which <Location> paths cover a request, by Apache's rule. */
    CHECK(portal_location_covers("/", "/anything"));
    CHECK(portal_location_covers("/admin", "/admin"));
    CHECK(portal_location_covers("/admin", "/admin/x"));
    CHECK(!portal_location_covers("/admin", "/administrator"));
    CHECK(portal_location_covers("/admin/", "/admin/x"));
    CHECK(!portal_location_covers("/admin/", "/admin"));
    CHECK_STR(portal_mount_of_location(p, "/"), "");
    CHECK_STR(portal_mount_of_location(p, "/api/license/"), "/api/license");

    /* Paths relative to the mount. */
    CHECK_STR(portal_route_relative(p, "/account", "/account"), "/");
    CHECK_STR(portal_route_relative(p, "/account", "/account/"), "/");
    CHECK_STR(portal_route_relative(p, "/account/", "/account/devices/3"), "/devices/3");
    CHECK_STR(portal_route_relative(p, "/account", "/accounting"), "/accounting");
    CHECK_STR(portal_route_relative(p, "", "/pricing"), "/pricing");
    CHECK_STR(portal_route_relative(p, "/", "/pricing"), "/pricing");
    CHECK_STR(portal_route_relative(p, "/api/license", "/api/license/v1/ping"), "/v1/ping");

    test_permissions(p);
    test_path_escape(p);
    test_next_path();

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("router");
}
