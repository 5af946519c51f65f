/* The route functions of the portal-admin area. */
#ifndef PORTAL_ADMIN_H
#define PORTAL_ADMIN_H

#include "../core/portal_req.h"

int portal_admin_status(portal_req *pr);

#endif
