/* portalctl migrate, migrate --status, seed-demo. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include "embedded.h"
#include "migrate.h"

static void report_applied(void *baton, const portal_migration *m)
{
    (void)baton;
    printf("applied %s\n", m->name);
}

static int migrate_status(portal_cli *cli, portal_db *db, const apr_array_header_t *known)
{
    apr_array_header_t *applied, *todo;
    const char *err;
    if (portal_migrate_applied(db, cli->pool, &applied, &err) != APR_SUCCESS
        || portal_migrate_plan(cli->pool, known, applied, &todo, &err) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: %s\n", err);
        return 1;
    }
    for (int i = 0; i < known->nelts; i++) {
        const portal_migration *m = &APR_ARRAY_IDX(known, i, portal_migration);
        int pending = 0;
        for (int k = 0; k < todo->nelts; k++)
            if (APR_ARRAY_IDX(todo, k, const portal_migration *) == m)
                pending = 1;
        printf("%-8s %s\n", pending ? "pending" : "applied", m->name);
    }
    printf("%d applied, %d pending\n", known->nelts - todo->nelts, todo->nelts);
    return 0;
}

int portal_cli_migrate(portal_cli *cli, int status_only)
{
    apr_array_header_t *known;
    const char *err;
    if (portal_migrations_load(cli->pool, portal_migration_files, &known, &err) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: %s\n", err);
        return 1;
    }
    portal_db *db = portal_cli_connect(cli, cli->db);
    if (!db)
        return 1;
    if (status_only)
        return migrate_status(cli, db, known);
    int count = 0;
    if (portal_migrate_run(db, cli->pool, known, report_applied, NULL, &count, &err)
        != APR_SUCCESS) {
        fprintf(stderr, "portalctl: %s\n", err);
        return 1;
    }
    printf(count ? "migrate: %d applied, schema is current\n"
                 : "migrate: nothing to apply, schema is current\n", count);
    return 0;
}

int portal_cli_seed_demo(portal_cli *cli)
{
    portal_db *db = portal_cli_connect(cli, cli->db);
    if (!db)
        return 1;
    portal_db_result *res;
    portal_db_error e;
    if (portal_db_query(db, cli->pool, "demo.plans", 0, NULL, &res, &e) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: seed-demo: %s (run `portalctl migrate` first?)\n",
                portal_db_error_line(cli->pool, &e));
        return 1;
    }
    printf("seed-demo: %lld plans added (existing ones kept)\n", portal_db_affected(res));
    return 0;
}
