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

    /* Which queries may be sent again: those marked so, nothing by its text. */
    portal_sqlcat kinds = { 0 };
    CHECK(add(p, &kinds, "-- name: r\n-- a comment\n  select 1;\n-- name: v\nVALUES (1);\n"
                         "-- name: w\nINSERT INTO t VALUES (1);\n-- name: u\n"
                         "WITH x AS (DELETE FROM t RETURNING 1) SELECT * FROM x;\n"
                         "-- name: seq\nSELECT nextval('x');\n"
                         "-- name: lock\nSELECT id FROM licences WHERE id = $1 FOR UPDATE;\n"
                         "-- name: call\nSELECT activate_device($1);\n"
                         "-- name: marked\n-- retry: safe\n-- The plans.\nSELECT 1;\n"
                         "-- name: spaced\n-- retry:   safe  \nSELECT 2;\n"
                         /* Elsewhere such words are only a comment. */
                         "-- name: later\n-- The plans.\n-- retry safe: it reads\nSELECT 3;\n"
                         "-- name: word\n-- retries do no harm\nSELECT 4;\n", &err)
          == APR_SUCCESS);
    static const char *const unmarked[] = { "r", "v", "w", "u", "seq", "lock", "call",
                                            "later", "word" };
    for (size_t i = 0; i < sizeof(unmarked) / sizeof(unmarked[0]); i++) {
        const portal_sql *q = portal_sqlcat_get(&kinds, apr_pstrcat(p, "area.", unmarked[i],
                                                                    NULL));
        if (!CHECK(q != NULL) || !check_int(q->retry_safe, 0, unmarked[i], __FILE__, __LINE__))
            fprintf(stderr, "  query area.%s counts as safe to resend\n", unmarked[i]);
    }
    const portal_sql *marked = portal_sqlcat_get(&kinds, "area.marked");
    CHECK(marked != NULL);
    CHECK_INT(marked ? marked->retry_safe : -1, 1);
    CHECK_STR(marked ? marked->sql : NULL, "-- The plans.\nSELECT 1;\n");
    CHECK_INT(portal_sqlcat_get(&kinds, "area.spaced")->retry_safe, 1);
    CHECK_INT(portal_sqlcat_get(&kinds, "area.marked")->nparams, 0);

    /* A marker that is not exactly right stops the start, naming its line. */
    static const struct { const char *text, *error; } bad_markers[] = {
        { "-- name: a\n-- retry: yes\nSELECT 1;\n",
          "area.sql:2: unknown retry value 'yes': the only one is 'safe' "
          "(leave the line out for a query that must not be sent twice)" },
        { "-- name: a\n-- retry:\nSELECT 1;\n",
          "area.sql:2: unknown retry value '': the only one is 'safe' "
          "(leave the line out for a query that must not be sent twice)" },
        { "-- name: a\n-- retry: safe, mostly\nSELECT 1;\n",
          "area.sql:2: unknown retry value 'safe, mostly': the only one is 'safe' "
          "(leave the line out for a query that must not be sent twice)" },
        { "-- name: a\n-- The plans.\n-- retry: safe\nSELECT 1;\n",
          "area.sql:3: '-- retry:' belongs on the line right after '-- name:'" },
        { "-- name: a\nSELECT 1;\n-- retry: safe\n",
          "area.sql:3: '-- retry:' belongs on the line right after '-- name:'" },
        { "-- name: a\n-- retry: safe\n-- retry: safe\nSELECT 1;\n",
          "area.sql:3: '-- retry:' belongs on the line right after '-- name:'" },
        { "-- retry: safe\n-- name: a\nSELECT 1;\n",
          "area.sql:1: '-- retry:' belongs on the line right after '-- name:'" },
        { "-- name: a\nSELECT 1;\n-- name: b\n  -- retry: safe\nSELECT 2;\n",
          "area.sql:4: write the marker as '-- retry: safe'" },
        { "-- name: a\n--Retry: safe\nSELECT 1;\n",
          "area.sql:2: write the marker as '-- retry: safe'" },
        { "-- name: a\n-- retry: safe\n", "area.sql:1: query 'a' is empty" },
        /* Right after the name, a comment whose first word starts with
         * "retry" means to be the marker: misspelt, it is refused, not read
         * as a comment that leaves the query never resent. */
        { "-- name: a\n-- retry safe\nSELECT 1;\n",
          "area.sql:2: write the marker as '-- retry: safe'" },
        { "-- name: a\n-- retry = safe\nSELECT 1;\n",
          "area.sql:2: write the marker as '-- retry: safe'" },
        { "-- name: a\n-- retry-safe\nSELECT 1;\n",
          "area.sql:2: write the marker as '-- retry: safe'" },
        { "-- name: a\n--RETRY\nSELECT 1;\n",
          "area.sql:2: write the marker as '-- retry: safe'" },
        { "-- name: a\n-- retrying it is harmless\nSELECT 1;\n",
          "area.sql:2: write the marker as '-- retry: safe'" },
    };
    for (size_t i = 0; i < sizeof(bad_markers) / sizeof(bad_markers[0]); i++) {
        portal_sqlcat bad = { 0 };
        err = NULL;
        CHECK(add(p, &bad, bad_markers[i].text, &err) == APR_EINVAL);
        CHECK_STR(err, bad_markers[i].error);
    }

    /* The retry rule: what may be sent again on a fresh session. */
    CHECK(portal_db_may_retry("26000", 0, 0));        /* nothing ran: any query */
    CHECK(portal_db_may_retry("57P01", 1, 0));        /* marked safe, session ended */
    CHECK(portal_db_may_retry("57P02", 1, 0));
    CHECK(portal_db_may_retry("57P03", 1, 0));
    CHECK(!portal_db_may_retry("57P01", 0, 0));       /* unmarked: it may have had its effect */
    CHECK(!portal_db_may_retry("57P02", 0, 0));
    CHECK(!portal_db_may_retry("26000", 1, 1));       /* never inside a transaction */
    CHECK(!portal_db_may_retry("26000", 0, 1));
    CHECK(!portal_db_may_retry("57P01", 1, 1));
    CHECK(!portal_db_may_retry("", 1, 0));            /* fate unknown */
    CHECK(!portal_db_may_retry("23505", 1, 0));
    CHECK(!portal_db_may_retry("57014", 1, 0));       /* statement timeout: it would again */

    /* Every shipped sql/ file parses, and the queries the code calls exist. */
    portal_sqlcat *shipped;
    CHECK(portal_sqlcat_embedded(p, &shipped, &err) == APR_SUCCESS);
    CHECK(portal_sqlcat_get(shipped, "cabinet.plans_active") != NULL);
    CHECK_INT(portal_sqlcat_get(shipped, "cabinet.contact_insert")->nparams, 13);
    CHECK_INT(portal_sqlcat_get(shipped, "migrate.record")->nparams, 3);
    /* The plain reads the PostgreSQL-restart tests load are marked; writes and
     * calls with an effect are not. */
    static const char *const safe[] = {
        "cabinet.plans_active", "licensing.server_time", "admin.server_status",
    };
    for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++)
        if (!check_int(portal_sqlcat_get(shipped, safe[i])->retry_safe, 1, safe[i],
                       __FILE__, __LINE__))
            fprintf(stderr, "  %s should be marked '-- retry: safe'\n", safe[i]);
    static const char *const unsafe[] = {
        "cabinet.contact_insert", "demo.plans", "migrate.bookkeeping", "migrate.lock",
        "migrate.txid", "migrate.record",
    };
    for (size_t i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
        if (!check_int(portal_sqlcat_get(shipped, unsafe[i])->retry_safe, 0, unsafe[i],
                       __FILE__, __LINE__))
            fprintf(stderr, "  %s must not be sent twice\n", unsafe[i]);

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
