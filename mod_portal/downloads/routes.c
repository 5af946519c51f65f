/* portal-downloads: release files behind signed, expiring links. The
 * Download Center fills this table; until then every path is a 404 page.
 * A file route is "public" and checks its link's signature itself. */
#include "../areas.h"

const portal_route_table portal_downloads_routes = { NULL, 0, "member" };
