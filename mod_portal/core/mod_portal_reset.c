/* A password-reset link by mail, for the forgotten-password page and an
 * admin's forced reset alike. */
#include "portal_req.h"

#include <apr_strings.h>
#include "crypto.h"
#include "outbox.h"

#define RESET_TOKEN_BYTES 32

apr_status_t portal_reset_link_enqueue(portal_req *pr, const char *user_id, const char *email,
                                       const char *locale, portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    portal_db *db = portal_req_db(pr, err);
    if (!db)
        return APR_EGENERAL;
    const char *token = portal_random_token(p, RESET_TOKEN_BYTES);
    if (!token)
        return portal_db_refuse(err, "no randomness for a reset link");
    const char *params[] = { user_id, portal_sha256_hex(p, token, strlen(token)) };
    const char *url = apr_pstrcat(p, pr->cfg->base_url ? pr->cfg->base_url : "",
                                  portal_cabinet_url(pr, "/reset"), "?token=", token, NULL);
    json_t *vars = portal_json_owned(p, json_pack("{s:s}", "url", url));
    portal_db_result *res;
    if (portal_query(pr, "cabinet.reset_new", 2, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    return portal_mail_enqueue(db, p, &pr->cfg->mail, email, locale, "reset", vars, err);
}
