#include "db.h"

#include <stdlib.h>
#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>

struct portal_db {
    PGconn *conn;
    const portal_sqlcat *cat;
    int session_pid;          /* PQbackendPID of the session prepared for */
    apr_pool_t *session_pool; /* cleared when the session changes */
    apr_hash_t *prepared;     /* labels prepared in this session */
    /* A transaction is open on session_pid (or may be): set from
     * PQtransactionStatus after every statement, however the transaction was
     * opened, and kept when the session is lost under it, so that every later
     * statement of that transaction fails instead of autocommitting on a new
     * session; cleared when a statement ends it, or by portal_db_rollback. */
    int in_transaction;
    int session_ending;       /* the server said FATAL while we were idle */
};

struct portal_db_result {
    PGresult *res;
};

/* Messages that arrive outside a query. A FATAL one (57P01 when an
 * administrator stops the server) means the session is ending: the server
 * closes the connection right after sending it. */
static void on_notice(void *arg, const PGresult *res)
{
    portal_db *db = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (severity && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0))
        db->session_ending = 1;
}

portal_db *portal_db_make(PGconn *conn, apr_pool_t *conn_pool, const portal_sqlcat *cat)
{
    portal_db *db = apr_pcalloc(conn_pool, sizeof(*db));
    db->conn = conn;
    db->cat = cat;
    apr_pool_create(&db->session_pool, conn_pool);
    db->prepared = apr_hash_make(db->session_pool);
    PQsetNoticeReceiver(conn, on_notice, db);
    return db;
}

PGconn *portal_db_conn(portal_db *db)
{
    return db->conn;
}

/* A refusal before anything was sent (every caller of fail is one). */
static apr_status_t fail(portal_db_error *err, portal_db_kind kind, const char *sqlstate,
                         const char *message)
{
    err->kind = kind;
    err->fate = PORTAL_DB_FATE_UNSENT;
    apr_cpystrn(err->sqlstate, sqlstate ? sqlstate : "", sizeof(err->sqlstate));
    err->constraint = NULL;
    err->message = message;
    return APR_EGENERAL;
}

static portal_db_kind kind_of(const char *sqlstate)
{
    if (!sqlstate || !*sqlstate)
        return PORTAL_DB_UNAVAILABLE;          /* the client lost the server */
    if (strncmp(sqlstate, "08", 2) == 0        /* connection exception */
        || strncmp(sqlstate, "53", 2) == 0     /* insufficient resources: disk full */
        || strncmp(sqlstate, "57", 2) == 0     /* shutdown, cancel, statement timeout */
        || strcmp(sqlstate, "40001") == 0      /* serialization failure */
        || strcmp(sqlstate, "40P01") == 0)     /* deadlock */
        return PORTAL_DB_UNAVAILABLE;
    if (strncmp(sqlstate, "23", 2) == 0)
        return PORTAL_DB_CONFLICT;
    return PORTAL_DB_FAILED;
}

/* Fills err from a failed result (or from the connection if res is NULL). */
static apr_status_t fail_result(portal_db *db, apr_pool_t *p, PGresult *res,
                                portal_db_error *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn);
    if (!msg || !*msg)
        msg = PQerrorMessage(db->conn);
    fail(err, kind_of(state), state, apr_pstrdup(p, msg));
    err->fate = PORTAL_DB_FATE_UNKNOWN;   /* it was sent: the caller knows better */
    if (res && err->kind == PORTAL_DB_CONFLICT) {
        const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        err->constraint = c ? apr_pstrdup(p, c) : NULL;
    }
    return APR_EGENERAL;
}

/* 1 when the session of an idle connection has ended or is ending, learnt
 * without sending anything: whatever the server sent while we were idle is
 * read and parsed (a FATAL goes to on_notice), and a second read sees the
 * end of the stream that follows it. */
static int ended_while_idle(portal_db *db)
{
    for (int read = 0; read < 2; read++) {
        if (!PQconsumeInput(db->conn))
            return 1;
        PQisBusy(db->conn);
        if (PQstatus(db->conn) != CONNECTION_OK || db->session_ending)
            return 1;
    }
    return 0;
}

/* Makes sure the connection has a live session, resetting a connection whose
 * session ended while it was idle; forgets prepared statements when the
 * session is a new one. Sends nothing to a live server. Inside a transaction
 * whose session has ended (or been replaced, by a reset outside this file)
 * it refuses: the transaction is gone, and a statement run on a new session
 * would commit on its own. */
static apr_status_t ensure_session(portal_db *db, apr_pool_t *p, portal_db_error *err)
{
    int dead = PQstatus(db->conn) != CONNECTION_OK;
    if (!dead)
        dead = ended_while_idle(db);
    if (db->in_transaction && (dead || PQbackendPID(db->conn) != db->session_pid)) {
        const char *why = PQerrorMessage(db->conn);
        return fail(err, PORTAL_DB_UNAVAILABLE, NULL,
                    apr_psprintf(p, "the session ended inside a transaction: the "
                                 "transaction is lost, roll it back%s%s",
                                 *why ? ": " : "", why));
    }
    if (dead) {
        db->session_ending = 0;
        PQreset(db->conn);
        if (PQpipelineStatus(db->conn) != PQ_PIPELINE_OFF)
            PQexitPipelineMode(db->conn);
        if (PQstatus(db->conn) != CONNECTION_OK)
            return fail(err, PORTAL_DB_UNAVAILABLE, NULL,
                        apr_pstrdup(p, PQerrorMessage(db->conn)));
    }
    int pid = PQbackendPID(db->conn);
    if (pid != db->session_pid) {
        apr_pool_clear(db->session_pool);
        db->prepared = apr_hash_make(db->session_pool);
        db->session_pid = pid;
    }
    return APR_SUCCESS;
}

/* The outcome of the statement just sent (NULL if it could not be sent): the
 * first error if there is one, else the last result. PQexec keeps the last:
 * when the server ends a session under a statement, its FATAL (57P01: the
 * reason, which the retry rule needs) is followed by a second error for the
 * closed connection, with no SQLSTATE. */
static PGresult *outcome(PGconn *conn, int sent)
{
    PGresult *kept = NULL, *r;
    if (!sent)
        return NULL;
    while ((r = PQgetResult(conn)) != NULL) {
        if (kept && PQresultStatus(kept) == PGRES_FATAL_ERROR) {
            PQclear(r);
        } else {
            PQclear(kept);
            kept = r;
        }
        /* As PQexec does: past these, PQgetResult would never return NULL. */
        ExecStatusType st = PQresultStatus(kept);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH
            || PQstatus(conn) == CONNECTION_BAD)
            break;
    }
    return kept;
}

/* After every statement: whether it left a transaction open. A session lost
 * under the statement says PQTRANS_UNKNOWN; then a transaction open before
 * stays open as far as the caller knows (lost, see ensure_session), and text
 * that may have opened one (may_open) counts as if it had. */
static void track_transaction(portal_db *db, int may_open)
{
    switch (PQtransactionStatus(db->conn)) {
    case PQTRANS_IDLE:
        db->in_transaction = 0;
        break;
    case PQTRANS_INTRANS:
    case PQTRANS_INERROR:
        db->in_transaction = 1;
        break;
    default:
        if (may_open)
            db->in_transaction = 1;
        break;
    }
}

static apr_status_t prepare(portal_db *db, apr_pool_t *p, const portal_sql *q,
                            portal_db_error *err)
{
    if (apr_hash_get(db->prepared, q->label, APR_HASH_KEY_STRING))
        return APR_SUCCESS;
    PGresult *res = outcome(db->conn, PQsendPrepare(db->conn, q->label, q->sql, 0, NULL));
    apr_status_t rv = APR_SUCCESS;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int already = state && strcmp(state, "42P05") == 0;   /* prepared before we knew */
    if ((!res || PQresultStatus(res) != PGRES_COMMAND_OK) && !already)
        rv = fail_result(db, p, res, err);
    else
        apr_hash_set(db->prepared, apr_pstrdup(db->session_pool, q->label),
                     APR_HASH_KEY_STRING, "");
    PQclear(res);
    return rv;
}

static apr_status_t clear_result(void *data)
{
    PQclear(data);
    return APR_SUCCESS;
}

int portal_db_may_retry(const char *sqlstate, int retry_safe, int in_transaction)
{
    if (in_transaction)
        return 0;   /* the rest of the transaction is gone with the session */
    if (strcmp(sqlstate, "26000") == 0)
        return 1;   /* the prepared statement was missing: nothing ran */
    /* The session ended under the statement, which may have had its effect
     * (57P01 can follow a commit, 57P02 can come at any moment; a SELECT can
     * call nextval or activate a device), so only a query its author marked
     * safe to run twice is sent again. */
    return retry_safe && (strcmp(sqlstate, "57P01") == 0 || strcmp(sqlstate, "57P02") == 0
                          || strcmp(sqlstate, "57P03") == 0);
}

/* The statement q, and before it in the same pipeline (one round trip, one
 * implicit transaction) the statement that sets the tenant the policies see:
 * a transaction-local setting, so it ends with the statement's transaction,
 * and a reset session can never run q without it. Returns q's outcome, or
 * the scope statement's error. */
static PGresult *send_scoped(portal_db *db, const portal_sql *scope, const char *scope_arg,
                             const portal_sql *q, int nparams, const char *const *params)
{
    PGconn *c = db->conn;
    if (!PQenterPipelineMode(c))
        return NULL;
    int sent = PQsendQueryPrepared(c, scope->label, 1, &scope_arg, NULL, NULL, 0)
               && PQsendQueryPrepared(c, q->label, nparams, params, NULL, NULL, 0)
               && PQpipelineSync(c);
    PGresult *scope_res = outcome(c, sent), *res = outcome(c, sent);
    PGresult *sync;
    while (sent && PQstatus(c) == CONNECTION_OK && (sync = PQgetResult(c)) != NULL) {
        int done = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
        PQclear(sync);
        if (done)
            break;
    }
    PQexitPipelineMode(c);
    if (scope_res && PQresultStatus(scope_res) != PGRES_TUPLES_OK) {
        PQclear(res);
        return scope_res;
    }
    PQclear(scope_res);
    return res;
}

/* A named query, scoped to a tenant (scope_label names the statement that
 * sets it, with scope_arg its parameter) or not (scope_label NULL). */
static apr_status_t run_query(portal_db *db, apr_pool_t *p, const char *scope_label,
                              const char *scope_arg, const char *label, int nparams,
                              const char *const *params, portal_db_result **out,
                              portal_db_error *err)
{
    const portal_sql *q = portal_sqlcat_get(db->cat, label);
    const portal_sql *scope = scope_label ? portal_sqlcat_get(db->cat, scope_label) : NULL;
    if (!q || (scope_label && !scope))
        return fail(err, PORTAL_DB_FAILED, NULL,
                    apr_psprintf(p, "no query is labelled '%s' in sql/",
                                 q ? scope_label : label));
    if (nparams != q->nparams)
        return fail(err, PORTAL_DB_FAILED, NULL,
                    apr_psprintf(p, "query '%s' takes %d parameters, given %d",
                                 label, q->nparams, nparams));
    int maybe_ran = 0;   /* an earlier attempt was sent and may have run */
    for (int attempt = 0; ; attempt++) {
        apr_status_t rv = ensure_session(db, p, err);
        if (rv != APR_SUCCESS) {
            if (maybe_ran)
                err->fate = PORTAL_DB_FATE_UNKNOWN;
            return rv;
        }
        /* Read before sending: once the session is lost, PQtransactionStatus
         * no longer says that it was inside a transaction. */
        int in_transaction = db->in_transaction
                             || PQtransactionStatus(db->conn) != PQTRANS_IDLE;
        rv = prepare(db, p, q, err);
        if (rv == APR_SUCCESS && scope)
            rv = prepare(db, p, scope, err);
        if (rv == APR_SUCCESS) {
            PGresult *res = scope
                ? send_scoped(db, scope, scope_arg, q, nparams, params)
                : outcome(db->conn, PQsendQueryPrepared(db->conn, q->label, nparams,
                                                        params, NULL, NULL, 0));
            track_transaction(db, 0);
            ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
            if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
                portal_db_result *r = apr_palloc(p, sizeof(*r));
                r->res = res;
                apr_pool_cleanup_register(p, res, clear_result, apr_pool_cleanup_null);
                *out = r;
                return APR_SUCCESS;
            }
            fail_result(db, p, res, err);
            PQclear(res);
        } else {
            track_transaction(db, 0);   /* a failed PREPARE aborts a transaction too */
        }
        if (strcmp(err->sqlstate, "26000") == 0) {
            apr_hash_set(db->prepared, q->label, APR_HASH_KEY_STRING, NULL);
            if (scope)
                apr_hash_set(db->prepared, scope->label, APR_HASH_KEY_STRING, NULL);
        } else {
            maybe_ran = 1;
        }
        if (attempt > 0 || !portal_db_may_retry(err->sqlstate, q->retry_safe, in_transaction))
            return APR_EGENERAL;
    }
}

apr_status_t portal_db_query(portal_db *db, apr_pool_t *p, const char *label,
                             int nparams, const char *const *params,
                             portal_db_result **out, portal_db_error *err)
{
    return run_query(db, p, NULL, NULL, label, nparams, params, out, err);
}

apr_status_t portal_db_query_as(portal_db *db, apr_pool_t *p, const char *tenant,
                                const char *label, int nparams, const char *const *params,
                                portal_db_result **out, portal_db_error *err)
{
    if (!tenant || !*tenant)
        return fail(err, PORTAL_DB_FAILED, NULL,
                    apr_psprintf(p, "query '%s' needs a tenant and was given none", label));
    if (strcmp(tenant, PORTAL_DB_ALL_TENANTS) == 0)
        return run_query(db, p, "tenancy.all_tenants", "on", label, nparams, params, out, err);
    return run_query(db, p, "tenancy.tenant", tenant, label, nparams, params, out, err);
}

/* portal_db_exec; *refused is set to 1 when the server answered the text
 * with an ERROR (not a FATAL: its session lives on) and is out of any
 * transaction afterwards. */
static apr_status_t exec_text(portal_db *db, apr_pool_t *p, const char *sql,
                              portal_db_error *err, int *refused)
{
    *refused = 0;
    apr_status_t rv = ensure_session(db, p, err);
    if (rv != APR_SUCCESS)
        return rv;
    PGresult *res = outcome(db->conn, PQsendQuery(db->conn, sql));
    /* The text may open or end a transaction ("BEGIN", "COMMIT", a migration
     * with both): the server's word after it is what counts. */
    track_transaction(db, 1);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    rv = APR_SUCCESS;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rv = fail_result(db, p, res, err);
        const char *severity = res ? PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED)
                                   : NULL;
        *refused = severity && strcmp(severity, "ERROR") == 0
                   && PQstatus(db->conn) == CONNECTION_OK
                   && PQtransactionStatus(db->conn) == PQTRANS_IDLE;
    }
    PQclear(res);
    return rv;
}

apr_status_t portal_db_exec(portal_db *db, apr_pool_t *p, const char *sql,
                            portal_db_error *err)
{
    int refused;
    return exec_text(db, p, sql, err, &refused);
}

apr_status_t portal_db_begin(portal_db *db, apr_pool_t *p, portal_db_error *err)
{
    /* Refused, leaving the open transaction as it is: ending it here would
     * clear a lost transaction's mark, and the caller's next statements
     * would autocommit on a new session; sending BEGIN to a live one only
     * draws a warning, and two transactions would silently be one. */
    if (db->in_transaction)
        return fail(err, PORTAL_DB_FAILED, NULL, "BEGIN inside a transaction: end it "
                    "first (portal_db_commit or portal_db_rollback)");
    apr_status_t rv = portal_db_exec(db, p, "BEGIN", err);
    if (rv != APR_SUCCESS)
        portal_db_rollback(db);   /* the caller has no transaction to end */
    return rv;
}

apr_status_t portal_db_commit(portal_db *db, apr_pool_t *p, portal_db_error *err)
{
    apr_status_t rv;
    if (!db->in_transaction) {
        /* Something ended it early (text with its own COMMIT or ROLLBACK):
         * what the caller meant as one transaction was not one, and part of
         * it may have been committed. */
        rv = fail(err, PORTAL_DB_FAILED, NULL, "COMMIT without an open transaction: a "
                  "statement since BEGIN ended it (its own COMMIT or ROLLBACK?)");
        err->fate = PORTAL_DB_FATE_UNKNOWN;
    } else if (PQstatus(db->conn) == CONNECTION_OK
               && PQtransactionStatus(db->conn) == PQTRANS_INERROR) {
        /* The server would answer ROLLBACK, and PGRES_COMMAND_OK. */
        rv = fail(err, PORTAL_DB_FAILED, NULL, "COMMIT of a transaction that had failed");
        err->fate = PORTAL_DB_FATE_ROLLED_BACK;
    } else {
        /* Not sent (the session had ended: UNSENT from ensure_session), or
         * refused by a server that lives on: the transaction did not commit.
         * A FATAL or silence under the COMMIT stays UNKNOWN: the commit may
         * have happened just before the session ended. */
        int refused;
        rv = exec_text(db, p, "COMMIT", err, &refused);
        if (rv != APR_SUCCESS && refused)
            err->fate = PORTAL_DB_FATE_ROLLED_BACK;
    }
    /* Whatever happened, the transaction is over: a lost one ends here. */
    portal_db_rollback(db);
    return rv;
}

void portal_db_rollback(portal_db *db)
{
    db->in_transaction = 0;
    if (PQstatus(db->conn) == CONNECTION_OK
        && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        PQclear(PQexec(db->conn, "ROLLBACK"));
}

int portal_db_in_transaction(const portal_db *db)
{
    return db->in_transaction;
}

int portal_db_nrows(const portal_db_result *r)
{
    return PQntuples(r->res);
}

const char *portal_db_get(const portal_db_result *r, int row, const char *col)
{
    int c = PQfnumber(r->res, col);
    if (c < 0 || row < 0 || row >= PQntuples(r->res) || PQgetisnull(r->res, row, c))
        return NULL;
    return PQgetvalue(r->res, row, c);
}

long long portal_db_get_int(const portal_db_result *r, int row, const char *col)
{
    const char *v = portal_db_get(r, row, col);
    return v ? strtoll(v, NULL, 10) : 0;
}

int portal_db_get_bool(const portal_db_result *r, int row, const char *col)
{
    const char *v = portal_db_get(r, row, col);
    return v && v[0] == 't';
}

long long portal_db_affected(const portal_db_result *r)
{
    const char *n = PQcmdTuples(r->res);
    return n && *n ? strtoll(n, NULL, 10) : 0;
}

const char *portal_db_error_line(apr_pool_t *p, const portal_db_error *err)
{
    char *msg = apr_pstrdup(p, err->message ? err->message : "");
    for (char *c = msg; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    apr_size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == ' ')
        msg[--n] = '\0';
    return err->sqlstate[0] ? apr_psprintf(p, "[%s] %s", err->sqlstate, msg) : msg;
}

apr_status_t portal_db_refuse(portal_db_error *err, const char *message)
{
    memset(err, 0, sizeof(*err));
    err->kind = PORTAL_DB_FAILED;
    err->fate = PORTAL_DB_FATE_UNSENT;
    err->message = message;
    return APR_EINVAL;
}
