/* Rate limits kept in PostgreSQL, so that one limit holds across every
 * Apache node: a fixed window per (bucket, key) that opens with the key's
 * first hit and lasts window_seconds; at most `limit` hits in it are
 * allowed. One statement counts and judges a hit (sql/ratelimit.sql "hit"),
 * so parallel requests cannot slip past the limit. Over two adjacent
 * windows a key may get up to 2 * limit hits in a short span; on average it
 * gets `limit` per window.
 *
 * A library: plain data, a portal_db and a pool. The request glue is
 * portal_limit (portal_req.h). */
#ifndef PORTAL_RATELIMIT_H
#define PORTAL_RATELIMIT_H

#include <apr_pools.h>
#include "db.h"

typedef struct {
    int allowed;        /* 1: go ahead */
    int retry_after;    /* when refused: seconds until a hit is allowed again (>= 1) */
} portal_rate_verdict;

/* 1 for a bucket name: a lowercase letter, then up to 63 of [a-z0-9_.]
 * ("signin.ip", "contact.ip"). */
int portal_rate_bucket_valid(const char *bucket);

/* The stored form of a key: SHA-256, 64 hex characters, whatever the key's
 * length or bytes. */
const char *portal_rate_key_hash(apr_pool_t *p, const char *key);

/* Keys for the usual callers, so that one client cannot look like many:
 * an IPv4 address as it is (also when written as ::ffff:a.b.c.d), an IPv6
 * address as its /64 network ("2001:db8:1:2::/64": one subscriber's
 * prefix, which holds 2^64 addresses), and anything else unchanged. */
const char *portal_rate_key_ip(apr_pool_t *p, const char *ip);
/* An e-mail address trimmed and lowercased (ASCII letters only: the local
 * part of some providers is case-sensitive, but treating "A@x" and "a@x" as
 * one account only makes a limit stricter). */
const char *portal_rate_key_email(apr_pool_t *p, const char *email);

/* Counts one hit of key in bucket and says whether it is allowed.
 * APR_EINVAL (err->kind PORTAL_DB_FAILED, err->message why) for a bad
 * bucket, limit < 1, window_seconds < 1 or > 31 days, or when db is inside
 * a transaction: a hit must count whatever happens to the request later (a
 * rollback would erase it) and must not hold the key's row locked to the
 * commit. Never resent after a lost session (it is a write). */
apr_status_t portal_rate_limit(portal_db *db, apr_pool_t *p, const char *bucket,
                               const char *key, int limit, int window_seconds,
                               portal_rate_verdict *out, portal_db_error *err);

/* *hits = the hits counted in key's live window of bucket and
 * *seconds_left until it ends (both 0 when it has none), counting none: a
 * read, so safe inside a transaction and to resend. */
apr_status_t portal_rate_limit_peek(portal_db *db, apr_pool_t *p, const char *bucket,
                                    const char *key, int *hits, int *seconds_left,
                                    portal_db_error *err);

/* Deletes up to max_rows counters whose window ended, and up to max_rows
 * spent proof-of-work challenges that expired (sql/pow.sql); *deleted says
 * how many in all. Run periodically (portalctl ratelimit prune; the jobs runner): a
 * key seen again reuses its row, so only keys never seen again pile up. */
apr_status_t portal_rate_limit_prune(portal_db *db, apr_pool_t *p, int max_rows,
                                     long long *deleted, portal_db_error *err);

#endif
