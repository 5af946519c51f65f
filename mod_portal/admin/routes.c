/* portal-admin: mounted behind `Require ip` in the Apache configuration.
 * Staff sign-in with mandatory 2FA arrives with the identity area; until
 * then the area holds only the read-only system status. */
#include "../areas.h"
#include "admin.h"

static const portal_route routes[] = {
    { "GET", "/", "public", portal_admin_status },
};

const portal_route_table portal_admin_routes = { routes, sizeof(routes) / sizeof(routes[0]) };
