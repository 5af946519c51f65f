/* The mail to the owner of an account that repeated failed sign-ins have
 * locked: once per lockout, not once per refused try, in the owner's
 * language, saying until when, from which address, and where to reset the
 * password if it was not them. */
#include "cabinet.h"

#include <apr_strings.h>
#include <apr_time.h>
#include "../core/outbox.h"
#include "../core/ratelimit.h"

/* The until time as people read it in any of the four languages. */
static const char *utc_time(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t x;
    apr_time_exp_gmt(&x, t);
    return apr_psprintf(p, "%04d-%02d-%02d %02d:%02d UTC", x.tm_year + 1900, x.tm_mon + 1,
                        x.tm_mday, x.tm_hour, x.tm_min);
}

int portal_cabinet_lockout_notice(portal_req *pr, const char *email, int retry_after,
                                  int window_seconds)
{
    apr_pool_t *p = pr->r->pool;
    /* One mail per window: the first refused try takes it, later ones find
     * it spent. An address without an account counts too and gets nothing. */
    portal_rate_verdict once;
    int rc = portal_limit_check(pr, "signin.lockout_mail", portal_rate_key_email(p, email), 1,
                                window_seconds, &once);
    if (rc != OK || !once.allowed)
        return rc;
    portal_db_error err;
    portal_db_result *user;
    const char *params[] = { email };
    if (portal_query(pr, "cabinet.user_for_signin", 1, params, &user, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "looking up a locked account", &err);
    if (portal_db_nrows(user) != 1)
        return OK;
    const char *until = utc_time(p, apr_time_now() + apr_time_from_sec(retry_after));
    const char *ip = pr->r->useragent_ip ? pr->r->useragent_ip : "";
    json_t *vars = portal_json_owned(p, json_pack("{s:s, s:s, s:s}", "until", until, "ip", ip,
        "url", apr_pstrcat(p, pr->cfg->base_url ? pr->cfg->base_url : "",
                           portal_url(pr, "/forgot"), NULL)));
    json_t *detail = portal_json_owned(p, json_pack("{s:s}", "until", until));
    const char *user_id = portal_db_get(user, 0, "id");
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "mailing a lockout", &err);
    if (portal_mail_enqueue(db, p, &pr->cfg->mail, email, portal_db_get(user, 0, "locale"),
                            "lockout", vars, &err) != APR_SUCCESS
        || portal_audit_req(pr, "user.signin.lockout", user_id, email, NULL, detail, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "mailing a lockout", &err);
    }
    return OK;
}
