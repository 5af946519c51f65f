/* The httpd glue of mail and jobs: the Portal* directives of SMTP and the
 * job runner, their apache2 -t checks, and the mod_watchdog callback that
 * runs due jobs in one child of each Apache node. Hooked into
 * mod_portal_config.c and mod_portal.c by the calls below, one line each. */
#ifndef MOD_PORTAL_JOBS_H
#define MOD_PORTAL_JOBS_H

#include "mod_portal_config.h"

#define PORTAL_JOBS_DEFAULT_INTERVAL 5

const char *portal_jobs_set_smtp_url(cmd_parms *cmd, void *dummy, const char *arg);
const char *portal_jobs_set_starttls(cmd_parms *cmd, void *dummy, int on);
const char *portal_jobs_set_auth_file(cmd_parms *cmd, void *dummy, const char *arg);
const char *portal_jobs_set_mail_from(cmd_parms *cmd, void *dummy, const char *arg);
const char *portal_jobs_set_interval(cmd_parms *cmd, void *dummy, const char *arg);

/* The rows of portal_directives. */
#define PORTAL_JOBS_DIRECTIVES \
    AP_INIT_TAKE1("PortalSMTPURL", portal_jobs_set_smtp_url, NULL, RSRC_CONF, \
                  "SMTP server mail is sent through: smtp://host:587 or smtps://host:465"), \
    AP_INIT_FLAG("PortalSMTPStartTLS", portal_jobs_set_starttls, NULL, RSRC_CONF, \
                 "Require STARTTLS on an smtp:// PortalSMTPURL (default On)"), \
    AP_INIT_TAKE1("PortalSMTPAuthFile", portal_jobs_set_auth_file, NULL, RSRC_CONF, \
                  "File holding the SMTP login as user:password (mode 0600)"), \
    AP_INIT_TAKE1("PortalMailFrom", portal_jobs_set_mail_from, NULL, RSRC_CONF, \
                  "Address the portal's mail comes from"), \
    AP_INIT_TAKE1("PortalJobsInterval", portal_jobs_set_interval, NULL, RSRC_CONF, \
                  "Seconds between runs of due jobs inside Apache; 0: only portalctl jobs run")

/* create, merge and check_config of the server record's mail and job
 * fields; check returns NULL or the one line apache2 -t stops with. */
void portal_jobs_create_cfg(portal_server_cfg *c);
void portal_jobs_merge_cfg(portal_server_cfg *c, const portal_server_cfg *base,
                           const portal_server_cfg *add);
const char *portal_jobs_check_cfg(apr_pool_t *p, portal_server_cfg *c);

void portal_jobs_register_hooks(apr_pool_t *p);

#endif
