/* Directives, configuration records and start-up checks. Every check here
 * runs under `apache2 -t` and stops it with one line that names the
 * directive and the fix. */
#include "mod_portal_config.h"

#include <sys/stat.h>
#include <unistd.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include <http_log.h>
#include <util_cfgtree.h>
#include <mod_unixd.h>
#include <unixd.h>
#include "csp.h"
#include "files.h"
#include "format.h"
#include "mod_portal_jobs.h"
#include "origin.h"
#include "tmpldir.h"

#define DEFAULT_MAX_FORM   (64 * 1024)
#define DEFAULT_MAX_UPLOAD (10 * 1024 * 1024)
#define MIN_SECRET_BYTES   32
#define DEFAULT_SESSION_IDLE (30 * 60)
#define DEFAULT_SESSION_MAX  (7 * 24 * 3600)

static const char *sql_error;   /* an embedded-SQL bug, reported by check_config */

void *portal_create_server_cfg(apr_pool_t *p, server_rec *s)
{
    (void)s;
    portal_server_cfg *c = apr_pcalloc(p, sizeof(*c));
    c->max_form = -1;
    c->max_upload = -1;
    c->session_idle = -1;
    c->session_max = -1;
    c->static_url = NULL;
    portal_jobs_create_cfg(c);
    portal_sqlcat *sql;
    if (portal_sqlcat_embedded(p, &sql, &sql_error) == APR_SUCCESS)
        c->sql = sql;
    return c;
}

#define PICK(field) (add->field ? add->field : base->field)

void *portal_merge_server_cfg(apr_pool_t *p, void *basev, void *addv)
{
    portal_server_cfg *base = basev, *add = addv;
    portal_server_cfg *c = apr_pcalloc(p, sizeof(*c));
    c->base_url = PICK(base_url);
    c->template_dir = PICK(template_dir);
    c->templates = add->template_dir ? add->templates : base->templates;
    c->i18n = add->template_dir ? add->i18n : base->i18n;
    c->storage_dir = PICK(storage_dir);
    c->secret_file = PICK(secret_file);
    c->secret = add->secret_file ? add->secret : base->secret;
    c->secret_len = add->secret_file ? add->secret_len : base->secret_len;
    c->default_locale = PICK(default_locale);
    c->static_url = PICK(static_url);
    c->csp = PICK(csp);
    c->max_form = add->max_form >= 0 ? add->max_form : base->max_form;
    c->max_upload = add->max_upload >= 0 ? add->max_upload : base->max_upload;
    c->session_idle = add->session_idle >= 0 ? add->session_idle : base->session_idle;
    c->session_max = add->session_max >= 0 ? add->session_max : base->session_max;
    c->max_hashes = add->max_hashes ? add->max_hashes : base->max_hashes;
    c->sql = PICK(sql);
    c->configured = base->configured || add->configured;
    portal_jobs_merge_cfg(c, base, add);
    return c;
}

void *portal_create_dir_cfg(apr_pool_t *p, char *dir)
{
    (void)dir;
    portal_dir_cfg *c = apr_pcalloc(p, sizeof(*c));
    c->security_headers = -1;
    return c;
}

void *portal_merge_dir_cfg(apr_pool_t *p, void *basev, void *addv)
{
    portal_dir_cfg *base = basev, *add = addv;
    portal_dir_cfg *c = apr_pcalloc(p, sizeof(*c));
    c->security_headers = add->security_headers >= 0 ? add->security_headers
                                                     : base->security_headers;
    return c;
}

const portal_server_cfg *portal_server_config(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &portal_module);
}

const portal_dir_cfg *portal_dir_config(const request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &portal_module);
}

static portal_server_cfg *server_cfg(cmd_parms *cmd)
{
    portal_server_cfg *c = ap_get_module_config(cmd->server->module_config, &portal_module);
    c->configured = 1;
    return c;
}

static const char *set_base_url(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    apr_uri_t uri;
    if (apr_uri_parse(cmd->pool, arg, &uri) != APR_SUCCESS || !uri.scheme || !uri.hostname
        || (strcasecmp(uri.scheme, "https") != 0 && strcasecmp(uri.scheme, "http") != 0)
        || uri.query || uri.fragment)
        return apr_psprintf(cmd->pool, "PortalBaseURL %s: give the absolute address "
                            "customers use, e.g. https://portal.example.com", arg);
    char *url = apr_pstrdup(cmd->pool, arg);
    apr_size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    server_cfg(cmd)->base_url = url;
    return NULL;
}

static const char *set_template_dir(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    portal_server_cfg *c = server_cfg(cmd);
    const char *dir = ap_server_root_relative(cmd->pool, arg);
    apr_finfo_t fi;
    if (!dir || apr_stat(&fi, dir, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS
        || fi.filetype != APR_DIR)
        return apr_psprintf(cmd->pool, "PortalTemplateDir %s: no such directory; point it "
                            "at the templates/ folder mod_portal installed "
                            "(make install puts it under PREFIX/share/mod_portal)", arg);
    const char *err = NULL;
    c->templates = portal_mustache_set_make(cmd->pool);
    if (portal_tmpldir_load(c->templates, dir, cmd->pool, &err) != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "PortalTemplateDir %s: %s", arg, err);
    if (portal_i18n_load(cmd->pool, apr_pstrcat(cmd->pool, dir, "/i18n", NULL), &c->i18n,
                         &err) != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "PortalTemplateDir %s: %s", arg, err);
    static const char *required[] = { "layouts/base", "public/error" };
    for (apr_size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!portal_mustache_set_get(c->templates, required[i]))
            return apr_psprintf(cmd->pool, "PortalTemplateDir %s: template %s.mustache is "
                                "missing; reinstall the templates", arg, required[i]);
    c->template_dir = dir;
    return NULL;
}

static const char *set_storage_dir(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    const char *dir = ap_server_root_relative(cmd->pool, arg);
    apr_finfo_t fi;
    if (!dir || apr_stat(&fi, dir, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS
        || fi.filetype != APR_DIR)
        return apr_psprintf(cmd->pool, "PortalStorageDir %s: no such directory; create it "
                            "outside every DocumentRoot and give it to Apache's user "
                            "(mkdir -p %s && chown www-data: %s)", arg, arg, arg);
    server_cfg(cmd)->storage_dir = dir;
    return NULL;
}

static const char *set_secret_file(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    portal_server_cfg *c = server_cfg(cmd);
    const char *path = ap_server_root_relative(cmd->pool, arg);
    const char *fix = apr_psprintf(cmd->pool, "create one with `portalctl secret %s`", arg);
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return apr_psprintf(cmd->pool, "PortalSecretFile %s: %s; %s", arg,
                            strerror(errno), fix);
    if (!S_ISREG(st.st_mode))
        return apr_psprintf(cmd->pool, "PortalSecretFile %s: not a regular file; %s", arg, fix);
    if (st.st_mode & 077)
        return apr_psprintf(cmd->pool, "PortalSecretFile %s: readable by group or others "
                            "(mode %04o); run chmod 600 %s", arg,
                            (unsigned)(st.st_mode & 07777), arg);
    char *data;
    apr_file_t *f;
    apr_size_t len = 256;
    data = apr_pcalloc(cmd->pool, len + 1);
    if (apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool) != APR_SUCCESS)
        return apr_psprintf(cmd->pool, "PortalSecretFile %s: cannot be read by the user "
                            "Apache starts as; %s", arg, fix);
    apr_file_read_full(f, data, len, &len);
    apr_file_close(f);
    while (len > 0 && apr_isspace(data[len - 1]))
        len--;
    if (len < MIN_SECRET_BYTES)
        return apr_psprintf(cmd->pool, "PortalSecretFile %s: holds %lu bytes, fewer than %d; "
                            "%s", arg, (unsigned long)len, MIN_SECRET_BYTES, fix);
    c->secret_file = path;
    c->secret = (const unsigned char *)data;
    c->secret_len = len;
    return NULL;
}

static const char *set_default_locale(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    const char *code = portal_i18n_supported(arg);
    if (!code) {
        const char *list = "";
        for (int i = 0; i < portal_locale_count; i++)
            list = apr_pstrcat(cmd->pool, list, i ? ", " : "", portal_locales[i].code, NULL);
        return apr_psprintf(cmd->pool, "PortalDefaultLocale %s: not a shipped language; "
                            "use one of %s", arg, list);
    }
    server_cfg(cmd)->default_locale = code;
    return NULL;
}

static const char *set_static_url(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    /* An https URL's origin goes into the Content-Security-Policy: it must
     * be a plain scheme://host[:port], nothing that could end a directive. */
    const char *origin = strncasecmp(arg, "https://", 8) == 0
                       ? portal_origin_of(cmd->temp_pool, arg) : NULL;
    if (origin) {
        const char *host = origin + 8;
        apr_size_t h = strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-");
        apr_size_t port = host[h] == ':' ? strspn(host + h + 1, "0123456789") : 0;
        if (h == 0 || (host[h] == ':' ? port == 0 || port > 5 || host[h + 1 + port]
                                      : host[h] != '\0'))
            origin = NULL;
    }
    /* "//cdn" and "/\cdn" are other hosts to a browser, not paths. */
    if ((arg[0] != '/' || arg[1] == '/' || arg[1] == '\\') && !origin)
        return apr_psprintf(cmd->pool, "PortalStaticURL %s: give the path (or https URL) "
                            "where Apache serves mod_portal's htdocs/, e.g. /static", arg);
    char *url = apr_pstrdup(cmd->pool, arg);
    apr_size_t n = strlen(url);
    while (n > 1 && url[n - 1] == '/')
        url[--n] = '\0';
    server_cfg(cmd)->static_url = url;
    return NULL;
}

static const char *set_size(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    apr_off_t n = portal_parse_size(arg);
    if (n <= 0)
        return apr_psprintf(cmd->pool, "%s %s: give a size such as 64k, 10M or 1G",
                            cmd->cmd->name, arg);
    portal_server_cfg *c = server_cfg(cmd);
    if (strcasecmp(cmd->cmd->name, "PortalMaxFormSize") == 0)
        c->max_form = n;
    else
        c->max_upload = n;
    return NULL;
}

static const char *set_duration(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    long n = portal_parse_duration(arg);
    if (n <= 0)
        return apr_psprintf(cmd->pool, "%s %s: give a duration such as 30m, 12h or 7d",
                            cmd->cmd->name, arg);
    portal_server_cfg *c = server_cfg(cmd);
    if (strcasecmp(cmd->cmd->name, "PortalSessionIdle") == 0)
        c->session_idle = n;
    else
        c->session_max = n;
    return NULL;
}

/* Password hashes (argon2id, 19 MiB each) running at once in one child. */
static const char *set_max_hashes(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    char *end;
    long n = strtol(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || n < 1 || n > 256)
        return apr_psprintf(cmd->pool, "%s %s: give a count from 1 to 256 (each running "
                            "hash takes 19 MiB)", cmd->cmd->name, arg);
    server_cfg(cmd)->max_hashes = (int)n;
    return NULL;
}

static const char *set_security_headers(cmd_parms *cmd, void *dirv, int on)
{
    (void)cmd;
    ((portal_dir_cfg *)dirv)->security_headers = on;
    return NULL;
}

const command_rec portal_directives[] = {
    AP_INIT_TAKE1("PortalBaseURL", set_base_url, NULL, RSRC_CONF,
                  "The absolute URL customers reach the portal at"),
    AP_INIT_TAKE1("PortalTemplateDir", set_template_dir, NULL, RSRC_CONF,
                  "Directory of the Mustache templates and i18n catalogs"),
    AP_INIT_TAKE1("PortalStorageDir", set_storage_dir, NULL, RSRC_CONF,
                  "Directory for uploaded and released files, outside every DocumentRoot"),
    AP_INIT_TAKE1("PortalSecretFile", set_secret_file, NULL, RSRC_CONF,
                  "File holding the server secret for signed links and tokens (mode 0600)"),
    AP_INIT_TAKE1("PortalDefaultLocale", set_default_locale, NULL, RSRC_CONF,
                  "Language when neither the visitor nor the browser chooses one"),
    AP_INIT_TAKE1("PortalStaticURL", set_static_url, NULL, RSRC_CONF,
                  "Where Apache serves mod_portal's htdocs/ (default /static)"),
    AP_INIT_TAKE1("PortalMaxFormSize", set_size, NULL, RSRC_CONF,
                  "Largest form body without files (default 64k)"),
    AP_INIT_TAKE1("PortalMaxUploadSize", set_size, NULL, RSRC_CONF,
                  "Largest form body with files (default 10M)"),
    AP_INIT_TAKE1("PortalSessionIdle", set_duration, NULL, RSRC_CONF,
                  "A customer session ends after this long without a request (default 30m)"),
    AP_INIT_TAKE1("PortalSessionMax", set_duration, NULL, RSRC_CONF,
                  "A customer session ends this long after sign-in, used or not (default 7d)"),
    AP_INIT_TAKE1("PortalMaxConcurrentHashes", set_max_hashes, NULL, RSRC_CONF,
                  "Password hashes running at once per Apache child; beyond, 503 (default 4)"),
    AP_INIT_FLAG("PortalSecurityHeaders", set_security_headers, NULL, RSRC_CONF | ACCESS_CONF,
                 "Send mod_portal's security headers on everything under this location"),
    PORTAL_JOBS_DIRECTIVES,
    { NULL }
};

static int fail_check(server_rec *s, const char *msg)
{
    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, NULL, "mod_portal: %s (%s:%u)",
                 msg, s->server_hostname ? s->server_hostname : "main server", s->port);
    return HTTP_INTERNAL_SERVER_ERROR;
}

/* What a directive left out means, and what follows from the rest. */
static void apply_defaults(apr_pool_t *p, portal_server_cfg *c)
{
    if (!c->static_url)
        c->static_url = "/static";
    /* Pages load their stylesheet, script and images from static_url: an
     * absolute one is another origin, which the policy must allow. */
    c->csp = portal_csp_html(p, c->static_url[0] == '/' ? NULL
                                                        : portal_origin_of(p, c->static_url));
    if (!c->default_locale)
        c->default_locale = "en";
    if (c->max_form < 0)
        c->max_form = DEFAULT_MAX_FORM;
    if (c->max_upload < 0)
        c->max_upload = DEFAULT_MAX_UPLOAD;
    if (c->session_idle < 0)
        c->session_idle = DEFAULT_SESSION_IDLE;
    if (c->session_max < 0)
        c->session_max = DEFAULT_SESSION_MAX;
}

/* What the configuration tells one server: its DBDriver and DBDPersist
 * lines, and whether a SetHandler mounts a portal area there. mod_dbd
 * keeps its configuration private, so these are read from the
 * configuration tree, where mod_info reads them too (<IfModule>,
 * <IfDefine> and Include are expanded into it when it is read). */
typedef struct {
    const char *driver;     /* first argument of DBDriver, or NULL */
    const char *persist;    /* argument of DBDPersist, or NULL */
    int mounts_portal;      /* a SetHandler portal-* */
} server_lines;

static void scan_lines(apr_pool_t *p, const ap_directive_t *d, server_lines *out)
{
    for (; d; d = d->next) {
        if (strcasecmp(d->directive, "<VirtualHost") == 0)
            continue;   /* a virtual host's lines are its own */
        const char *args = d->args;
        const char *first = args ? ap_getword_conf(p, &args) : "";
        if (strcasecmp(d->directive, "DBDriver") == 0)
            out->driver = first;
        else if (strcasecmp(d->directive, "DBDPersist") == 0)
            out->persist = first;
        else if (strcasecmp(d->directive, "SetHandler") == 0
                 && strncasecmp(first, "portal-", 7) == 0)
            out->mounts_portal = 1;
        scan_lines(p, d->first_child, out);
    }
}

/* The lines in effect for s: its <VirtualHost>'s own over the main
 * server's (whose <Location> sections apply to every virtual host). */
static server_lines lines_of(apr_pool_t *p, const server_rec *s)
{
    server_lines main_lines = { NULL, NULL, 0 }, own = { NULL, NULL, 0 };
    scan_lines(p, ap_conftree, &main_lines);
    if (s->is_virtual && s->defn_name)
        for (const ap_directive_t *d = ap_conftree; d; d = d->next)
            if (strcasecmp(d->directive, "<VirtualHost") == 0 && d->filename
                && strcmp(d->filename, s->defn_name) == 0
                && (unsigned)d->line_num == s->defn_line_number)
                scan_lines(p, d->first_child, &own);
    if (!own.driver)
        own.driver = main_lines.driver;
    if (!own.persist)
        own.persist = main_lines.persist;
    own.mounts_portal |= main_lines.mounts_portal;
    return own;
}

/* mod_portal runs its statements through libpq on mod_dbd's connection, so
 * where a portal area is mounted the driver must be pgsql. With DBDPersist
 * Off mod_dbd opens a connection per request and closes it in a pool
 * cleanup that can run before ours: only pooled connections are
 * supported. A server that mounts no area (another site using mod_dbd
 * with sqlite3) is none of our business. */
static const char *dbd_problem(apr_pool_t *p, const server_rec *s)
{
    server_lines l = lines_of(p, s);
    if (!l.mounts_portal)
        return NULL;
    if (l.driver && strcasecmp(l.driver, "pgsql") != 0)
        return apr_psprintf(p, "DBDriver %s: mod_portal needs PostgreSQL; set DBDriver pgsql "
                            "(Debian package libaprutil1-dbd-pgsql)", l.driver);
    if (!l.driver)
        return "DBDriver is not set: add DBDriver pgsql and DBDParams (see portal.conf)";
    if (l.persist && strcasecmp(l.persist, "off") == 0)
        return "DBDPersist Off: mod_portal needs mod_dbd's pooled connections; remove the "
               "line or set DBDPersist On";
    return NULL;
}

int portal_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    if (sql_error)
        return fail_check(s, apr_psprintf(ptemp, "embedded SQL is broken: %s", sql_error));
    const char *roles_error = NULL;
    const portal_roles *roles = portal_roles_builtin(pconf, &roles_error);
    if (!roles)
        return fail_check(s, apr_psprintf(ptemp, "conf/roles.json: %s", roles_error));
    int used = 0;
    for (server_rec *vs = s; vs; vs = vs->next) {
        portal_server_cfg *c = ap_get_module_config(vs->module_config, &portal_module);
        apply_defaults(pconf, c);
        c->roles = roles;
        if (!c->configured)
            continue;
        used = 1;
        if (!c->template_dir)
            return fail_check(vs, "PortalTemplateDir is not set: point it at the installed "
                              "templates/ folder");
        if (!c->storage_dir)
            return fail_check(vs, "PortalStorageDir is not set: give a directory outside "
                              "every DocumentRoot, owned by Apache's user");
        if (!c->secret_file)
            return fail_check(vs, "PortalSecretFile is not set: create one with `portalctl "
                              "secret /etc/mod_portal/secret` and name it here");
        const char *dbd = dbd_problem(ptemp, vs);
        if (dbd)
            return fail_check(vs, dbd);
        const char *mail = portal_jobs_check_cfg(ptemp, c);
        if (mail)
            return fail_check(vs, mail);
        if (!portal_dir_writable_by(c->storage_dir, ap_unixd_config.user_id,
                                    ap_unixd_config.group_id))
            return fail_check(vs, apr_psprintf(ptemp, "PortalStorageDir %s is not writable by "
                              "Apache's user %s: chown %s %s", c->storage_dir,
                              ap_unixd_config.user_name, ap_unixd_config.user_name,
                              c->storage_dir));
    }
    if (used && !ap_find_linked_module("mod_dbd.c"))
        return fail_check(s, "mod_dbd is not loaded: run `a2enmod dbd` (or LoadModule "
                          "dbd_module) and set DBDriver pgsql and DBDParams");
    return OK;
}
