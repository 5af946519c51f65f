/* portal-admin: mounted behind `Require ip` in the Apache configuration.
 * Staff sign-in with mandatory 2FA arrives with the identity area; until
 * then the area holds only the read-only system status. */
#include "../areas.h"
#include "admin.h"

static const portal_route routes[] = {
    /* Open to whoever the <Location>'s `Require ip` lets through: it shows
     * versions and health, no customer data. */
    { "GET", "/", "public", portal_admin_status },
};

/* A route without a perm needs an admin session (the identity area). */
const portal_route_table portal_admin_routes = PORTAL_ROUTES(routes, "admin");
