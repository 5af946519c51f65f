#include "mail_setup.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "apache_conf.h"
#include "mime.h"
#include "tmpldir.h"

static int fail(const char *conf, const char *msg)
{
    fprintf(stderr, "portalctl: %s: %s\n", conf, msg);
    return 1;
}

int portal_cli_mail_setup_read(portal_cli *cli, portal_cli_mail_setup *out, int templates)
{
    apr_pool_t *p = cli->pool;
    apr_table_t *conf;
    const char *err;
    memset(out, 0, sizeof(*out));
    if (portal_apache_conf_read(p, cli->conf, &conf, &err) != APR_SUCCESS)
        return fail(cli->conf, apr_pstrcat(p, err, "; pass the Apache configuration that sets "
                                             "the Portal* lines with -c FILE", NULL));
    const char *url = apr_table_get(conf, "PortalSMTPURL");
    const char *why;
    if (url && (why = portal_smtp_url_problem(p, url)))
        return fail(cli->conf, apr_psprintf(p, "PortalSMTPURL %s: %s", url, why));
    out->smtp.url = url;
    const char *tls = apr_table_get(conf, "PortalSMTPStartTLS");
    out->smtp.starttls = !tls || strcasecmp(tls, "off") != 0;
    const char *from = apr_table_get(conf, "PortalMailFrom");
    if (from && !portal_mail_address_valid(from))
        return fail(cli->conf, apr_psprintf(p, "PortalMailFrom %s: not one plain address", from));
    if (url && !from)
        return fail(cli->conf, "PortalMailFrom is not set");
    out->smtp.from = from;
    const char *auth = apr_table_get(conf, "PortalSMTPAuthFile");
    if (auth && portal_smtp_read_auth_file(p, auth, &out->smtp.user, &out->smtp.password, &why)
                != APR_SUCCESS)
        return fail(cli->conf, apr_psprintf(p, "PortalSMTPAuthFile %s: %s", auth, why));
    out->smtp.auth_file = auth;
    out->conninfo = cli->db ? cli->db : apr_table_get(conf, "DBDParams");
    out->mail.from = from;
    out->mail.base_url = apr_table_get(conf, "PortalBaseURL");
    const char *locale = portal_i18n_supported(apr_table_get(conf, "PortalDefaultLocale"));
    out->mail.default_locale = locale ? locale : "en";
    const char *dir = apr_table_get(conf, "PortalTemplateDir");
    if (!templates && !dir)
        return 0;
    if (!dir)
        return fail(cli->conf, "PortalTemplateDir is not set");
    portal_mustache_set *set = portal_mustache_set_make(p);
    portal_i18n *i18n = NULL;
    if (portal_tmpldir_load(set, dir, p, &err) != APR_SUCCESS
        || portal_i18n_load(p, apr_pstrcat(p, dir, "/i18n", NULL), &i18n, &err) != APR_SUCCESS)
        return fail(cli->conf, apr_psprintf(p, "PortalTemplateDir %s: %s", dir, err));
    out->mail.templates = set;
    out->mail.i18n = i18n;
    return 0;
}
