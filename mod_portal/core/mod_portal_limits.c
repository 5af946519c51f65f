/* The request side of the rate limiter (core/ratelimit.c): one call before
 * the work a limit protects, answering 429 with Retry-After itself. */
#include "portal_req.h"

#include <apr_strings.h>
#include <http_log.h>
#include <http_protocol.h>
#include "ratelimit.h"

int portal_limit_check(portal_req *pr, const char *bucket, const char *key, int limit,
                       int window_seconds, portal_rate_verdict *v)
{
    apr_pool_t *p = pr->r->pool;
    portal_db_error err;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_rate_limit(db, p, bucket, key, limit, window_seconds, v, &err)
                   != APR_SUCCESS)
        return portal_fail_db(pr, apr_pstrcat(p, "rate limit ", bucket, NULL), &err);
    if (!v->allowed)
        /* Not an error of ours: logged below the error level, once, so that
         * an operator can see a flood without the key (an address, an
         * e-mail). */
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, pr->r, "mod_portal [%s] %s: rate limit %s "
                      "reached (%d per %d s), retry after %d s", pr->request_id,
                      pr->area->name, bucket, limit, window_seconds, v->retry_after);
    return OK;
}

int portal_limit_refuse(portal_req *pr, const char *code, const portal_rate_verdict *v)
{
    apr_table_setn(pr->r->err_headers_out, "Retry-After",
                   apr_itoa(pr->r->pool, v->retry_after > 0 ? v->retry_after : 1));
    return portal_fail(pr, HTTP_TOO_MANY_REQUESTS, code);
}

int portal_limit_peek(portal_req *pr, const char *bucket, const char *key, int *hits,
                      int *seconds_left)
{
    apr_pool_t *p = pr->r->pool;
    portal_db_error err;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_rate_limit_peek(db, p, bucket, key, hits, seconds_left, &err) != APR_SUCCESS)
        return portal_fail_db(pr, apr_pstrcat(p, "rate limit ", bucket, NULL), &err);
    return OK;
}

apr_status_t portal_limit_peek_quiet(portal_req *pr, const char *bucket, const char *key,
                                     int *hits, int *seconds_left)
{
    portal_db_error err;
    portal_db *db = portal_req_db(pr, &err);
    apr_status_t rv = db ? portal_rate_limit_peek(db, pr->r->pool, bucket, key, hits,
                                                  seconds_left, &err)
                         : APR_EGENERAL;
    if (rv != APR_SUCCESS)
        portal_log_error(pr, rv, "reading rate limit %s: %s", bucket,
                         portal_db_error_line(pr->r->pool, &err));
    return rv;
}

int portal_limit_as(portal_req *pr, const char *code, const char *bucket, const char *key,
                    int limit, int window_seconds)
{
    portal_rate_verdict v;
    int rc = portal_limit_check(pr, bucket, key, limit, window_seconds, &v);
    if (rc != OK || v.allowed)
        return rc;
    return portal_limit_refuse(pr, code, &v);
}

int portal_limit(portal_req *pr, const char *bucket, const char *key, int limit,
                 int window_seconds)
{
    return portal_limit_as(pr, "rate_limited", bucket, key, limit, window_seconds);
}
