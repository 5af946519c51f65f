/* portal-licensing: the JSON API of the desktop ERP. Activation and
 * validation join this table with the licensing area. */
#include "../areas.h"
#include "licensing.h"

static const portal_route routes[] = {
    { "GET", "/v1/ping", "public", portal_licensing_ping },
};

const portal_route_table portal_licensing_routes = { routes, sizeof(routes) / sizeof(routes[0]) };
