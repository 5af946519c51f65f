/* portalctl audit verify, audit seal, ratelimit prune: the operator's side of
 * core/audit.c and core/ratelimit.c (the jobs runner calls the same
 * library functions). */
#include "cli.h"

#include <stdio.h>
#include "audit.h"
#include "ratelimit.h"

int portal_cli_audit_verify(portal_cli *cli)
{
    portal_db *db = portal_cli_connect(cli, cli->db);
    if (!db)
        return 1;
    portal_audit_report r;
    portal_db_error e;
    if (portal_audit_verify(db, cli->pool, &r, &e) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: audit verify: %s (connect as the schema owner: "
                "reading the log needs it)\n", portal_db_error_line(cli->pool, &e));
        return 1;
    }
    if (r.problem != PORTAL_AUDIT_INTACT) {
        printf("audit log: %lld rows, chain BROKEN at row %lld: %s\n", r.rows, r.bad_id,
               portal_audit_problem_text(cli->pool, &r));
        return 1;
    }
    printf("audit log: %lld rows, chain intact\n", r.rows);
    if (r.head_hash)
        printf("chain head: row %lld, sha256 %s (keep it elsewhere: a later verify can "
               "show the chain was not rewritten up to it)\n", r.head_id, r.head_hash);
    if (r.rows > r.sealed)
        printf("%lld rows not sealed yet (portalctl audit seal)\n", r.rows - r.sealed);
    return 0;
}

int portal_cli_audit_seal(portal_cli *cli, int wait_seconds)
{
    portal_db *db = portal_cli_connect(cli, cli->db);
    if (!db)
        return 1;
    portal_audit_seal_result r;
    portal_db_error e;
    if (portal_audit_seal(db, cli->pool, wait_seconds * 1000, &r, &e) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: audit seal: %s\n", portal_db_error_line(cli->pool, &e));
        return 1;
    }
    printf("audit seal: %lld rows sealed, chain head row %lld\n", r.sealed, r.head_id);
    if (r.waiting)
        printf("%lld rows wait for the next run (they came during this one, or a "
               "transaction older than it was still open after %d s)\n", r.waiting,
               wait_seconds);
    return 0;
}

int portal_cli_ratelimit_prune(portal_cli *cli)
{
    portal_db *db = portal_cli_connect(cli, cli->db);
    if (!db)
        return 1;
    long long total = 0, n;
    portal_db_error e;
    do {    /* in batches: each DELETE is short, the counters stay usable */
        if (portal_rate_limit_prune(db, cli->pool, 10000, &n, &e) != APR_SUCCESS) {
            fprintf(stderr, "portalctl: ratelimit prune: %s\n",
                    portal_db_error_line(cli->pool, &e));
            return 1;
        }
        total += n;
    } while (n == 10000);
    printf("ratelimit prune: %lld expired counters deleted\n", total);
    return 0;
}
