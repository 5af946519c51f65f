/* portal-licensing: the JSON API of the desktop ERP. Activation and
 * validation join this table with the licensing area. */
#include "../areas.h"
#include "licensing.h"

static const portal_route routes[] = {
    { "GET", "/v1/ping", "public", portal_licensing_ping },
};

/* The API's callers prove who they are in the request itself (a license
 * key, a token), so each route says "public" and checks them; a route that
 * forgets is closed ("none"). */
const portal_route_table portal_licensing_routes = PORTAL_ROUTES(routes, "none");
