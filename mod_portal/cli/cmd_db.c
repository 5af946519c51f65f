/* portalctl migrate, migrate --status, seed-demo. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "embedded.h"
#include "migrate.h"
#include "password.h"

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

/* The demo company and its people: what `make run` prints and writes to
 * var/demo.json, and what the tests sign in with. */
#define DEMO_TENANT "5e0d7a9c-3b1f-4c2e-9a8d-6f4b2c1e0a01"
#define DEMO_COMPANY "Xəzər Ticarət MMC"
static const struct {
    const char *key, *email, *password, *name, *locale, *role;
} demo_people[] = {
    { "customer", "owner@xezer.example", "Xezer-owner-2026", "Aysel Məmmədova", "az", "owner" },
    { "member", "member@xezer.example", "Xezer-member-2026", "Rauf Əliyev", "az", "member" },
};

static int seed_failed(portal_cli *cli, const char *what, const portal_db_error *e)
{
    fprintf(stderr, "portalctl: seed-demo: %s: %s (run `portalctl migrate` first?)\n", what,
            portal_db_error_line(cli->pool, e));
    return 1;
}

int portal_cli_seed_demo(portal_cli *cli, const char *secret_file)
{
    portal_db *db = portal_cli_connect(cli, cli->db);
    if (!db)
        return 1;
    portal_db_result *res;
    portal_db_error e;
    if (portal_db_query(db, cli->pool, "demo.plans", 0, NULL, &res, &e) != APR_SUCCESS)
        return seed_failed(cli, "plans", &e);
    printf("seed-demo: %lld plans added (existing ones kept)\n", portal_db_affected(res));

    const char *tenant[] = { DEMO_TENANT, DEMO_COMPANY };
    if (portal_db_query_as(db, cli->pool, PORTAL_DB_ALL_TENANTS, "demo.tenant", 2, tenant,
                           &res, &e) != APR_SUCCESS)
        return seed_failed(cli, "company", &e);
    json_t *out = json_object();
    for (apr_size_t i = 0; i < sizeof(demo_people) / sizeof(demo_people[0]); i++) {
        const char *hash;
        if (portal_password_hash(cli->pool, demo_people[i].password, &hash) != APR_SUCCESS) {
            fprintf(stderr, "portalctl: seed-demo: cannot hash a password\n");
            return 1;
        }
        const char *user[] = { demo_people[i].email, hash, demo_people[i].name,
                               demo_people[i].locale };
        const char *member[] = { DEMO_TENANT, demo_people[i].email, demo_people[i].role };
        if (portal_db_query(db, cli->pool, "demo.user", 4, user, &res, &e) != APR_SUCCESS
            || portal_db_query_as(db, cli->pool, PORTAL_DB_ALL_TENANTS, "demo.member", 3,
                                  member, &res, &e) != APR_SUCCESS)
            return seed_failed(cli, demo_people[i].email, &e);
        json_object_set_new(out, demo_people[i].key, json_pack("{s:s, s:s, s:s, s:s}",
            "email", demo_people[i].email, "password", demo_people[i].password,
            "company", DEMO_COMPANY, "role", demo_people[i].role));
    }
    json_t *admin = portal_cli_seed_demo_admin(cli, db, secret_file);
    if (admin)
        json_object_set_new(out, "admin", admin);
    /* One line a script can read: the accounts to try (stack.py, make run). */
    char *text = json_dumps(out, JSON_COMPACT);
    printf("seed-demo: accounts %s\n", text ? text : "{}");
    free(text);
    json_decref(out);
    return 0;
}
