#include "jobs.h"

#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "buf.h"
#include "json.h"

/* A periodic job that fails is never given up (it is the machinery, not a
 * piece of work), and waits at most this long before its next run. */
#define PERIODIC_MAX_DELAY 60

int portal_backoff_seconds(int attempt)
{
    static const int schedule[] = { 60, 300, 1800, 7200, 21600, 43200 };
    const int n = (int)(sizeof(schedule) / sizeof(schedule[0]));
    if (attempt < 1)
        attempt = 1;
    return schedule[attempt <= n ? attempt - 1 : n - 1];
}

static const portal_job_kind *kind_named(const char *kind)
{
    for (const portal_job_kind *k = portal_job_kinds; k->kind; k++)
        if (strcmp(k->kind, kind) == 0)
            return k;
    return NULL;
}

apr_status_t portal_job_enqueue(portal_db *db, apr_pool_t *p, const char *kind,
                                json_t *payload, const char *unique_key, int delay_seconds,
                                int *queued, portal_db_error *err)
{
    const char *json = "{}";
    if (payload) {
        char *text = json_dumps(payload, JSON_COMPACT);   /* jansson's malloc */
        if (!text) {
            err->kind = PORTAL_DB_FAILED;
            err->sqlstate[0] = '\0';
            err->constraint = NULL;
            err->message = "the job's payload is not JSON";
            return APR_EINVAL;
        }
        json = apr_pstrdup(p, text);
        free(text);
    }
    const char *params[] = { kind, json, unique_key, apr_itoa(p, delay_seconds < 0 ? 0
                                                                 : delay_seconds),
                             apr_itoa(p, PORTAL_JOB_MAX_ATTEMPTS) };
    portal_db_result *res;
    apr_status_t rv = portal_db_query(db, p, "jobs.enqueue", 5, params, &res, err);
    if (rv == APR_SUCCESS && queued)
        *queued = portal_db_nrows(res) > 0;
    return rv;
}

/* The kinds this runner knows, and their leases, as two array literals for
 * jobs.claim: "{mail.deliver,...}" and "{60,...}" (kind names are
 * [a-z0-9_.], nothing to quote). */
static void kind_arrays(apr_pool_t *p, const char **kinds, const char **leases)
{
    portal_buf k, l;
    portal_buf_init(&k, p, 128);
    portal_buf_init(&l, p, 64);
    portal_buf_putc(&k, '{');
    portal_buf_putc(&l, '{');
    for (const portal_job_kind *x = portal_job_kinds; x->kind; x++) {
        if (x != portal_job_kinds) {
            portal_buf_putc(&k, ',');
            portal_buf_putc(&l, ',');
        }
        portal_buf_puts(&k, x->kind);
        portal_buf_printf(&l, "%d", x->lease_seconds);
    }
    portal_buf_putc(&k, '}');
    portal_buf_putc(&l, '}');
    *kinds = k.data;
    *leases = l.data;
}

static apr_status_t ensure_periodic(const portal_job_env *env, apr_pool_t *p,
                                    portal_db_error *err)
{
    for (const portal_job_kind *k = portal_job_kinds; k->kind; k++) {
        if (k->every_seconds < 0)
            continue;
        const char *params[] = { k->kind, apr_itoa(p, k->every_seconds) };
        portal_db_result *res;
        apr_status_t rv = portal_db_query(env->db, p, "jobs.ensure_periodic", 2, params, &res,
                                          err);
        if (rv != APR_SUCCESS)
            return rv;
    }
    return APR_SUCCESS;
}

static void say(const portal_job_env *env, int warning, const char *line)
{
    if (env->log)
        env->log(env->log_baton, warning, line);
}

/* Runs one claimed job and writes down how it went. */
static apr_status_t run_one(const portal_job_env *env, apr_pool_t *p,
                            const portal_db_result *row, portal_jobs_report *rep,
                            portal_db_error *err)
{
    portal_job job = {
        .id = portal_db_get(row, 0, "id"),
        .kind = portal_db_get(row, 0, "kind"),
        .attempts = (int)portal_db_get_int(row, 0, "attempts"),
        .max_attempts = (int)portal_db_get_int(row, 0, "max_attempts"),
        .periodic = portal_db_get(row, 0, "every_seconds") != NULL,
    };
    const char *text = portal_db_get(row, 0, "payload");
    json_t *payload = text ? json_loads(text, 0, NULL) : NULL;
    job.payload = portal_json_owned(p, payload ? payload : json_object());
    const portal_job_kind *k = kind_named(job.kind);
    const char *note = NULL;
    portal_job_status st = k ? k->run(env, &job, p, &note) : PORTAL_JOB_FAILED;
    if (!k)
        note = "no runner knows this kind";
    rep->ran++;
    const char *line = NULL;
    portal_db_result *res;
    apr_status_t rv;
    if (st == PORTAL_JOB_DONE) {
        rep->done++;
        const char *params[] = { job.id, env->worker };
        rv = portal_db_query(env->db, p, "jobs.done", 2, params, &res, err);
        if (note)
            line = apr_psprintf(p, "job %s %s: %s", job.id, job.kind, note);
    } else if (job.periodic || (st == PORTAL_JOB_RETRY && job.attempts < job.max_attempts)) {
        rep->retrying++;
        int delay = portal_backoff_seconds(job.attempts);
        if (job.periodic && delay > PERIODIC_MAX_DELAY)
            delay = PERIODIC_MAX_DELAY;
        const char *params[] = { job.id, env->worker, note ? note : "failed",
                                 apr_itoa(p, delay) };
        rv = portal_db_query(env->db, p, "jobs.retry", 4, params, &res, err);
        line = apr_psprintf(p, "job %s %s failed (attempt %d), again in %d s: %s", job.id,
                            job.kind, job.attempts, delay, note ? note : "");
    } else {
        rep->failed++;
        const char *why = st == PORTAL_JOB_FAILED ? note
                        : apr_psprintf(p, "gave up after %d attempts: %s", job.attempts,
                                       note ? note : "");
        const char *params[] = { job.id, env->worker, why ? why : "failed" };
        rv = portal_db_query(env->db, p, "jobs.fail", 3, params, &res, err);
        line = apr_psprintf(p, "job %s %s failed for good: %s", job.id, job.kind,
                            why ? why : "");
    }
    if (line)
        say(env, st != PORTAL_JOB_DONE, line);
    if (rv == APR_SUCCESS && portal_db_affected(res) == 0)
        say(env, 1, apr_psprintf(p, "job %s %s: its lease had run out and another runner "
                                 "took it; this run's outcome was not recorded", job.id,
                                 job.kind));
    return rv;
}

apr_status_t portal_jobs_run_due(const portal_job_env *env, apr_pool_t *p, int max_jobs,
                                 portal_jobs_report *rep, portal_db_error *err)
{
    memset(rep, 0, sizeof(*rep));
    apr_status_t rv = ensure_periodic(env, p, err);
    if (rv != APR_SUCCESS)
        return rv;
    const char *kinds, *leases;
    kind_arrays(p, &kinds, &leases);
    apr_pool_t *each;
    apr_pool_create(&each, p);
    portal_buf ran;   /* ids run so far, as an array literal's inside */
    portal_buf_init(&ran, p, 64);
    for (int i = 0; i < max_jobs && rv == APR_SUCCESS; i++) {
        apr_pool_clear(each);
        const char *params[] = { env->worker, kinds, leases,
                                 apr_pstrcat(each, "{", ran.data, "}", NULL) };
        portal_db_result *row;
        rv = portal_db_query(env->db, each, "jobs.claim", 4, params, &row, err);
        if (rv != APR_SUCCESS || portal_db_nrows(row) == 0)
            break;
        portal_buf_printf(&ran, "%s%s", ran.len ? "," : "", portal_db_get(row, 0, "id"));
        rv = run_one(env, each, row, rep, err);
    }
    if (rv != APR_SUCCESS)
        err->message = apr_pstrdup(p, err->message ? err->message : "");
    apr_pool_destroy(each);
    return rv;
}
