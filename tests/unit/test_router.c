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
static const portal_route_table table = { routes, sizeof(routes) / sizeof(routes[0]) };

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
    portal_route_table empty = { NULL, 0 };
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

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("router");
}
