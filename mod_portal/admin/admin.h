/* The route functions of the portal-admin area, and the helpers its pages
 * share (admin_view.c). */
#ifndef PORTAL_ADMIN_H
#define PORTAL_ADMIN_H

#include "../core/portal_req.h"

int portal_admin_status(portal_req *pr);
int portal_admin_signin(portal_req *pr);
int portal_admin_signin_send(portal_req *pr);
int portal_admin_signout(portal_req *pr);
int portal_admin_enrol(portal_req *pr);
int portal_admin_enrol_send(portal_req *pr);
int portal_admin_tenants(portal_req *pr);
int portal_admin_tenant_create(portal_req *pr);
int portal_admin_tenant(portal_req *pr);
int portal_admin_tenant_status(portal_req *pr);
int portal_admin_user(portal_req *pr);
int portal_admin_user_reset(portal_req *pr);
int portal_admin_user_sessions(portal_req *pr);
int portal_admin_user_totp(portal_req *pr);
int portal_admin_admins(portal_req *pr);
int portal_admin_admin_create(portal_req *pr);
int portal_admin_admin_change(portal_req *pr);
int portal_admin_audit(portal_req *pr);
int portal_admin_outbox(portal_req *pr);

/* The root view of an admin page: portal_view, the title from
 * staff.pages.<page>, and for a signed-in admin the header (e-mail, role,
 * sign-out form) and the nav to the pages their role opens. */
json_t *portal_admin_view(portal_req *pr, const char *page);
/* A named query across every tenant (the admin area sees them all). */
apr_status_t portal_admin_query(portal_req *pr, const char *label, int nparams,
                                const char *const *params, portal_db_result **res,
                                portal_db_error *err);
/* The rows of res as an array of objects (every column a string, NULL as
 * null; columns named in bools as true/false). */
json_t *portal_admin_rows(const portal_db_result *res, int limit, const char *const *cols,
                          const char *const *bools);
/* Row 0 of res as a new object, the same way. */
json_t *portal_admin_row(const portal_db_result *res, const char *const *cols,
                         const char *const *bools);
/* Sets "error" in the view to the catalog text of key. */
void portal_admin_error(portal_req *pr, const char *key);
/* The key for the admins' TOTP secrets at rest (its own purpose,
 * PORTAL_ADMIN_TOTP_PURPOSE), from the request pool, wiped when it goes. */
const unsigned char *portal_admin_totp_key(portal_req *pr);
/* A path of the area made of two parts: portal_admin_link(pr, "/tenants/", id). */
const char *portal_admin_link(portal_req *pr, const char *path, const char *tail);
/* Pager links: prev/next URLs of path with the query's other fields. */
json_t *portal_admin_pager(portal_req *pr, const char *path, int page, int has_next);

#endif
