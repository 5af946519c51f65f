/* Admin accounts and their enrolment links (admins.h). */
#include "admins.h"

#include <string.h>
#include <apr_strings.h>
#include "crypto.h"

apr_status_t portal_admin_enrolment_new(portal_db *db, apr_pool_t *p, const char *admin_id,
                                        const char **token, portal_db_error *err)
{
    const char *t = portal_random_token(p, PORTAL_ENROL_TOKEN_BYTES);
    if (!t)
        return portal_db_refuse(err, "no randomness for an enrolment link");
    const char *params[] = { admin_id, portal_sha256_hex(p, t, strlen(t)) };
    portal_db_result *res;
    apr_status_t rv = portal_db_query(db, p, "admin.enrolment_new", 2, params, &res, err);
    if (rv == APR_SUCCESS)
        *token = t;
    return rv;
}

apr_status_t portal_admin_create(portal_db *db, apr_pool_t *p, const char *email,
                                 const char *role, const char **admin_id, const char **token,
                                 portal_db_error *err)
{
    const char *params[] = { email, role };
    portal_db_result *res;
    apr_status_t rv = portal_db_query(db, p, "admin.create", 2, params, &res, err);
    if (rv != APR_SUCCESS)
        return rv;
    *admin_id = portal_db_get(res, 0, "id");
    return portal_admin_enrolment_new(db, p, *admin_id, token, err);
}

const char *portal_admin_enrol_url(apr_pool_t *p, const char *base, const char *admin_mount,
                                   const char *token)
{
    apr_size_t n = base ? strlen(base) : 0;
    while (n > 0 && base[n - 1] == '/')
        n--;
    return apr_pstrcat(p, base ? apr_pstrmemdup(p, base, n) : "", admin_mount, "/enrol/",
                       token, NULL);
}
