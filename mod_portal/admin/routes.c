/* portal-admin: mounted behind `Require ip` in the Apache configuration,
 * and behind an admin session of its own (core/mod_portal_admin_session.c):
 * sign-in takes a password and a TOTP code, always. */
#include "../areas.h"
#include "admin.h"

static const portal_route routes[] = {
    /* Open to whoever the <Location>'s `Require ip` lets through: it shows
     * versions and health, no customer data. */
    { "GET",  "/",                      "public", portal_admin_status },
    /* Public (guest is the customers'): a signed-in admin is sent on. */
    { "GET",  "/signin",                "public", portal_admin_signin },
    { "POST", "/signin",                "public", portal_admin_signin_send },
    { "POST", "/signout",               NULL,     portal_admin_signout },
    /* Public: the link itself is the credential. */
    { "GET",  "/enrol/{token}",         "public", portal_admin_enrol },
    { "POST", "/enrol/{token}",         "public", portal_admin_enrol_send },
    { "GET",  "/tenants",               "admin.tenants.read",   portal_admin_tenants },
    { "POST", "/tenants",               "admin.tenants.manage", portal_admin_tenant_create },
    { "GET",  "/tenants/{id}",          "admin.tenants.read",   portal_admin_tenant },
    { "POST", "/tenants/{id}/status",   "admin.tenants.manage", portal_admin_tenant_status },
    { "GET",  "/users/{id}",            "admin.tenants.read",   portal_admin_user },
    { "POST", "/users/{id}/reset",      "admin.users.manage",   portal_admin_user_reset },
    { "POST", "/users/{id}/sessions",   "admin.users.manage",   portal_admin_user_sessions },
    { "POST", "/users/{id}/totp",       "admin.users.manage",   portal_admin_user_totp },
    { "GET",  "/admins",                "admin.admins.manage",  portal_admin_admins },
    { "POST", "/admins",                "admin.admins.manage",  portal_admin_admin_create },
    { "POST", "/admins/{id}",           "admin.admins.manage",  portal_admin_admin_change },
    { "GET",  "/audit",                 "admin.audit.read",     portal_admin_audit },
    { "GET",  "/outbox",                "admin.outbox.read",    portal_admin_outbox },
};

/* A route without a perm needs an admin session (any admin role). */
const portal_route_table portal_admin_routes = PORTAL_ROUTES(routes, "admin");
