/* Mail and jobs inside Apache: the directives, their checks, and the
 * runner.
 *
 * Who runs jobs: a mod_watchdog *singleton* instance of the children — in
 * each Apache node exactly one child holds the watchdog's process mutex and
 * calls portal_jobs_run_due every PortalJobsInterval seconds on its own
 * thread; when that child exits or is killed another takes the mutex over.
 * Not the parent: an event or prefork MPM runs no watchdog there, and the
 * parent stays root and must not talk to the network. Several nodes (and
 * cron's portalctl) run side by side: the database's FOR UPDATE SKIP LOCKED
 * and the leases keep them from running one job or sending one mail twice.
 *
 * The runner takes a connection of mod_dbd's pool with ap_dbd_open, outside
 * any request, and gives it back after each run: requests keep the rest of
 * the pool, and a run never holds a request's connection. */
#include "mod_portal_jobs.h"

#include <unistd.h>
#include <apr_dbd.h>
#include <apr_network_io.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_log.h>
#include <mod_dbd.h>
#include <mod_watchdog.h>
#include <curl/curl.h>
#include "jobs.h"
#include "mime.h"

#define WATCHDOG_NAME "mod_portal_jobs"
/* Jobs one run claims at most; the rest wait for the next tick. */
#define JOBS_PER_RUN 20
/* The key mod_portal_request.c keeps a connection's portal_db under, on the
 * connection's own pool: one state per connection, whoever uses it. */
#define DB_STATE_KEY "mod_portal.db"

static APR_OPTIONAL_FN_TYPE(ap_dbd_open) *dbd_open;
static APR_OPTIONAL_FN_TYPE(ap_dbd_close) *dbd_close;

/* One per server whose jobs this process runs. Touched only by the
 * watchdog thread, after post_config made it. */
typedef struct {
    server_rec *s;
    const portal_server_cfg *cfg;
    char worker[128];          /* "host:pid", the lease holder */
    char last_warning[512];    /* a warning is logged once until it changes */
    int db_down;
} jobs_runner;

static portal_server_cfg *own_cfg(cmd_parms *cmd)
{
    portal_server_cfg *c = ap_get_module_config(cmd->server->module_config, &portal_module);
    c->configured = 1;
    return c;
}

const char *portal_jobs_set_smtp_url(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    const char *why = portal_smtp_url_problem(cmd->temp_pool, arg);
    if (why)
        return apr_psprintf(cmd->pool, "PortalSMTPURL %s: %s", arg, why);
    own_cfg(cmd)->smtp.url = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

const char *portal_jobs_set_starttls(cmd_parms *cmd, void *dummy, int on)
{
    (void)dummy;
    own_cfg(cmd)->smtp.starttls = on;
    return NULL;
}

/* Read here, by the parent as root, like PortalSecretFile: the file can
 * stay readable by root alone. */
const char *portal_jobs_set_auth_file(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    portal_server_cfg *c = own_cfg(cmd);
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *why = "cannot resolve the path";
    if (!path || portal_smtp_read_auth_file(cmd->pool, path, &c->smtp.user, &c->smtp.password,
                                            &why) != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "PortalSMTPAuthFile %s: %s", arg, why);
    c->smtp.auth_file = path;
    return NULL;
}

const char *portal_jobs_set_mail_from(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    if (!portal_mail_address_valid(arg))
        return apr_psprintf(cmd->pool, "PortalMailFrom %s: give one plain address the SMTP "
                            "server lets the portal send from, e.g. noreply@example.com "
                            "(the display name comes from the catalogs' brand.product)", arg);
    own_cfg(cmd)->smtp.from = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

const char *portal_jobs_set_interval(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    char *end;
    long n = strtol(arg, &end, 10);
    if (!*arg || *end || n < 0 || n > 3600)
        return apr_psprintf(cmd->pool, "PortalJobsInterval %s: give seconds from 1 to 3600, "
                            "or 0 to run jobs only with `portalctl jobs run` (cron)", arg);
    own_cfg(cmd)->jobs_interval = (int)n;
    return NULL;
}

void portal_jobs_create_cfg(portal_server_cfg *c)
{
    c->smtp.starttls = -1;
    c->jobs_interval = -1;
}

void portal_jobs_merge_cfg(portal_server_cfg *c, const portal_server_cfg *base,
                           const portal_server_cfg *add)
{
    c->smtp.url = add->smtp.url ? add->smtp.url : base->smtp.url;
    c->smtp.starttls = add->smtp.starttls >= 0 ? add->smtp.starttls : base->smtp.starttls;
    const portal_smtp_cfg *auth = add->smtp.auth_file ? &add->smtp : &base->smtp;
    c->smtp.auth_file = auth->auth_file;
    c->smtp.user = auth->user;
    c->smtp.password = auth->password;
    c->smtp.from = add->smtp.from ? add->smtp.from : base->smtp.from;
    c->jobs_interval = add->jobs_interval >= 0 ? add->jobs_interval : base->jobs_interval;
    c->jobs_own = add->configured;
}

const char *portal_jobs_check_cfg(apr_pool_t *p, portal_server_cfg *c)
{
    if (c->smtp.starttls < 0)
        c->smtp.starttls = 1;
    if (c->jobs_interval < 0)
        c->jobs_interval = PORTAL_JOBS_DEFAULT_INTERVAL;
    if (c->smtp.url && !c->smtp.from)
        return "PortalMailFrom is not set: give the address the portal's mail comes from, "
               "e.g. PortalMailFrom noreply@example.com";
    if (c->smtp.user && strncasecmp(c->smtp.url ? c->smtp.url : "", "smtp://", 7) == 0
        && !c->smtp.starttls && !portal_smtp_url_is_loopback(p, c->smtp.url))
        return apr_psprintf(p, "PortalSMTPAuthFile with PortalSMTPStartTLS Off would send the "
                            "SMTP password unencrypted to %s: turn PortalSMTPStartTLS On or "
                            "use an smtps:// URL", c->smtp.url);
    c->mail.templates = c->templates;
    c->mail.i18n = c->i18n;
    c->mail.base_url = c->base_url;
    c->mail.default_locale = c->default_locale;
    c->mail.from = c->smtp.from;
    return NULL;
}

static void log_line(void *baton, int warning, const char *line)
{
    jobs_runner *jr = baton;
    if (warning) {
        if (strncmp(jr->last_warning, line, sizeof(jr->last_warning) - 1) == 0)
            return;   /* the same trouble as last time: said already */
        apr_cpystrn(jr->last_warning, line, sizeof(jr->last_warning));
    } else {
        jr->last_warning[0] = '\0';   /* the next trouble is news */
    }
    ap_log_error(APLOG_MARK, warning ? APLOG_WARNING : APLOG_INFO, 0, jr->s,
                 "mod_portal jobs [%s]: %s", jr->worker, line);
}

/* The portal_db of a mod_dbd connection: the same state requests use. */
static portal_db *db_of(ap_dbd_t *dbd, const portal_server_cfg *cfg)
{
    void *state = NULL;
    apr_pool_userdata_get(&state, DB_STATE_KEY, dbd->pool);
    if (!state) {
        state = portal_db_make(apr_dbd_native_handle(dbd->driver, dbd->handle), dbd->pool,
                               cfg->sql);
        apr_pool_userdata_set(state, DB_STATE_KEY, apr_pool_cleanup_null, dbd->pool);
    }
    return state;
}

static void run_once(jobs_runner *jr, apr_pool_t *pool)
{
    ap_dbd_t *dbd = dbd_open ? dbd_open(pool, jr->s) : NULL;
    if (!dbd || strcmp(apr_dbd_name(dbd->driver), "pgsql") != 0) {
        if (dbd)
            dbd_close(jr->s, dbd);
        if (!jr->db_down)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, jr->s, "mod_portal jobs [%s]: no "
                         "database connection; jobs and mail wait until PostgreSQL answers",
                         jr->worker);
        jr->db_down = 1;
        return;
    }
    if (jr->db_down)
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, jr->s, "mod_portal jobs [%s]: the database "
                     "answers again; running jobs", jr->worker);
    jr->db_down = 0;
    portal_db *db = db_of(dbd, jr->cfg);
    portal_job_env env = { db, jr->worker, &jr->cfg->smtp, &jr->cfg->mail, log_line, jr };
    portal_jobs_report rep;
    portal_db_error err;
    if (portal_jobs_run_due(&env, pool, JOBS_PER_RUN, &rep, &err) != APR_SUCCESS)
        log_line(jr, 1, apr_pstrcat(pool, "running jobs: ",
                                    portal_db_error_line(pool, &err), NULL));
    portal_db_rollback(db);   /* jobs open none; never hand one back to the pool */
    dbd_close(jr->s, dbd);
}

static apr_status_t jobs_tick(int state, void *data, apr_pool_t *pool)
{
    jobs_runner *jr = data;
    if (state == AP_WATCHDOG_STATE_STARTING) {
        /* In the child now: its pid names the leases. */
        char host[APRMAXHOSTLEN + 1];
        if (apr_gethostname(host, sizeof(host), pool) != APR_SUCCESS)
            apr_cpystrn(host, "localhost", sizeof(host));
        apr_snprintf(jr->worker, sizeof(jr->worker), "%s:%ld", host, (long)getpid());
    } else if (state == AP_WATCHDOG_STATE_RUNNING) {
        /* Not in STARTING: mod_dbd's pool of this child may not exist yet. */
        run_once(jr, pool);
    }
    return APR_SUCCESS;   /* anything else and mod_watchdog stops calling */
}

static int portal_jobs_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                                   server_rec *s)
{
    (void)plog;
    (void)ptemp;
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
        return OK;   /* the first pass of a start; the real one follows */
    /* Once, before any thread: libcurl's global state (OpenSSL). */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    dbd_open = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_open);
    dbd_close = APR_RETRIEVE_OPTIONAL_FN(ap_dbd_close);
    APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *get_instance =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *register_callback =
        APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    for (server_rec *vs = s; vs; vs = vs->next) {
        const portal_server_cfg *c = portal_server_config(vs);
        /* A virtual host that only inherits the main server's lines shares
         * its database: the main server's runner serves it. */
        if (!c->configured || (vs->is_virtual && !c->jobs_own))
            continue;
        if (!c->smtp.url)
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs, "mod_portal: PortalSMTPURL is not "
                         "set, so mail is off: messages are queued in mail_outbox and not "
                         "sent until PortalSMTPURL and PortalMailFrom are set");
        if (c->jobs_interval == 0)
            continue;   /* PortalJobsInterval 0: cron runs `portalctl jobs run` */
        ap_watchdog_t *wd;
        if (!get_instance || !register_callback || !dbd_open
            || get_instance(&wd, WATCHDOG_NAME, 0, 1, pconf) != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, vs, "mod_portal: mod_watchdog or mod_dbd "
                         "is missing, so no job runs inside Apache: mail waits in the "
                         "outbox; run `portalctl jobs run` from cron, or load them");
            continue;
        }
        jobs_runner *jr = apr_pcalloc(pconf, sizeof(*jr));
        jr->s = vs;
        jr->cfg = c;
        apr_cpystrn(jr->worker, "starting", sizeof(jr->worker));
        register_callback(wd, apr_time_from_sec(c->jobs_interval), jr, jobs_tick);
    }
    return OK;
}

void portal_jobs_register_hooks(apr_pool_t *p)
{
    (void)p;
    /* Before mod_watchdog's own post_config (APR_HOOK_LAST), which starts
     * the instances that have callbacks. */
    ap_hook_post_config(portal_jobs_post_config, NULL, NULL, APR_HOOK_MIDDLE);
}
