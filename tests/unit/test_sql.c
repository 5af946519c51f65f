/* Named queries of sql/ and the migration plan with its checksums. */
#include <apr_general.h>
#include <apr_strings.h>
#include "check.h"
#include "crypto.h"
#include "db.h"
#include "embedded.h"
#include "migrate.h"
#include "sqlcat.h"

static apr_status_t add(apr_pool_t *p, portal_sqlcat *cat, const char *text, const char **err)
{
    return portal_sqlcat_add_file(p, cat, "area.sql", text, err);
}

static portal_applied_migration applied(const char *version, const char *name,
                                        const char *checksum)
{
    portal_applied_migration a = { version, name, checksum };
    return a;
}

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    const char *err = NULL;

    /* Parsing named queries. */
    portal_sqlcat cat = { 0 };
    CHECK(add(p, &cat, "-- about this file\n\n-- name: one\nSELECT $1, $2 -- '$9'\n"
                       "  FROM t WHERE x = '$5';\n-- name: two_2\nSELECT 1;\n", &err)
          == APR_SUCCESS);
    const portal_sql *one = portal_sqlcat_get(&cat, "area.one");
    CHECK(one != NULL);
    CHECK_INT(one ? one->nparams : -1, 2);
    CHECK_STR(one ? one->sql : NULL, "SELECT $1, $2 -- '$9'\n  FROM t WHERE x = '$5';\n");
    CHECK(portal_sqlcat_get(&cat, "area.two_2") != NULL);
    CHECK(portal_sqlcat_get(&cat, "two_2") == NULL);

    portal_sqlcat dup = { 0 };
    CHECK(add(p, &dup, "-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n", &err) != APR_SUCCESS);
    CHECK_STR(err, "area.sql:3: query 'area.a' is defined twice");
    portal_sqlcat empty = { 0 };
    CHECK(add(p, &empty, "-- name: a\n-- only a comment\n\n-- name: b\nSELECT 1;", &err)
          != APR_SUCCESS);
    CHECK_STR(err, "area.sql:1: query 'a' is empty");
    portal_sqlcat stray = { 0 };
    CHECK(add(p, &stray, "SELECT 1;\n-- name: a\nSELECT 2;\n", &err) != APR_SUCCESS);
    CHECK_STR(err, "area.sql:1: SQL before the first '-- name:' line");
    portal_sqlcat badlabel = { 0 };
    CHECK(add(p, &badlabel, "-- name: Bad-Label\nSELECT 1;\n", &err) != APR_SUCCESS);

    /* Which statements are reads, and so may be sent again. */
    portal_sqlcat kinds = { 0 };
    CHECK(add(p, &kinds, "-- name: r\n-- a comment\n  select 1;\n-- name: v\nVALUES (1);\n"
                         "-- name: w\nINSERT INTO t VALUES (1);\n-- name: u\n"
                         "WITH x AS (DELETE FROM t RETURNING 1) SELECT * FROM x;\n", &err)
          == APR_SUCCESS);
    CHECK_INT(portal_sqlcat_get(&kinds, "area.r")->read_only, 1);
    CHECK_INT(portal_sqlcat_get(&kinds, "area.v")->read_only, 1);
    CHECK_INT(portal_sqlcat_get(&kinds, "area.w")->read_only, 0);
    CHECK_INT(portal_sqlcat_get(&kinds, "area.u")->read_only, 0);

    /* The retry rule: what may be sent again on a fresh session. */
    CHECK(portal_db_may_retry("26000", 0, 0));        /* nothing ran */
    CHECK(portal_db_may_retry("57P01", 1, 0));        /* a read, session ended */
    CHECK(portal_db_may_retry("57P03", 1, 0));
    CHECK(!portal_db_may_retry("57P01", 0, 0));       /* a write may have committed */
    CHECK(!portal_db_may_retry("57P02", 0, 0));
    CHECK(!portal_db_may_retry("26000", 1, 1));       /* never inside a transaction */
    CHECK(!portal_db_may_retry("57P01", 1, 1));
    CHECK(!portal_db_may_retry("", 1, 0));            /* fate unknown */
    CHECK(!portal_db_may_retry("23505", 1, 0));

    /* Every shipped sql/ file parses, and the queries the code calls exist. */
    portal_sqlcat *shipped;
    CHECK(portal_sqlcat_embedded(p, &shipped, &err) == APR_SUCCESS);
    CHECK(portal_sqlcat_get(shipped, "cabinet.plans_active") != NULL);
    CHECK_INT(portal_sqlcat_get(shipped, "cabinet.contact_insert")->nparams, 13);
    CHECK_INT(portal_sqlcat_get(shipped, "migrate.record")->nparams, 3);

    /* Migrations: the shipped ones load in order with their checksums. */
    apr_array_header_t *known;
    CHECK(portal_migrations_load(p, portal_migration_files, &known, &err) == APR_SUCCESS);
    CHECK(known->nelts >= 1);
    const portal_migration *first = &APR_ARRAY_IDX(known, 0, portal_migration);
    CHECK_STR(first->version, "001");
    CHECK_STR(first->checksum, portal_sha256_hex(p, first->text, strlen(first->text)));

    static const portal_embedded_file files[] = {
        { "001_init.sql", "CREATE TABLE a (x int);", 23 },
        { "002_more.sql", "CREATE TABLE b (x int);", 23 },
        { "003_last.sql", "CREATE TABLE c (x int);", 23 },
        { 0, 0, 0 },
    };
    CHECK(portal_migrations_load(p, files, &known, &err) == APR_SUCCESS);
    const char *sum1 = APR_ARRAY_IDX(known, 0, portal_migration).checksum;
    const char *sum2 = APR_ARRAY_IDX(known, 1, portal_migration).checksum;

    apr_array_header_t *done = apr_array_make(p, 4, sizeof(portal_applied_migration)), *todo;
    CHECK(portal_migrate_plan(p, known, done, &todo, &err) == APR_SUCCESS);
    CHECK_INT(todo->nelts, 3);

    APR_ARRAY_PUSH(done, portal_applied_migration) = applied("001", "001_init.sql", sum1);
    APR_ARRAY_PUSH(done, portal_applied_migration) = applied("002", "002_more.sql", sum2);
    CHECK(portal_migrate_plan(p, known, done, &todo, &err) == APR_SUCCESS);
    CHECK_INT(todo->nelts, 1);
    CHECK_STR(APR_ARRAY_IDX(todo, 0, const portal_migration *)->name, "003_last.sql");

    /* An applied file edited afterwards stops the run, naming it. */
    APR_ARRAY_IDX(done, 1, portal_applied_migration).checksum =
        portal_sha256_hex(p, "CREATE TABLE b (x bigint);", 26);
    CHECK(portal_migrate_plan(p, known, done, &todo, &err) != APR_SUCCESS);
    CHECK(err && strstr(err, "migration 002_more.sql was edited after it was applied"));

    /* A database ahead of this build is refused too. */
    APR_ARRAY_IDX(done, 1, portal_applied_migration).checksum = sum2;
    APR_ARRAY_PUSH(done, portal_applied_migration) = applied("009", "009_future.sql", "ab");
    CHECK(portal_migrate_plan(p, known, done, &todo, &err) != APR_SUCCESS);
    CHECK(err && strstr(err, "has migration 009"));

    static const portal_embedded_file misnamed[] = {
        { "1_init.sql", "x", 1 }, { 0, 0, 0 },
    };
    CHECK(portal_migrations_load(p, misnamed, &known, &err) != APR_SUCCESS);
    static const portal_embedded_file unordered[] = {
        { "002_b.sql", "x", 1 }, { "001_a.sql", "y", 1 }, { 0, 0, 0 },
    };
    CHECK(portal_migrations_load(p, unordered, &known, &err) != APR_SUCCESS);
    CHECK(err && strstr(err, "must be higher"));

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("sql");
}
