/* The permission matrix of conf/roles.json (compiled in): which permission
 * each customer role and each admin role holds, and which permissions
 * exist. Plain data in, answers out: the router asks it for every request,
 * `apache2 -t` for every route, the tests for the whole table. */
#ifndef PORTAL_ROLES_H
#define PORTAL_ROLES_H

#include <apr_pools.h>
#include "router.h"

typedef struct portal_roles portal_roles;

typedef enum { PORTAL_CUSTOMER_ROLE, PORTAL_ADMIN_ROLE } portal_role_kind;

/* Parses the matrix (the text of conf/roles.json). On a malformed file, a
 * role granting an undefined permission, or an admin permission given to a
 * customer role (or the reverse), *err says what and APR_EINVAL. */
apr_status_t portal_roles_parse(apr_pool_t *p, const char *json, apr_size_t len,
                                portal_roles **out, const char **err);
/* The compiled-in conf/roles.json; NULL with *err if it does not parse. */
const portal_roles *portal_roles_builtin(apr_pool_t *p, const char **err);

/* The permissions the router itself decides: public, guest, member, self
 * (a member even before the two-step verification their tenant requires),
 * admin, none. */
int portal_perm_is_builtin(const char *perm);
/* 1 for a builtin permission or one defined in the matrix. */
int portal_roles_known(const portal_roles *roles, const char *perm);
/* 1 when role (of kind) exists in the matrix. */
int portal_roles_has_role(const portal_roles *roles, portal_role_kind kind, const char *role);
/* 1 when role (of kind) holds the named permission. Builtins are not
 * named permissions: the router decides those from the session. */
int portal_roles_grants(const portal_roles *roles, portal_role_kind kind, const char *role,
                        const char *perm);

/* Every route of table names a permission the matrix knows, and an admin
 * permission only in the admin area (admin_area 1) and a customer one only
 * outside it; else *err names the first route that does not. */
apr_status_t portal_roles_check_routes(const portal_roles *roles,
                                       const portal_route_table *table, const char *area,
                                       int admin_area, apr_pool_t *p, const char **err);

#endif
