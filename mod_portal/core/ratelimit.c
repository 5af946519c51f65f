#include "ratelimit.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <apr_strings.h>
#include "crypto.h"

#define MAX_WINDOW (31 * 24 * 3600)

int portal_rate_bucket_valid(const char *bucket)
{
    if (!bucket || !islower((unsigned char)bucket[0]) || strlen(bucket) > 64)
        return 0;
    for (const char *c = bucket; *c; c++)
        if (!(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_'
              || *c == '.'))
            return 0;
    return 1;
}

const char *portal_rate_key_hash(apr_pool_t *p, const char *key)
{
    return portal_sha256_hex(p, key ? key : "", key ? strlen(key) : 0);
}

const char *portal_rate_key_ip(apr_pool_t *p, const char *ip)
{
    if (!ip)
        return "";
    struct in_addr v4;
    if (inet_pton(AF_INET, ip, &v4) == 1)
        return ip;
    unsigned char v6[16];
    if (inet_pton(AF_INET6, ip, v6) != 1)
        return ip;
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    char text[INET6_ADDRSTRLEN];
    if (memcmp(v6, mapped, sizeof(mapped)) == 0) {
        memcpy(&v4, v6 + 12, 4);
        return apr_pstrdup(p, inet_ntop(AF_INET, &v4, text, sizeof(text)));
    }
    memset(v6 + 8, 0, 8);
    return apr_pstrcat(p, inet_ntop(AF_INET6, v6, text, sizeof(text)), "/64", NULL);
}

const char *portal_rate_key_email(apr_pool_t *p, const char *email)
{
    if (!email)
        return "";
    while (*email == ' ' || *email == '\t' || *email == '\r' || *email == '\n')
        email++;
    apr_size_t n = strlen(email);
    while (n > 0 && strchr(" \t\r\n", email[n - 1]))
        n--;
    char *out = apr_pstrmemdup(p, email, n);
    for (char *c = out; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return out;
}

apr_status_t portal_rate_limit(portal_db *db, apr_pool_t *p, const char *bucket,
                               const char *key, int limit, int window_seconds,
                               portal_rate_verdict *out, portal_db_error *err)
{
    if (!portal_rate_bucket_valid(bucket))
        return portal_db_refuse(err, "rate limit: bad bucket name");
    if (limit < 1 || window_seconds < 1 || window_seconds > MAX_WINDOW)
        return portal_db_refuse(err, "rate limit: limit and window must be positive "
                           "(the window at most 31 days)");
    if (portal_db_in_transaction(db))
        return portal_db_refuse(err, "rate limit: called inside a transaction; count the hit "
                           "before BEGIN");
    const char *params[] = { bucket, portal_rate_key_hash(p, key), apr_itoa(p, limit),
                             apr_itoa(p, window_seconds) };
    portal_db_result *res;
    apr_status_t rv = portal_db_query(db, p, "ratelimit.hit", 4, params, &res, err);
    if (rv != APR_SUCCESS)
        return rv;
    if (portal_db_nrows(res) != 1)
        return portal_db_refuse(err, "rate limit: the hit returned no row");
    out->allowed = portal_db_get_bool(res, 0, "allowed");
    out->retry_after = out->allowed ? 0 : (int)portal_db_get_int(res, 0, "retry_after");
    if (!out->allowed && out->retry_after < 1)
        out->retry_after = 1;
    return APR_SUCCESS;
}

apr_status_t portal_rate_limit_peek(portal_db *db, apr_pool_t *p, const char *bucket,
                                    const char *key, int *hits, int *seconds_left,
                                    portal_db_error *err)
{
    *hits = 0;
    *seconds_left = 0;
    if (!portal_rate_bucket_valid(bucket))
        return portal_db_refuse(err, "rate limit: bad bucket name");
    const char *params[] = { bucket, portal_rate_key_hash(p, key) };
    portal_db_result *res;
    apr_status_t rv = portal_db_query(db, p, "ratelimit.peek", 2, params, &res, err);
    if (rv == APR_SUCCESS && portal_db_nrows(res) == 1)
    {
        *hits = (int)portal_db_get_int(res, 0, "hits");
        *seconds_left = (int)portal_db_get_int(res, 0, "seconds_left");
    }
    return rv;
}

apr_status_t portal_rate_limit_prune(portal_db *db, apr_pool_t *p, int max_rows,
                                     long long *deleted, portal_db_error *err)
{
    const char *params[] = { apr_itoa(p, max_rows > 0 ? max_rows : 10000) };
    portal_db_result *res;
    *deleted = 0;
    apr_status_t rv = portal_db_query(db, p, "ratelimit.prune", 1, params, &res, err);
    if (rv != APR_SUCCESS)
        return rv;
    *deleted = portal_db_affected(res);
    /* Spent proof-of-work challenges (core/pow.h) expire the same way. */
    rv = portal_db_query(db, p, "pow.prune", 1, params, &res, err);
    if (rv == APR_SUCCESS)
        *deleted += portal_db_affected(res);
    return rv;
}
