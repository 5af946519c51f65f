/* Jobs: work that runs outside requests, on whichever runner claims it
 * first — the mod_watchdog thread of each Apache node (mod_portal_jobs.c)
 * or `portalctl jobs run` from cron. A claim is one UPDATE over
 * FOR UPDATE SKIP LOCKED (sql/jobs.sql), so several nodes never run one job
 * at once; the claimed row is leased to its runner ("host:pid") for the
 * kind's lease_seconds, and a runner that dies mid-job leaves its lease to
 * run out, after which another runner takes the job again. Attempts are
 * counted at the claim, so even a job that kills its runner every time
 * runs out of them.
 *
 * A kind is a row of portal_job_kinds (jobs_kinds.c): its name, the
 * function that runs it, and for a periodic kind its period; each runner
 * makes sure a periodic kind has its one row (unique key = kind). Billing's
 * renewals and reminders are added there. */
#ifndef PORTAL_JOBS_H
#define PORTAL_JOBS_H

#include <apr_pools.h>
#include <jansson.h>
#include "db.h"
#include "outbox.h"
#include "smtp.h"

/* Tries of a one-off job before it is marked failed. */
#define PORTAL_JOB_MAX_ATTEMPTS 8

/* What a job function may use; built by the runner's host. */
typedef struct {
    portal_db *db;
    const char *worker;              /* the lease holder: "host:pid" */
    const portal_smtp_cfg *smtp;     /* smtp->url NULL: mail is off */
    const portal_mail_ctx *mail;
    void (*log)(void *baton, int warning, const char *line);   /* one line per job */
    void *log_baton;
} portal_job_env;

typedef struct {
    const char *id;
    const char *kind;
    json_t *payload;                 /* borrowed (an object) */
    int attempts;                    /* this one included */
    int max_attempts;
    int periodic;
} portal_job;

typedef enum {
    PORTAL_JOB_DONE = 0,             /* *note: what it did, or NULL when there was nothing */
    PORTAL_JOB_RETRY,                /* *note: the error; again after the backoff */
    PORTAL_JOB_FAILED                /* *note: the error; never again */
} portal_job_status;

typedef portal_job_status portal_job_fn(const portal_job_env *env, const portal_job *job,
                                        apr_pool_t *p, const char **note);

typedef struct {
    const char *kind;                /* "area.verb": mail.deliver, billing.renew, ... */
    portal_job_fn *run;
    int every_seconds;               /* >= 0: periodic, due again that long after it ran;
                                      * -1: one-off, queued by portal_job_enqueue */
    int lease_seconds;               /* longer than one run may take */
} portal_job_kind;

extern const portal_job_kind portal_job_kinds[];   /* ends with { NULL } */

/* Seconds to wait after the n-th failed attempt (n >= 1): 1 min, 5 min,
 * 30 min, 2 h, 6 h, then 12 h. */
int portal_backoff_seconds(int attempt);

/* Queues a one-off job of kind, due after delay_seconds; with unique_key a
 * job that exists already is kept and *queued is 0. payload is borrowed. */
apr_status_t portal_job_enqueue(portal_db *db, apr_pool_t *p, const char *kind,
                                json_t *payload, const char *unique_key, int delay_seconds,
                                int *queued, portal_db_error *err);

typedef struct {
    int ran, done, retrying, failed;
} portal_jobs_report;

/* Makes sure every periodic kind has its row; then claims and runs due jobs
 * one at a time, at most max_jobs, recording each outcome. An error is a
 * database failure; the report says what ran until then. */
apr_status_t portal_jobs_run_due(const portal_job_env *env, apr_pool_t *p, int max_jobs,
                                 portal_jobs_report *report, portal_db_error *err);

/* The mail.deliver kind (jobs_kinds.c), for tests. */
portal_job_status portal_job_mail_deliver(const portal_job_env *env, const portal_job *job,
                                          apr_pool_t *p, const char **note);

#endif
