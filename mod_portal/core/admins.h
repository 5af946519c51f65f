/* Admin accounts, the part portalctl and the admin area share: a new admin
 * and the one-time enrolment link that sets their password and TOTP.
 * Plain data, a portal_db and a pool; inside the caller's transaction when
 * one is open. */
#ifndef PORTAL_ADMINS_H
#define PORTAL_ADMINS_H

#include <apr_pools.h>
#include "db.h"

#define PORTAL_ENROL_TOKEN_BYTES 32
#define PORTAL_ENROL_TOKEN_CHARS 43   /* base64url, unpadded */

/* A fresh enrolment token for admin_id (valid 24 hours; the admin's earlier
 * unused links stop working): *token is what goes in the link
 * /admin/enrol/TOKEN; only its SHA-256 is stored. */
apr_status_t portal_admin_enrolment_new(portal_db *db, apr_pool_t *p, const char *admin_id,
                                        const char **token, portal_db_error *err);

/* A new active admin with role (conf/roles.json's admin_roles) and no
 * password yet, and its enrolment token. email already normalized.
 * PORTAL_DB_CONFLICT (constraint admins_email_key) when the address has
 * an admin already. */
apr_status_t portal_admin_create(portal_db *db, apr_pool_t *p, const char *email,
                                 const char *role, const char **admin_id, const char **token,
                                 portal_db_error *err);

/* The key purpose of the admins' TOTP secrets at rest (portal_derive_key),
 * for the module and portalctl seed-demo alike; never the customers' one. */
#define PORTAL_ADMIN_TOTP_PURPOSE "admin.totp"

/* The link for token under base (PortalBaseURL, no trailing slash needed)
 * with the admin area at admin_mount ("/admin"). */
const char *portal_admin_enrol_url(apr_pool_t *p, const char *base, const char *admin_mount,
                                   const char *token);

#endif
