/* PostgreSQL by label, over libpq, for the module (on mod_dbd's pooled
 * connections) and portalctl alike.
 *
 * A portal_db is the state of one connection: which server session it last
 * saw (PQbackendPID), which labels that session has prepared, and whether a
 * transaction is open. Before a statement is sent the connection is checked
 * without a round trip (PQconsumeInput, and a FATAL notice the server sent
 * while we were idle): a session that ended while the connection sat in the
 * pool is reset and its statements are prepared again.
 *
 * Transactions: after every statement the layer asks PQtransactionStatus
 * whether a transaction is open, so it knows however one was opened
 * (portal_db_begin, portal_db_exec("BEGIN"), a multi-statement text). If the
 * session ends inside a transaction, the transaction is lost: every later
 * statement fails with PORTAL_DB_UNAVAILABLE without being sent (on a new
 * session it would commit on its own), and so does portal_db_commit, until
 * the caller ends it with portal_db_commit or portal_db_rollback.
 *
 * Resending (portal_db_may_retry), once, on a new session, never inside a
 * transaction: any query whose prepared statement was gone (26000: nothing
 * ran), and a query marked "-- retry: safe" in sql/ (see sqlcat.h) when the
 * server ended its session under it (57P01-57P03). Nothing else: an unmarked
 * query may have had its effect (a 57P01 can follow a commit; a SELECT can
 * call nextval), and whether running it twice is harmless is its author's
 * call, not something read from its first keyword. */
#ifndef PORTAL_DB_H
#define PORTAL_DB_H

#include <apr_pools.h>
#include <libpq-fe.h>
#include "sqlcat.h"

typedef struct portal_db portal_db;
typedef struct portal_db_result portal_db_result;

typedef enum {
    PORTAL_DB_OK = 0,
    PORTAL_DB_UNAVAILABLE,  /* server down, restarting, out of space or time: 503 */
    PORTAL_DB_CONFLICT,     /* an integrity constraint (SQLSTATE class 23) */
    PORTAL_DB_FAILED        /* anything else: a bug or a bad statement: 500 */
} portal_db_kind;

/* What is known of a failed statement's effect. Only UNSENT and ROLLED_BACK
 * claim anything; UNKNOWN is the safe reading of every other failure. */
typedef enum {
    /* It may have run, in part or in full: the session ended under it (a
     * COMMIT may have committed), or the server refused it after doing part
     * of the work (multi-statement text, a nextval). */
    PORTAL_DB_FATE_UNKNOWN = 0,
    /* Refused before anything was sent: it did not run. From
     * portal_db_commit: COMMIT was not sent because the session that held
     * the transaction had ended, so the server rolled the transaction back. */
    PORTAL_DB_FATE_UNSENT,
    /* From portal_db_commit: the transaction is known not to have committed:
     * it had failed, or the server answered the COMMIT itself with an error
     * (40001 or 40P01 found at commit, a deferred constraint), which rolls it
     * back. */
    PORTAL_DB_FATE_ROLLED_BACK
} portal_db_fate;

typedef struct {
    portal_db_kind kind;
    portal_db_fate fate;    /* whether it, or the committed transaction, happened */
    char sqlstate[6];       /* "" when the server sent none */
    const char *constraint; /* for CONFLICT, the constraint's name if known */
    const char *message;    /* for the log only, never for the client */
} portal_db_error;

/* Wraps conn; the state lives in conn_pool, which must live as long as conn. */
portal_db *portal_db_make(PGconn *conn, apr_pool_t *conn_pool, const portal_sqlcat *cat);
PGconn *portal_db_conn(portal_db *db);

/* Runs the named query with text parameters (NULL entries are SQL NULL).
 * The result is freed with p. */
apr_status_t portal_db_query(portal_db *db, apr_pool_t *p, const char *label,
                             int nparams, const char *const *params,
                             portal_db_result **res, portal_db_error *err);

/* Tenancy: portal_db_query, with the statement scoped to a tenant (its uuid
 * as text) for the row-level-security policies of the tenant-owned tables
 * (sql/migrations/002_identity.sql), or to every tenant with
 * PORTAL_DB_ALL_TENANTS (the admin area). The setting travels in the same
 * pipeline as the statement, one round trip, and is local to the
 * statement's transaction (its implicit one, or the caller's): it never
 * outlives it on a pooled connection, and a statement that reaches the
 * server without it sees no tenant-owned row. No tenant given: refused. */
#define PORTAL_DB_ALL_TENANTS "*"
apr_status_t portal_db_query_as(portal_db *db, apr_pool_t *p, const char *tenant,
                                const char *label, int nparams, const char *const *params,
                                portal_db_result **res, portal_db_error *err);

/* Runs a plain command without parameters: a migration's text, or BEGIN;
 * multi-statement text is allowed, and the transaction it opens or ends is
 * tracked. Never resent. If the session is lost under it, the layer counts a
 * transaction as open (the text may have opened one): end it with
 * portal_db_rollback. End transactions with portal_db_commit rather than
 * "COMMIT" text: a COMMIT of a failed transaction is answered ROLLBACK, which
 * is a success to libpq. */
apr_status_t portal_db_exec(portal_db *db, apr_pool_t *p, const char *sql,
                            portal_db_error *err);

/* Refused while a transaction is open or lost, which it leaves as it is: the
 * caller ends that one first. On any other failure no transaction is left
 * open. */
apr_status_t portal_db_begin(portal_db *db, apr_pool_t *p, portal_db_error *err);
/* Fails when the transaction had failed, was lost with its session, or is not
 * open any more; in every case the transaction is over afterwards. err->fate
 * says whether the transaction is known not to have committed (UNSENT,
 * ROLLED_BACK) or may have (UNKNOWN: the session ended under the COMMIT, or
 * something before it ended the transaction). */
apr_status_t portal_db_commit(portal_db *db, apr_pool_t *p, portal_db_error *err);
/* Rolls back an open transaction, if any, and ends a lost one; never fails
 * loudly. */
void portal_db_rollback(portal_db *db);
/* 1 from the statement that opened a transaction to the one that ended it,
 * and while a lost one has not been ended. */
int portal_db_in_transaction(const portal_db *db);

int portal_db_nrows(const portal_db_result *res);
/* Column by name: the text value, NULL for SQL NULL or an unknown column. */
const char *portal_db_get(const portal_db_result *res, int row, const char *col);
long long portal_db_get_int(const portal_db_result *res, int row, const char *col);
int portal_db_get_bool(const portal_db_result *res, int row, const char *col);
/* Rows changed by an INSERT/UPDATE/DELETE. */
long long portal_db_affected(const portal_db_result *res);

/* The retry rule above: 1 when a query (marked safe to resend or not) that
 * failed with sqlstate may be sent again on a fresh session. */
int portal_db_may_retry(const char *sqlstate, int retry_safe, int in_transaction);

/* Fills err for a call the db layer's users refuse before any statement
 * (bad arguments, no randomness): PORTAL_DB_FAILED, nothing sent.
 * Returns APR_EINVAL. */
apr_status_t portal_db_refuse(portal_db_error *err, const char *message);

/* The last error in one line for logs: "[57P01] terminating connection ...". */
const char *portal_db_error_line(apr_pool_t *p, const portal_db_error *err);

#endif
