/* portalctl jobs run and portalctl mail test: the cron side of the job
 * runner, and a way for a hosting team to see its SMTP settings work. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <apr_network_io.h>
#include <apr_strings.h>
#include <curl/curl.h>
#include "jobs.h"
#include "mail_setup.h"
#include "mime.h"

#define JOBS_PER_RUN 100
/* Seconds `mail send` sends for before it stops claiming. */
#define MAIL_SEND_BUDGET 60

static void print_line(void *baton, int warning, const char *line)
{
    (void)baton;
    printf("jobs run: %s%s\n", warning ? "warning: " : "", line);
}

static const char *hostname(apr_pool_t *p)
{
    char host[APRMAXHOSTLEN + 1];
    if (apr_gethostname(host, sizeof(host), p) != APR_SUCCESS)
        return "localhost";
    return apr_pstrdup(p, host);
}

static void print_outbox(portal_db *db, apr_pool_t *p)
{
    portal_db_result *res;
    portal_db_error e;
    if (portal_db_query(db, p, "outbox.counts", 0, NULL, &res, &e) != APR_SUCCESS)
        return;
    printf("outbox: %lld queued, %lld failing, %lld failed, %lld sent\n",
           portal_db_get_int(res, 0, "queued"), portal_db_get_int(res, 0, "failing"),
           portal_db_get_int(res, 0, "failed"), portal_db_get_int(res, 0, "sent"));
}

int portal_cli_jobs_run(portal_cli *cli)
{
    portal_cli_mail_setup m;
    if (portal_cli_mail_setup_read(cli, &m, 0) != 0)
        return 1;
    portal_db *db = portal_cli_connect(cli, m.conninfo);
    if (!db)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!m.smtp.url)
        printf("jobs run: mail is off (no PortalSMTPURL in %s): mails stay in the outbox\n",
               cli->conf);
    const char *worker = apr_psprintf(cli->pool, "%s:%ld", hostname(cli->pool), (long)getpid());
    portal_job_env env = { db, worker, &m.smtp, &m.mail, print_line, NULL };
    portal_jobs_report rep;
    portal_db_error err;
    apr_status_t rv = portal_jobs_run_due(&env, cli->pool, JOBS_PER_RUN, &rep, &err);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "portalctl: jobs run: %s (run `portalctl migrate` first?)\n",
                portal_db_error_line(cli->pool, &err));
        return 1;
    }
    if (rep.ran == 0)
        printf("jobs run: nothing due\n");
    else
        printf("jobs run: %d job%s run (%d done, %d to retry, %d failed)\n", rep.ran,
               rep.ran == 1 ? "" : "s", rep.done, rep.retrying, rep.failed);
    print_outbox(db, cli->pool);
    return 0;
}

/* Sends due mail now, outside the job queue: after the SMTP settings were
 * fixed, say. Safe beside running jobs: each mail is claimed with
 * FOR UPDATE SKIP LOCKED and leased, whoever sends it. */
int portal_cli_mail_send(portal_cli *cli)
{
    portal_cli_mail_setup m;
    if (portal_cli_mail_setup_read(cli, &m, 0) != 0)
        return 1;
    if (!m.smtp.url) {
        fprintf(stderr, "portalctl: mail send: PortalSMTPURL is not set in %s\n", cli->conf);
        return 1;
    }
    portal_db *db = portal_cli_connect(cli, m.conninfo);
    if (!db)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const char *worker = apr_psprintf(cli->pool, "%s:%ld", hostname(cli->pool), (long)getpid());
    portal_deliver_report rep;
    portal_db_error err;
    apr_status_t rv = portal_outbox_deliver(db, cli->pool, &m.smtp, m.mail.i18n, worker,
                                            apr_time_now() + apr_time_from_sec(MAIL_SEND_BUDGET),
                                            &rep, &err);
    printf("mail send: %d sent, %d to retry, %d failed\n", rep.sent, rep.retrying, rep.failed);
    if (rep.unavailable)
        printf("mail send: the SMTP server %s takes no mail: %s\n", m.smtp.url,
               rep.last_error);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "portalctl: mail send: %s\n", portal_db_error_line(cli->pool, &err));
        return 1;
    }
    print_outbox(db, cli->pool);
    return rep.unavailable ? 1 : 0;
}

int portal_cli_mail_test(portal_cli *cli, const char *to, const char *lang)
{
    apr_pool_t *p = cli->pool;
    const char *locale = portal_i18n_supported(lang ? lang : "en");
    if (!locale) {
        fprintf(stderr, "portalctl: mail test: --lang %s: use one of", lang);
        for (int i = 0; i < portal_locale_count; i++)
            fprintf(stderr, " %s", portal_locales[i].code);
        fprintf(stderr, "\n");
        return 2;
    }
    if (!portal_mail_address_valid(to)) {
        fprintf(stderr, "portalctl: mail test: %s is not one plain e-mail address\n", to);
        return 2;
    }
    portal_cli_mail_setup m;
    if (portal_cli_mail_setup_read(cli, &m, 1) != 0)
        return 1;
    portal_db *db = portal_cli_connect(cli, m.conninfo);
    if (!db)
        return 1;
    apr_time_exp_t now;
    apr_time_exp_gmt(&now, apr_time_now());
    json_t *vars = json_pack("{s:s, s:s}", "host", hostname(p), "time",
        apr_psprintf(p, "%04d-%02d-%02d %02d:%02d UTC", now.tm_year + 1900, now.tm_mon + 1,
                     now.tm_mday, now.tm_hour, now.tm_min));
    portal_db_error err;
    apr_status_t rv = portal_mail_enqueue(db, p, &m.mail, to, locale, "test", vars, &err);
    json_decref(vars);
    if (rv != APR_SUCCESS) {
        fprintf(stderr, "portalctl: mail test: %s\n", portal_db_error_line(p, &err));
        return 1;
    }
    printf("mail test: queued a test message to %s in %s\n", to, locale);
    if (m.smtp.url)
        printf("mail test: Apache's jobs send it through %s within PortalJobsInterval "
               "seconds, or run `portalctl jobs run` now\n", m.smtp.url);
    else
        printf("mail test: PortalSMTPURL is not set in %s: it waits in the outbox until it "
               "is\n", cli->conf);
    return 0;
}
