/* portal-downloads: release files behind signed, expiring links. The
 * Download Center fills this table; until then every path is a 404 page. */
#include "../areas.h"

const portal_route_table portal_downloads_routes = { NULL, 0 };
