/* mod_portal's directives, their per-server and per-directory records, and
 * the checks that make `apache2 -t` name a misconfiguration and its fix. */
#ifndef MOD_PORTAL_CONFIG_H
#define MOD_PORTAL_CONFIG_H

#include <httpd.h>
#include <http_config.h>
#include "i18n.h"
#include "mustache.h"
#include "roles.h"
#include "outbox.h"
#include "sqlcat.h"

typedef struct {
    const char *base_url;             /* PortalBaseURL, no trailing slash */
    const char *template_dir;         /* PortalTemplateDir */
    const char *storage_dir;          /* PortalStorageDir */
    const char *secret_file;          /* PortalSecretFile */
    const unsigned char *secret;      /* its bytes, read at configuration time */
    apr_size_t secret_len;
    const char *default_locale;       /* PortalDefaultLocale */
    const char *static_url;           /* PortalStaticURL: where htdocs/ is served */
    const char *csp;                  /* pages' Content-Security-Policy (allows static_url) */
    apr_off_t max_form;               /* PortalMaxFormSize */
    apr_off_t max_upload;             /* PortalMaxUploadSize */
    long session_idle;                /* PortalSessionIdle, seconds */
    long session_max;                 /* PortalSessionMax, seconds */
    int max_hashes;                   /* PortalMaxConcurrentHashes per child; 0 unset */
    portal_mustache_set *templates;   /* parsed once per configuration load */
    portal_i18n *i18n;
    const portal_sqlcat *sql;         /* the embedded named queries */
    const portal_roles *roles;        /* conf/roles.json, compiled in */
    int configured;                   /* any Portal* directive seen here */
    /* Mail and jobs (mod_portal_jobs.c) */
    portal_smtp_cfg smtp;             /* PortalSMTPURL, PortalSMTPStartTLS (-1 unset),
                                       * PortalSMTPAuthFile, PortalMailFrom */
    portal_mail_ctx mail;             /* for portal_mail_enqueue(..., &pr->cfg->mail, ...) */
    int jobs_interval;                /* PortalJobsInterval seconds; -1 unset, 0 off */
    int jobs_own;                     /* a virtual host with Portal* lines of its own */
} portal_server_cfg;

typedef struct {
    int security_headers;             /* PortalSecurityHeaders: -1 unset */
} portal_dir_cfg;

extern module AP_MODULE_DECLARE_DATA portal_module;
extern const command_rec portal_directives[];

void *portal_create_server_cfg(apr_pool_t *p, server_rec *s);
void *portal_merge_server_cfg(apr_pool_t *p, void *base, void *add);
void *portal_create_dir_cfg(apr_pool_t *p, char *dir);
void *portal_merge_dir_cfg(apr_pool_t *p, void *base, void *add);

/* check_config hook: every server that uses mod_portal has all it needs. */
int portal_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                        server_rec *s);

const portal_server_cfg *portal_server_config(const server_rec *s);
const portal_dir_cfg *portal_dir_config(const request_rec *r);

/* Parses "64k", "10M", "1G" or a plain byte count; -1 when malformed. */
apr_off_t portal_parse_size(const char *s);

#endif
