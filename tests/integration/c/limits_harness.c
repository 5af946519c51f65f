/* Drives core/ratelimit.c and core/audit.c from many threads at once, each
 * on its own libpq connection, so that a pytest file can check what
 * parallel requests of several Apache children would see. No SQL of its
 * own: the library's named queries only.
 *
 *   limits_harness hits CONNINFO BUCKET KEY LIMIT WINDOW THREADS
 *       THREADS hits released together; prints one line per hit
 *       ("allowed" or "refused RETRY_AFTER"), then "allowed=N refused=M".
 *   limits_harness audit CONNINFO THREADS ROWS [HOLD_MS]
 *       each thread writes ROWS events, one transaction each; every tenth
 *       is rolled back (a gap in the ids). HOLD_MS keeps each transaction
 *       open that long after its insert, so that commits land out of id
 *       order. Prints "committed=N rolled_back=M seconds=S".
 *
 * Exit status 0, or 2 with the reason on stderr. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "audit.h"
#include "db.h"
#include "ratelimit.h"
#include "sqlcat.h"

#define MAX_THREADS 64

typedef struct {
    const char *conninfo;
    const portal_sqlcat *cat;
    pthread_barrier_t *start;
    int index;
    /* hits */
    const char *bucket, *key;
    int limit, window;
    portal_rate_verdict verdict;
    /* audit */
    int rows, hold_ms;
    int committed, rolled_back;
    /* both */
    apr_pool_t *pool;       /* the thread's own (its own allocator), freed by main */
    const char *error;
} job;

static portal_db *connect_db(job *j, apr_pool_t *p, PGconn **conn)
{
    *conn = PQconnectdb(j->conninfo);
    if (PQstatus(*conn) != CONNECTION_OK) {
        j->error = apr_pstrdup(p, PQerrorMessage(*conn));
        return NULL;
    }
    return portal_db_make(*conn, p, j->cat);
}

static void *hit_thread(void *data)
{
    job *j = data;
    apr_pool_t *p = j->pool;
    PGconn *conn;
    portal_db *db = connect_db(j, p, &conn);
    pthread_barrier_wait(j->start);     /* connected; now all at once */
    portal_db_error err;
    if (db && portal_rate_limit(db, p, j->bucket, j->key, j->limit, j->window, &j->verdict,
                                &err) != APR_SUCCESS)
        j->error = portal_db_error_line(p, &err);
    PQfinish(conn);
    return NULL;
}

static void *audit_thread(void *data)
{
    job *j = data;
    apr_pool_t *p = j->pool, *row;
    apr_pool_create(&row, p);
    PGconn *conn;
    portal_db *db = connect_db(j, p, &conn);
    pthread_barrier_wait(j->start);
    for (int i = 0; db && i < j->rows && !j->error; i++) {
        apr_pool_clear(row);
        portal_db_error err;
        json_t *detail = json_pack("{s:i, s:i, s:s}", "thread", j->index, "n", i,
                                   "note", "parallel \"write\" ü");
        portal_audit_event ev = {
            .event = "itest.audit.parallel", .actor_kind = "user",
            .actor_id = "5b0e2a8c-3f4d-4c1e-9a7b-0123456789ab",
            .actor_email = "aylin@example.com.tr",
            .tenant_id = "0e6f1c2d-0000-4000-8000-00000000000a",
            .ip = j->index % 2 ? "2001:db8::7" : "192.0.2.7",
            .user_agent = "limits_harness/1.0", .request_id = "itest", .detail = detail,
        };
        int rollback = i % 10 == 9;
        if (portal_db_begin(db, row, &err) != APR_SUCCESS
            || portal_audit_write(db, row, &ev, &err) != APR_SUCCESS) {
            j->error = portal_db_error_line(p, &err);
            portal_db_rollback(db);
        } else {
            if (j->hold_ms)
                usleep((useconds_t)(j->hold_ms * 1000 * ((i + j->index) % 3)) / 2);
            if (rollback) {
                portal_db_rollback(db);
                j->rolled_back++;
            } else if (portal_db_commit(db, row, &err) != APR_SUCCESS) {
                j->error = portal_db_error_line(p, &err);
            } else {
                j->committed++;
            }
        }
        json_decref(detail);
    }
    PQfinish(conn);
    return NULL;
}

static int run(job *jobs, int n, void *(*fn)(void *))
{
    pthread_t t[MAX_THREADS];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        jobs[i].start = &start;
        jobs[i].index = i;
        apr_pool_create_unmanaged_ex(&jobs[i].pool, NULL, NULL);
        pthread_create(&t[i], NULL, fn, &jobs[i]);
    }
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (jobs[i].error) {
            fprintf(stderr, "limits_harness: thread %d: %s\n", i, jobs[i].error);
            rc = 2;
        }
        apr_pool_destroy(jobs[i].pool);
        jobs[i].pool = NULL;
    }
    return rc;
}

int main(int argc, const char *const *argv)
{
    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_t *root;
    apr_pool_create(&root, NULL);
    portal_sqlcat *cat;
    const char *why;
    if (portal_sqlcat_embedded(root, &cat, &why) != APR_SUCCESS) {
        fprintf(stderr, "limits_harness: %s\n", why);
        return 2;
    }
    job jobs[MAX_THREADS];
    memset(jobs, 0, sizeof(jobs));
    if (argc == 8 && strcmp(argv[1], "hits") == 0) {
        int n = atoi(argv[7]);
        if (n < 1 || n > MAX_THREADS)
            return 2;
        for (int i = 0; i < n; i++)
            jobs[i] = (job){ .conninfo = argv[2], .cat = cat, .bucket = argv[3],
                             .key = argv[4], .limit = atoi(argv[5]), .window = atoi(argv[6]) };
        if (run(jobs, n, hit_thread))
            return 2;
        int allowed = 0;
        for (int i = 0; i < n; i++) {
            if (jobs[i].verdict.allowed)
                printf("allowed\n");
            else
                printf("refused %d\n", jobs[i].verdict.retry_after);
            allowed += jobs[i].verdict.allowed;
        }
        printf("allowed=%d refused=%d\n", allowed, n - allowed);
        return 0;
    }
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "audit") == 0) {
        int n = atoi(argv[3]);
        if (n < 1 || n > MAX_THREADS)
            return 2;
        for (int i = 0; i < n; i++)
            jobs[i] = (job){ .conninfo = argv[2], .cat = cat, .rows = atoi(argv[4]),
                             .hold_ms = argc == 6 ? atoi(argv[5]) : 0 };
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (run(jobs, n, audit_thread))
            return 2;
        clock_gettime(CLOCK_MONOTONIC, &b);
        int committed = 0, rolled_back = 0;
        for (int i = 0; i < n; i++) {
            committed += jobs[i].committed;
            rolled_back += jobs[i].rolled_back;
        }
        printf("committed=%d rolled_back=%d seconds=%.3f\n", committed, rolled_back,
               (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
        return 0;
    }
    fprintf(stderr, "usage: limits_harness hits CONNINFO BUCKET KEY LIMIT WINDOW THREADS\n"
                    "       limits_harness audit CONNINFO THREADS ROWS [HOLD_MS]\n");
    return 2;
}
