/* portalctl: migrate, seed-demo, create-admin, doctor, secret, audit, ratelimit, jobs run,
 * mail test|send. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "sqlcat.h"

static void usage(FILE *to)
{
    fprintf(to,
        "usage: portalctl [--db CONNINFO] [-c APACHE_CONF] [--apache-user USER] COMMAND\n"
        "\n"
        "commands:\n"
        "  migrate            apply pending sql/migrations (as the schema owner)\n"
        "  migrate --status   list applied and pending migrations, change nothing\n"
        "  seed-demo [--secret FILE]\n"
        "                     load the demo plans, company, people and admin (idempotent;\n"
        "                     the admin's TOTP is sealed with FILE, else PortalSecretFile)\n"
        "  create-admin EMAIL [--role super|support|finance] [--base-url URL]\n"
        "                     a new admin (default role super) and its one-time enrolment\n"
        "                     link (24 h); the URL is PortalBaseURL of -c unless given\n"
        "  doctor             check a portal installation; one line per check, with the fix\n"
        "  secret FILE        create the server secret FILE (mode 0600) if it does not exist\n"
        "  audit verify       recompute the audit log's hash chain (as the schema owner);\n"
        "                     exit 1 naming the first edited or removed row\n"
        "  audit seal [--wait SECONDS]\n"
        "                     chain the audit rows committed so far (waits up to 5 s for\n"
        "                     older transactions; run it every minute until the jobs runner does)\n"
        "  ratelimit prune    delete rate-limit counters whose window ended\n"
        "  jobs run           run the due jobs once (mail delivery, ...) and exit: for cron\n"
        "  mail test ADDRESS [--lang en|tr|az|ru]\n"
        "                     queue a test mail to ADDRESS; the jobs send it\n"
        "  mail send          send the due mail of the outbox now (beside the jobs, safely)\n"
        "\n"
        "The database is --db, else $PORTAL_DB, else libpq's PGHOST/PGUSER/... variables.\n"
        "doctor, jobs run and mail test read the Apache configuration -c (default\n"
        "/etc/apache2/conf-available/portal.conf) for the Portal* and DBDParams lines;\n"
        "jobs run and mail test connect with --db or $PORTAL_DB if given, else DBDParams.\n");
}

/* 0..3600 seconds, or -1. */
static int wait_seconds(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);
    return *s && !*end && n >= 0 && n <= 3600 ? (int)n : -1;
}

static apr_status_t finish_conn(void *conn)
{
    PQfinish(conn);
    return APR_SUCCESS;
}

portal_db *portal_cli_connect(portal_cli *cli, const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo ? conninfo : "");
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "portalctl: cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    apr_pool_cleanup_register(cli->pool, conn, finish_conn, apr_pool_cleanup_null);
    portal_sqlcat *cat;
    const char *err;
    if (portal_sqlcat_embedded(cli->pool, &cat, &err) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: embedded SQL is broken: %s\n", err);
        return NULL;
    }
    return portal_db_make(conn, cli->pool, cat);
}

int main(int argc, const char *const *argv)
{
    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    portal_cli cli = { 0 };
    apr_pool_create(&cli.pool, NULL);
    cli.db = getenv("PORTAL_DB");
    cli.conf = "/etc/apache2/conf-available/portal.conf";

    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            cli.db = argv[++i];
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            cli.conf = argv[++i];
        else if (strcmp(argv[i], "--apache-user") == 0 && i + 1 < argc)
            cli.apache_user = argv[++i];
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "portalctl: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[i];
    int rest = argc - i - 1;
    if (strcmp(cmd, "migrate") == 0 && rest == 0)
        return portal_cli_migrate(&cli, 0);
    if (strcmp(cmd, "migrate") == 0 && rest == 1 && strcmp(argv[i + 1], "--status") == 0)
        return portal_cli_migrate(&cli, 1);
    if (strcmp(cmd, "seed-demo") == 0 && rest == 0)
        return portal_cli_seed_demo(&cli, NULL);
    if (strcmp(cmd, "seed-demo") == 0 && rest == 2 && strcmp(argv[i + 1], "--secret") == 0)
        return portal_cli_seed_demo(&cli, argv[i + 2]);
    if (strcmp(cmd, "create-admin") == 0 && rest >= 1 && argv[i + 1][0] != '-') {
        const char *role = "super", *base = NULL;
        int j = i + 2, ok = 1;
        for (; j < argc && ok; j += 2) {
            if (j + 1 < argc && strcmp(argv[j], "--role") == 0)
                role = argv[j + 1];
            else if (j + 1 < argc && strcmp(argv[j], "--base-url") == 0)
                base = argv[j + 1];
            else
                ok = 0;
        }
        if (ok)
            return portal_cli_create_admin(&cli, argv[i + 1], role, base);
    }
    if (strcmp(cmd, "doctor") == 0 && rest == 0)
        return portal_cli_doctor(&cli);
    if (strcmp(cmd, "secret") == 0 && rest == 1)
        return portal_cli_secret(&cli, argv[i + 1]);
    if (strcmp(cmd, "audit") == 0 && rest == 1 && strcmp(argv[i + 1], "verify") == 0)
        return portal_cli_audit_verify(&cli);
    if (strcmp(cmd, "audit") == 0 && rest == 1 && strcmp(argv[i + 1], "seal") == 0)
        return portal_cli_audit_seal(&cli, 5);
    if (strcmp(cmd, "audit") == 0 && rest == 3 && strcmp(argv[i + 1], "seal") == 0
        && strcmp(argv[i + 2], "--wait") == 0 && wait_seconds(argv[i + 3]) >= 0)
        return portal_cli_audit_seal(&cli, wait_seconds(argv[i + 3]));
    if (strcmp(cmd, "ratelimit") == 0 && rest == 1 && strcmp(argv[i + 1], "prune") == 0)
        return portal_cli_ratelimit_prune(&cli);
    if (strcmp(cmd, "jobs") == 0 && rest == 1 && strcmp(argv[i + 1], "run") == 0)
        return portal_cli_jobs_run(&cli);
    if (strcmp(cmd, "mail") == 0 && rest == 1 && strcmp(argv[i + 1], "send") == 0)
        return portal_cli_mail_send(&cli);
    if (strcmp(cmd, "mail") == 0 && (rest == 2 || rest == 4) && strcmp(argv[i + 1], "test") == 0) {
        /* mail test ADDRESS [--lang LL], the option before or after */
        const char *to = argv[i + 2], *lang = NULL;
        if (rest == 4 && strcmp(argv[i + 2], "--lang") == 0)
            lang = argv[i + 3], to = argv[i + 4];
        else if (rest == 4 && strcmp(argv[i + 3], "--lang") == 0)
            lang = argv[i + 4];
        else if (rest == 4)
            to = NULL;
        if (to)
            return portal_cli_mail_test(&cli, to, lang);
    }
    fprintf(stderr, "portalctl: unknown command or arguments: %s\n", cmd);
    usage(stderr);
    return 2;
}
