/* portalctl: the command line of mod_portal (libpq, no httpd). */
#ifndef PORTAL_CLI_H
#define PORTAL_CLI_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <libpq-fe.h>
#include <jansson.h>
#include "db.h"

typedef struct {
    apr_pool_t *pool;
    const char *db;          /* --db or $PORTAL_DB: libpq conninfo ("" = libpq's env) */
    const char *conf;        /* -c: the Apache configuration that loads the portal */
    const char *apache_user; /* --apache-user, else User of conf, else www-data */
} portal_cli;

/* Connects with conninfo; on failure prints why and returns NULL. */
portal_db *portal_cli_connect(portal_cli *cli, const char *conninfo);

int portal_cli_migrate(portal_cli *cli, int status_only);
int portal_cli_seed_demo(portal_cli *cli, const char *secret_file);
/* The demo super admin (enrolled, TOTP sealed with secret_file's key, else
 * PortalSecretFile's of -c): its credentials as JSON, or NULL (said why). */
json_t *portal_cli_seed_demo_admin(portal_cli *cli, portal_db *db, const char *secret_file);
int portal_cli_create_admin(portal_cli *cli, const char *email, const char *role,
                            const char *base_url);
int portal_cli_doctor(portal_cli *cli);
int portal_cli_secret(portal_cli *cli, const char *path);
int portal_cli_audit_verify(portal_cli *cli);
int portal_cli_audit_seal(portal_cli *cli, int wait_seconds);
int portal_cli_ratelimit_prune(portal_cli *cli);
int portal_cli_jobs_run(portal_cli *cli);
int portal_cli_mail_send(portal_cli *cli);
int portal_cli_mail_test(portal_cli *cli, const char *to, const char *lang);

#endif
