/* The named queries of sql/<area>.sql: blocks that start with a line
 * "-- name: <label>" and run to the next such line. A query is called by
 * "<area>.<label>" ("cabinet.plans_active"); PostgreSQL placeholders $1..$n.
 *
 * A query may be sent a second time, after its session ended under it, only
 * if its author says so on the line right after its name:
 *
 *     -- name: plans_active
 *     -- retry: safe
 *
 * "safe" means running it twice does what running it once does: it writes
 * nothing and calls no function with an effect (nextval, pg_advisory_lock,
 * a licence activation), takes no lock (FOR UPDATE), and a second answer is
 * as good as the first. Nothing is guessed from the text: a SELECT without
 * the line is never resent. Any other value, or the line anywhere else, is
 * an error naming file and line; so is any comment right after "-- name:"
 * whose first word starts with "retry" ("-- retry safe", "-- retry-safe"):
 * meant as the marker, it must not pass as a comment. */
#ifndef PORTAL_SQLCAT_H
#define PORTAL_SQLCAT_H

#include <apr_pools.h>
#include <apr_hash.h>
#include "embedded.h"

typedef struct {
    const char *label;   /* "cabinet.plans_active" */
    const char *sql;
    int nparams;         /* highest $n used */
    int retry_safe;      /* marked "-- retry: safe": may be sent twice */
} portal_sql;

typedef struct {
    apr_hash_t *by_label;   /* label -> portal_sql* */
} portal_sqlcat;

/* Adds the queries of one file (name "cabinet.sql", its text) to cat. On an
 * empty query, a bad label or a label defined twice, *err says where. */
apr_status_t portal_sqlcat_add_file(apr_pool_t *p, portal_sqlcat *cat, const char *name,
                                    const char *text, const char **err);

/* A catalog of every embedded sql/NAME.sql file. */
apr_status_t portal_sqlcat_embedded(apr_pool_t *p, portal_sqlcat **out, const char **err);

const portal_sql *portal_sqlcat_get(const portal_sqlcat *cat, const char *label);

#endif
