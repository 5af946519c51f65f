/* Drives core/db.c on one libpq connection, one command per line of stdin,
 * so that a pytest file can act on the server between two statements (kill
 * the session, drop the prepared statements) and check what the db layer
 * then does. No SQL of its own: statements and named queries come from the
 * test.
 *
 *   db_harness CONNINFO [QUERIES.sql]
 *
 * QUERIES.sql is read with portal_sqlcat_add_file as area "scratch" (its
 * queries are "scratch.<label>"); a file it refuses ends the program with
 * status 2 and the error on stderr. Commands, fields separated by a tab:
 *
 *   pid                    the server session's backend pid
 *   intx                   portal_db_in_transaction: 1 or 0
 *   fate                   the portal_db_error fate of the last command that
 *                          failed: unknown, unsent or rolled_back ("-" when
 *                          the last command succeeded)
 *   exec<TAB>SQL           portal_db_exec
 *   query<TAB>LABEL[<TAB>PARAM]...   portal_db_query ("\N" is SQL NULL)
 *   query_as<TAB>TENANT<TAB>LABEL[<TAB>PARAM]...   portal_db_query_as
 *                          (TENANT "-" for none; the embedded sql/tenancy.sql
 *                          is in the catalog for it)
 *   begin | commit | rollback
 *   migrate<TAB>NAME<TAB>TEXT   portal_migrate_apply of a migration named NAME
 *                          ("NNN_words.sql") with that text, as portalctl
 *                          migrate applies each (the embedded sql/migrate.sql
 *                          is in the catalog for it); answers "ok applied",
 *                          "ok skipped" or "error migrate MESSAGE"
 *
 * Each answers one line: "ok", "ok rows=N value=V" for a query (V: the
 * column named "v" of the first row, empty if none), or "error KIND
 * SQLSTATE MESSAGE" (SQLSTATE "-" when the server sent none). */
#include <stdio.h>
#include <string.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "crypto.h"
#include "db.h"
#include "embedded.h"
#include "migrate.h"
#include "sqlcat.h"

#define MAX_PARAMS 16

static const char *kind_name(portal_db_kind k)
{
    switch (k) {
    case PORTAL_DB_OK: return "ok";
    case PORTAL_DB_UNAVAILABLE: return "unavailable";
    case PORTAL_DB_CONFLICT: return "conflict";
    default: return "failed";
    }
}

static const char *last_fate = "-";

static const char *fate_name(portal_db_fate f)
{
    switch (f) {
    case PORTAL_DB_FATE_UNSENT: return "unsent";
    case PORTAL_DB_FATE_ROLLED_BACK: return "rolled_back";
    default: return "unknown";
    }
}

static void answer(apr_pool_t *p, apr_status_t rv, const portal_db_error *err,
                   const char *detail)
{
    last_fate = rv == APR_SUCCESS ? "-" : fate_name(err->fate);
    if (rv == APR_SUCCESS)
        printf("ok%s%s\n", detail ? " " : "", detail ? detail : "");
    else
        printf("error %s %s %s\n", kind_name(err->kind),
               err->sqlstate[0] ? err->sqlstate : "-", portal_db_error_line(p, err));
    fflush(stdout);
}

static apr_status_t load_queries(apr_pool_t *p, portal_sqlcat *cat, const char *path)
{
    apr_file_t *f;
    apr_finfo_t info;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);
    if (rv == APR_SUCCESS)
        rv = apr_file_info_get(&info, APR_FINFO_SIZE, f);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "db_harness: cannot read %s\n", path);
        return rv;
    }
    char *text = apr_palloc(p, (apr_size_t)info.size + 1);
    apr_size_t got = 0;
    rv = apr_file_read_full(f, text, (apr_size_t)info.size, &got);
    if (rv != APR_SUCCESS && rv != APR_EOF)
        return rv;
    text[got] = '\0';
    const char *err = NULL;
    rv = portal_sqlcat_add_file(p, cat, "scratch.sql", text, &err);
    if (rv != APR_SUCCESS)
        fprintf(stderr, "db_harness: %s\n", err);
    return rv;
}

/* Splits line at tabs in place; returns the number of fields. */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    for (char *s = line; n < max; ) {
        fields[n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab)
            break;
        *tab = '\0';
        s = tab + 1;
    }
    return n;
}

int main(int argc, const char *const *argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: db_harness CONNINFO [QUERIES.sql]\n");
        return 2;
    }
    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_t *root;
    apr_pool_create(&root, NULL);
    portal_sqlcat *cat = apr_pcalloc(root, sizeof(*cat));
    cat->by_label = apr_hash_make(root);
    if (argc > 2 && load_queries(root, cat, argv[2]) != APR_SUCCESS)
        return 2;
    for (const portal_embedded_file *e = portal_sql_files; e->name; e++) {
        const char *err = NULL;
        if ((strcmp(e->name, "tenancy.sql") == 0 || strcmp(e->name, "migrate.sql") == 0)
            && portal_sqlcat_add_file(root, cat, e->name, e->text, &err) != APR_SUCCESS) {
            fprintf(stderr, "db_harness: %s\n", err);
            return 2;
        }
    }
    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "db_harness: cannot connect: %s", PQerrorMessage(conn));
        return 2;
    }
    portal_db *db = portal_db_make(conn, root, cat);

    static char line[65536];
    apr_pool_t *p;
    apr_pool_create(&p, root);
    while (fgets(line, sizeof(line), stdin)) {
        apr_pool_clear(p);
        line[strcspn(line, "\r\n")] = '\0';
        char *f[3 + MAX_PARAMS];
        int n = split(line, f, 3 + MAX_PARAMS);
        portal_db_error err = { 0 };
        if (strcmp(f[0], "pid") == 0) {
            printf("%d\n", PQbackendPID(portal_db_conn(db)));
            fflush(stdout);
        } else if (strcmp(f[0], "fate") == 0) {
            printf("%s\n", last_fate);
            fflush(stdout);
        } else if (strcmp(f[0], "intx") == 0) {
            printf("%d\n", portal_db_in_transaction(db));
            fflush(stdout);
        } else if (strcmp(f[0], "exec") == 0 && n == 2) {
            answer(p, portal_db_exec(db, p, f[1], &err), &err, NULL);
        } else if ((strcmp(f[0], "query") == 0 && n >= 2)
                   || (strcmp(f[0], "query_as") == 0 && n >= 3)) {
            int scoped = f[0][5] == '_', first = scoped ? 2 : 1;
            const char *params[MAX_PARAMS];
            for (int i = first + 1; i < n; i++)
                params[i - first - 1] = strcmp(f[i], "\\N") == 0 ? NULL : f[i];
            portal_db_result *res = NULL;
            apr_status_t rv = scoped
                ? portal_db_query_as(db, p, strcmp(f[1], "-") == 0 ? NULL : f[1], f[first],
                                     n - first - 1, params, &res, &err)
                : portal_db_query(db, p, f[1], n - 2, params, &res, &err);
            const char *detail = NULL;
            if (rv == APR_SUCCESS) {
                const char *v = portal_db_get(res, 0, "v");
                detail = apr_psprintf(p, "rows=%d value=%s", portal_db_nrows(res),
                                      v ? v : "");
            }
            answer(p, rv, &err, detail);
        } else if (strcmp(f[0], "begin") == 0) {
            answer(p, portal_db_begin(db, p, &err), &err, NULL);
        } else if (strcmp(f[0], "commit") == 0) {
            answer(p, portal_db_commit(db, p, &err), &err, NULL);
        } else if (strcmp(f[0], "rollback") == 0) {
            portal_db_rollback(db);
            answer(p, APR_SUCCESS, &err, NULL);
        } else if (strcmp(f[0], "migrate") == 0 && n == 3 && strlen(f[1]) > 3) {
            portal_migration m = { apr_pstrmemdup(p, f[1], 3), f[1], f[2],
                                   portal_sha256_hex(p, f[2], strlen(f[2])) };
            const char *merr = NULL;
            int applied = 0;
            if (portal_migrate_apply(db, p, &m, &applied, &merr) == APR_SUCCESS)
                printf("ok %s\n", applied ? "applied" : "skipped");
            else
                printf("error migrate %s\n", merr);
            fflush(stdout);
        } else {
            printf("error usage - unknown command '%s'\n", f[0]);
            fflush(stdout);
        }
    }
    PQfinish(conn);
    apr_pool_destroy(root);
    apr_terminate();
    return 0;
}
