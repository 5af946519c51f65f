/* The request side of proof of work (core/pow.h): a form's page offers a
 * challenge when its address's rate nears the threshold, and the post
 * demands the solved work once the rate has reached it. */
#include "portal_req.h"

#include <string.h>
#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include "crypto.h"
#include "pow.h"

/* The page offers work this many hits before the post needs it, and a
 * little harder than asked now, so that a person whose address is busy
 * does not fall between a page without a challenge and a post that needs
 * one. */
#define OFFER_AHEAD 3

static const char *ip_key(portal_req *pr)
{
    return portal_rate_key_ip(pr->r->pool, pr->r->useragent_ip ? pr->r->useragent_ip : "");
}

void portal_pow_offer(portal_req *pr, json_t *view, const char *purpose, const char *bucket,
                      int from, int limit)
{
    int hits, left;
    if (portal_limit_peek_quiet(pr, bucket, ip_key(pr), &hits, &left) != APR_SUCCESS
        || hits + OFFER_AHEAD < from)
        return;
    int bits = portal_pow_difficulty(hits + OFFER_AHEAD > from ? hits + OFFER_AHEAD : from,
                                     from, limit);
    const char *challenge = portal_pow_challenge(pr->r->pool, pr->cfg->secret,
                                                 pr->cfg->secret_len, purpose, ip_key(pr), bits,
                                                 apr_time_now());
    if (challenge)
        json_object_set_new(view, "pow", json_pack("{s:s, s:i}", "challenge", challenge,
                                                   "bits", bits));
}

static int refuse(portal_req *pr, const char *purpose, const char *why, int seconds_left)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, pr->r, "mod_portal [%s] %s: %s refused, proof "
                  "of work %s", pr->request_id, pr->area->name, purpose, why);
    apr_table_setn(pr->r->err_headers_out, "Retry-After",
                   apr_itoa(pr->r->pool, seconds_left > 0 ? seconds_left : 1));
    return portal_fail(pr, HTTP_TOO_MANY_REQUESTS, "pow_required");
}

int portal_pow_demand(portal_req *pr, const char *purpose, const char *bucket, int from,
                      int limit)
{
    apr_pool_t *p = pr->r->pool;
    int hits, left;
    int rc = portal_limit_peek(pr, bucket, ip_key(pr), &hits, &left);
    int bits = portal_pow_difficulty(hits, from, limit);
    if (rc != OK || bits == 0)
        return rc;
    const char *challenge = apr_table_get(pr->form, "pow_challenge");
    const char *why = portal_pow_check(p, pr->cfg->secret, pr->cfg->secret_len, challenge,
                                       apr_table_get(pr->form, "pow_nonce"), purpose,
                                       ip_key(pr), bits, apr_time_now());
    if (why)
        return refuse(pr, purpose, why, left);
    /* Good work, once: the first request with it spends it. */
    const char *params[] = { portal_sha256_hex(p, challenge, strlen(challenge)),
                             apr_ltoa(p, (long)apr_time_sec(apr_time_now()) + PORTAL_POW_TTL) };
    portal_db_error err;
    portal_db_result *res;
    if (portal_query(pr, "pow.spend", 2, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "spending a proof of work", &err);
    return portal_db_nrows(res) == 1 ? OK : refuse(pr, purpose, "replayed", left);
}
