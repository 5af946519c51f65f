/* portalctl doctor: what hosting teams get wrong, one line per check with
 * the fix. Reads the Apache configuration the portal is loaded with. */
#include "cli.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <apr_strings.h>
#include "apache_conf.h"
#include "embedded.h"
#include "files.h"
#include "i18n.h"
#include "mail_setup.h"
#include "migrate.h"
#include "mustache.h"
#include "tmpldir.h"

typedef struct {
    int ok, failed;
} tally;

static void line(tally *t, int ok, const char *what, const char *detail, const char *fix)
{
    if (ok) {
        t->ok++;
        printf("ok    %-14s %s\n", what, detail);
    } else {
        t->failed++;
        printf("FAIL  %-14s %s\n      fix: %s\n", what, detail, fix);
    }
}

static void check_secret(portal_cli *cli, tally *t, const char *path)
{
    apr_pool_t *p = cli->pool;
    const char *fix = apr_psprintf(p, "portalctl secret %s, and name it in PortalSecretFile",
                                   path ? path : "/etc/mod_portal/secret");
    struct stat st;
    if (!path)
        line(t, 0, "secret file", "PortalSecretFile is not set", fix);
    else if (stat(path, &st) != 0)
        line(t, 0, "secret file", apr_psprintf(p, "%s: %s", path, strerror(errno)), fix);
    else if (st.st_mode & 077)
        line(t, 0, "secret file", apr_psprintf(p, "%s is readable by group or others "
             "(mode %04o)", path, (unsigned)(st.st_mode & 07777)),
             apr_psprintf(p, "chmod 600 %s", path));
    else if (st.st_size < 32)
        line(t, 0, "secret file", apr_psprintf(p, "%s holds fewer than 32 bytes", path), fix);
    else
        line(t, 1, "secret file", apr_psprintf(p, "%s (mode 0600)", path), "");
}

static void report_missing_key(void *baton, const char *key)
{
    const char **first = baton;
    if (!*first)
        *first = key;
}

static void check_templates(portal_cli *cli, tally *t, const char *dir)
{
    apr_pool_t *p = cli->pool;
    const char *fix = "point PortalTemplateDir at the templates/ folder `make install` "
                      "put under PREFIX/share/mod_portal";
    if (!dir) {
        line(t, 0, "templates", "PortalTemplateDir is not set", fix);
        return;
    }
    const char *err = NULL;
    portal_mustache_set *set = portal_mustache_set_make(p);
    portal_i18n *i18n;
    if (portal_tmpldir_load(set, dir, p, &err) != APR_SUCCESS
        || portal_i18n_load(p, apr_pstrcat(p, dir, "/i18n", NULL), &i18n, &err) != APR_SUCCESS) {
        line(t, 0, "templates", err, fix);
        return;
    }
    json_t *en = portal_i18n_catalog(i18n, "en");
    for (int i = 1; i < portal_locale_count; i++) {
        const char *first = NULL;
        int n = portal_i18n_missing_keys(p, en, portal_i18n_catalog(i18n, portal_locales[i].code),
                                         report_missing_key, &first);
        if (n > 0) {
            line(t, 0, "templates", apr_psprintf(p, "%s/i18n/%s.json lacks %d keys (first: %s)",
                 dir, portal_locales[i].code, n, first), "reinstall the templates");
            return;
        }
    }
    line(t, 1, "templates", apr_psprintf(p, "%s: templates parse, %d catalogs complete", dir,
                                         portal_locale_count), "");
}

static const char *apache_user(portal_cli *cli, apr_table_t *conf)
{
    if (cli->apache_user)
        return cli->apache_user;
    const char *user = apr_table_get(conf, "User");
    if (user && *user && !strchr(user, '$'))
        return user;
    return "www-data";
}

static void check_storage(portal_cli *cli, tally *t, const char *dir, const char *user)
{
    apr_pool_t *p = cli->pool;
    struct passwd *pw = getpwnam(user);
    if (!dir) {
        line(t, 0, "storage", "PortalStorageDir is not set", "create a directory outside "
             "every DocumentRoot, owned by Apache's user, and name it in PortalStorageDir");
    } else if (!pw) {
        line(t, 0, "storage", apr_psprintf(p, "Apache's user %s does not exist", user),
             "pass --apache-user USER");
    } else if (!portal_dir_writable_by(dir, pw->pw_uid, pw->pw_gid)) {
        line(t, 0, "storage", apr_psprintf(p, "%s is missing or not writable by %s", dir, user),
             apr_psprintf(p, "mkdir -p %s && chown %s: %s", dir, user, dir));
    } else {
        line(t, 1, "storage", apr_psprintf(p, "%s is writable by %s", dir, user), "");
    }
}

/* Row-level security binds the portal's role only if the role may not
 * bypass it and every tenant-owned table has it on and forced. */
static void check_row_security(portal_db *db, apr_pool_t *p, tally *t, const char *role)
{
    portal_db_result *res;
    portal_db_error e;
    if (portal_db_query(db, p, "doctor.role_attributes", 0, NULL, &res, &e) != APR_SUCCESS) {
        line(t, 0, "row security", portal_db_error_line(p, &e), "check DBDParams");
        return;
    }
    if (portal_db_get_bool(res, 0, "superuser") || portal_db_get_bool(res, 0, "bypass_rls")) {
        line(t, 0, "row security", apr_psprintf(p, "%s is a superuser or has BYPASSRLS: "
             "tenants would see each other's data", role),
             apr_psprintf(p, "ALTER ROLE %s NOSUPERUSER NOBYPASSRLS", role));
        return;
    }
    if (portal_db_query(db, p, "doctor.tenant_tables_unprotected", 0, NULL, &res, &e)
        != APR_SUCCESS) {
        /* Before migration 002 there is no tenant-owned table to check. */
        line(t, 1, "row security", apr_psprintf(p, "%s is bound by row-level security", role),
             "");
        return;
    }
    long long unprotected = portal_db_get_int(res, 0, "unprotected");
    line(t, unprotected == 0, "row security",
         unprotected == 0
             ? apr_psprintf(p, "%s is bound by it on %s", role, portal_db_get(res, 0, "tables"))
             : apr_psprintf(p, "%" APR_INT64_T_FMT " tenant-owned tables lack forced row "
                            "security (of %s)", (apr_int64_t)unprotected,
                            portal_db_get(res, 0, "tables")),
         "ALTER TABLE ... ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY, and a policy "
         "on tenant_id (see sql/migrations/002_identity.sql)");
}

static void check_database(portal_cli *cli, tally *t, const char *conninfo)
{
    apr_pool_t *p = cli->pool;
    if (!conninfo) {
        line(t, 0, "database", "DBDParams is not set", "set DBDriver pgsql and DBDParams "
             "\"host=... dbname=portal user=portal_app password=...\"");
        return;
    }
    portal_db *db = portal_cli_connect(cli, conninfo);
    portal_db_result *res;
    portal_db_error e;
    if (!db || portal_db_query(db, p, "doctor.whoami", 0, NULL, &res, &e) != APR_SUCCESS) {
        line(t, 0, "database", "cannot connect with DBDParams", "start PostgreSQL, check "
             "DBDParams, and create the role: CREATE ROLE portal_app LOGIN PASSWORD '...'");
        return;
    }
    const char *role = portal_db_get(res, 0, "role");
    line(t, 1, "database", apr_psprintf(p, "reachable as %s (PostgreSQL %s)", role,
                                        portal_db_get(res, 0, "server_version")), "");
    long long owned = portal_db_get_int(res, 0, "owned_tables");
    line(t, owned == 0, "database role",
         owned == 0 ? apr_psprintf(p, "%s owns no tables, so row-level security applies", role)
                    : apr_psprintf(p, "%s owns %" APR_INT64_T_FMT " tables", role,
                                 (apr_int64_t)owned),
         "run migrations as a separate owner role; Apache connects as portal_app");

    check_row_security(db, p, t, role);

    apr_array_header_t *known, *applied, *todo;
    const char *err;
    if (portal_migrations_load(p, portal_migration_files, &known, &err) != APR_SUCCESS
        || portal_migrate_applied(db, p, &applied, &err) != APR_SUCCESS
        || portal_migrate_plan(p, known, applied, &todo, &err) != APR_SUCCESS)
        line(t, 0, "migrations", err, "run `portalctl migrate` as the schema owner");
    else
        line(t, todo->nelts == 0, "migrations",
             apr_psprintf(p, "%d applied, %d pending", applied->nelts, todo->nelts),
             "run `portalctl migrate` as the schema owner");
}

/* Whether the SMTP server of PortalSMTPURL answers, with STARTTLS and the
 * login of PortalSMTPAuthFile as configured. */
static void check_mail(portal_cli *cli, tally *t)
{
    const char *fix = "check PortalSMTPURL (and that the server runs), PortalSMTPStartTLS "
                      "and PortalSMTPAuthFile; queued mail waits meanwhile";
    portal_cli_mail_setup m;
    if (portal_cli_mail_setup_read(cli, &m, 0) != 0) {
        line(t, 0, "mail", "a mail directive is wrong (the line above says which)", fix);
        return;
    }
    if (!m.smtp.url) {
        line(t, 1, "mail", "off: PortalSMTPURL is not set, mail is queued and not sent", "");
        return;
    }
    portal_smtp_result r;
    portal_smtp_probe(cli->pool, &m.smtp, &r);
    if (r.outcome == PORTAL_SMTP_SENT)
        line(t, 1, "mail", apr_psprintf(cli->pool, "%s answers%s%s", m.smtp.url,
             m.smtp.starttls && strncasecmp(m.smtp.url, "smtp://", 7) == 0
                 ? " with STARTTLS" : "",
             m.smtp.user ? apr_psprintf(cli->pool, ", login as %s", m.smtp.user) : ""), "");
    else
        line(t, 0, "mail", apr_psprintf(cli->pool, "%s: %s", m.smtp.url, r.error), fix);
}

int portal_cli_doctor(portal_cli *cli)
{
    tally t = { 0, 0 };
    apr_table_t *conf;
    const char *err;
    if (portal_apache_conf_read(cli->pool, cli->conf, &conf, &err) != APR_SUCCESS) {
        line(&t, 0, "configuration", err, "pass the Apache configuration that sets the "
             "Portal* directives with -c FILE");
        printf("doctor: %d ok, %d failed\n", t.ok, t.failed);
        return 1;
    }
    line(&t, 1, "configuration", cli->conf, "");
    check_secret(cli, &t, apr_table_get(conf, "PortalSecretFile"));
    check_templates(cli, &t, apr_table_get(conf, "PortalTemplateDir"));
    check_storage(cli, &t, apr_table_get(conf, "PortalStorageDir"), apache_user(cli, conf));
    check_database(cli, &t, apr_table_get(conf, "DBDParams"));
    check_mail(cli, &t);
    printf("doctor: %d ok, %d failed\n", t.ok, t.failed);
    return t.failed ? 1 : 0;
}
