/* portal-webhooks: payment providers' callbacks, verified by signature and
 * a server-to-server check. The payments area fills this table; until then
 * every path is a 404 JSON error. Providers prove who they are by their
 * signature, so each route will say "public" and check it; a route that
 * forgets is closed ("none"). */
#include "../areas.h"

const portal_route_table portal_webhooks_routes = { NULL, 0, "none" };
