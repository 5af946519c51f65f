/* The route functions of the portal-licensing area. */
#ifndef PORTAL_LICENSING_H
#define PORTAL_LICENSING_H

#include "../core/portal_req.h"

int portal_licensing_ping(portal_req *pr);

#endif
