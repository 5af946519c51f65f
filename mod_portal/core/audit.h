/* The audit log: who did what, when, from where, appended to audit_log and
 * chained afterwards (sql/migrations/003_audit_and_limits.sql explains the
 * design and the canonical form of a row).
 *
 * Writing never waits for another writer: a row goes in unchained, inside
 * the caller's transaction if one is open (so it commits, or not, with the
 * change it describes). portal_audit_seal chains the rows whose ids are
 * final; portal_audit_verify recomputes the chain and names the first row
 * edited or removed behind the append-only triggers' back.
 *
 * A library: plain data, a portal_db and a pool (the module, portalctl and
 * the jobs runner call the same functions). */
#ifndef PORTAL_AUDIT_H
#define PORTAL_AUDIT_H

#include <apr_pools.h>
#include <jansson.h>
#include "db.h"

#define PORTAL_AUDIT_MAX_USER_AGENT 512   /* bytes kept of a User-Agent */
#define PORTAL_AUDIT_MAX_EMAIL 320
#define PORTAL_AUDIT_MAX_DETAIL 16384     /* bytes of the detail's JSON */

typedef struct {
    const char *event;        /* "user.signin.failed": see portal_audit_event_valid */
    const char *actor_kind;   /* "user", "admin", "system" or "anonymous" */
    const char *actor_id;     /* uuid text, or NULL (always NULL for system, anonymous) */
    const char *actor_email;  /* the actor's address at the time, or NULL */
    const char *tenant_id;    /* uuid text, or NULL */
    const char *ip;           /* the client's address, or NULL */
    const char *user_agent;   /* cut to PORTAL_AUDIT_MAX_USER_AGENT bytes; NULL ok */
    const char *request_id;   /* X-Request-Id, or NULL */
    json_t *detail;           /* a JSON object, borrowed (json.h); NULL is {} */
} portal_audit_event;

/* 1 for an event code: 2 to 6 dot-separated words of [a-z0-9_] that start
 * with a letter, 64 bytes at most. Stable: reports and alerts match on it. */
int portal_audit_event_valid(const char *event);
/* 1 for "user", "admin", "system", "anonymous". */
int portal_audit_actor_valid(const char *kind);
/* 1 for a uuid in text form (8-4-4-4-12 hex digits, either case). */
int portal_uuid_valid(const char *s);
/* s as text PostgreSQL accepts, at most max bytes: bytes that are not
 * UTF-8 and control characters become U+FFFD, and the cut falls between
 * characters. NULL stays NULL. */
const char *portal_audit_text(apr_pool_t *p, const char *s, apr_size_t max);

/* Appends one event. APR_EINVAL (err->kind PORTAL_DB_FAILED, err->message
 * why) when the event breaks the rules above, before anything is sent: a
 * caller's bug, not the visitor's. */
apr_status_t portal_audit_write(portal_db *db, apr_pool_t *p, const portal_audit_event *ev,
                                portal_db_error *err);

typedef struct {
    long long sealed;         /* rows chained by this call */
    long long head_id;        /* the last chained row, 0 when none */
    const char *head_hash;    /* its hash, hex, NULL when none */
    long long waiting;        /* rows left for a later call */
} portal_audit_seal_result;

/* Chains every row whose id is final: no transaction that could still
 * commit a lower id is running. Waits up to wait_ms for transactions older
 * than the call (0: seal the horizon an earlier call recorded, record a new
 * one; the jobs runner calls it so, every few seconds). Must run outside a
 * transaction (APR_EINVAL otherwise). As the owner or the app role. */
apr_status_t portal_audit_seal(portal_db *db, apr_pool_t *p, int wait_ms,
                               portal_audit_seal_result *out, portal_db_error *err);

typedef enum {
    PORTAL_AUDIT_INTACT = 0,
    PORTAL_AUDIT_EDITED,      /* bad_id's hash does not match its row */
    PORTAL_AUDIT_REMOVED,     /* bad_id is sealed but its row is gone */
    PORTAL_AUDIT_CHAIN_CUT,   /* sealed entries after prev_id, before bad_id, are gone */
    PORTAL_AUDIT_UNCHAINED    /* bad_id sits inside the sealed range, never sealed */
} portal_audit_problem;

typedef struct {
    long long rows;           /* rows in audit_log */
    long long sealed;         /* entries in the chain */
    long long head_id;        /* the last sealed row */
    const char *head_hash;    /* its hash, hex: record it elsewhere to catch a rewrite */
    portal_audit_problem problem;
    long long bad_id;         /* the first bad row */
    long long prev_id;        /* for CHAIN_CUT: the last good entry before the cut */
} portal_audit_report;

/* Recomputes the whole chain (in pages; memory stays flat) and reports the
 * first problem. Needs SELECT on audit_log and audit_chain: the owner. */
apr_status_t portal_audit_verify(portal_db *db, apr_pool_t *p, portal_audit_report *out,
                                 portal_db_error *err);

/* One line for an operator about report's problem ("row 42 was edited ..."). */
const char *portal_audit_problem_text(apr_pool_t *p, const portal_audit_report *r);

/* SHA-256(prev || canonical) in hex, prev being 64 hex characters (NULL:
 * 32 zero bytes): the chain's step, as audit_seal computes it in SQL.
 * NULL if prev is not 64 hex characters. */
const char *portal_audit_chain_hash(apr_pool_t *p, const char *prev_hex, const char *canonical);

#endif
