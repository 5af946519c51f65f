/* The named queries of sql/<area>.sql: blocks that start with a line
 * "-- name: <label>" and run to the next such line. A query is called by
 * "<area>.<label>" ("cabinet.plans_active"); PostgreSQL placeholders $1..$n. */
#ifndef PORTAL_SQLCAT_H
#define PORTAL_SQLCAT_H

#include <apr_pools.h>
#include <apr_hash.h>
#include "embedded.h"

typedef struct {
    const char *label;   /* "cabinet.plans_active" */
    const char *sql;
    int nparams;         /* highest $n used */
    int read_only;       /* a SELECT (or VALUES): safe to send twice */
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
