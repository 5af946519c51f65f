/* The route table of every handler area. */
#ifndef PORTAL_AREAS_H
#define PORTAL_AREAS_H

#include "core/router.h"

extern const portal_route_table portal_cabinet_routes;
extern const portal_route_table portal_admin_routes;
extern const portal_route_table portal_downloads_routes;
extern const portal_route_table portal_webhooks_routes;
extern const portal_route_table portal_licensing_routes;

#endif
