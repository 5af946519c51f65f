/* portalctl create-admin: the first admin (and any later one) with a
 * one-time enrolment link under the admin area's mount (its <Location> in
 * the configuration), audited as admin.admin.created by the system; and
 * the demo admin of seed-demo. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include "admins.h"
#include "apache_conf.h"
#include "audit.h"
#include "identity_rules.h"
#include "password.h"
#include "roles.h"
#include "secretbox.h"
#include "totp.h"

/* The demo admin: what make run prints and the tests sign in with. */
#define DEMO_ADMIN_EMAIL "admin@portal.example"
#define DEMO_ADMIN_PASSWORD "Portal-admin-2026"
#define DEMO_ADMIN_TOTP "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

static const char *conf_value(portal_cli *cli, const char *directive)
{
    apr_table_t *t;
    const char *err;
    if (portal_apache_conf_read(cli->pool, cli->conf, &t, &err) != APR_SUCCESS)
        return NULL;
    return apr_table_get(t, directive);
}

int portal_cli_create_admin(portal_cli *cli, const char *raw_email, const char *role,
                            const char *base_url)
{
    apr_pool_t *p = cli->pool;
    const char *email = portal_email_normalize(p, raw_email);
    const char *err;
    const portal_roles *roles = portal_roles_builtin(p, &err);
    if (!email) {
        fprintf(stderr, "portalctl: create-admin: %s is not an e-mail address\n", raw_email);
        return 2;
    }
    if (!roles || !portal_roles_has_role(roles, PORTAL_ADMIN_ROLE, role)) {
        fprintf(stderr, "portalctl: create-admin: no admin role %s (super, support, finance)\n",
                role);
        return 2;
    }
    if (!base_url)
        base_url = conf_value(cli, "PortalBaseURL");
    if (!base_url) {
        fprintf(stderr, "portalctl: create-admin: no PortalBaseURL in %s; pass --base-url URL\n",
                cli->conf);
        return 2;
    }
    portal_db *db = portal_cli_connect(cli, cli->db);
    if (!db)
        return 1;
    /* The admin area's <Location> in the configuration ("/admin" without one). */
    const char *admin_mount = conf_value(cli, PORTAL_CONF_MOUNT_OF "portal-admin");
    if (!admin_mount || strcmp(admin_mount, "/") == 0)
        admin_mount = "/admin";
    portal_db_error e;
    const char *id = NULL, *token;
    apr_status_t rv = portal_db_begin(db, p, &e);
    if (rv == APR_SUCCESS)
        rv = portal_admin_create(db, p, email, role, &id, &token, &e);
    json_t *detail = json_pack("{s:s, s:s, s:s, s:s}", "admin_id", id ? id : "",
                               "email", email, "role", role, "via", "portalctl");
    portal_audit_event ev = { .event = "admin.admin.created", .actor_kind = "system",
                              .detail = detail };
    if (rv == APR_SUCCESS)
        rv = portal_audit_write(db, p, &ev, &e);
    json_decref(detail);
    if (rv != APR_SUCCESS || portal_db_commit(db, p, &e) != APR_SUCCESS) {
        portal_db_rollback(db);
        if (e.kind == PORTAL_DB_CONFLICT)
            fprintf(stderr, "portalctl: create-admin: %s is an admin already\n", email);
        else
            fprintf(stderr, "portalctl: create-admin: %s (run `portalctl migrate` first?)\n",
                    portal_db_error_line(p, &e));
        return 1;
    }
    printf("create-admin: %s (%s) created; the enrolment link, valid 24 hours, once:\n%s\n",
           email, role, portal_admin_enrol_url(p, base_url, admin_mount, token));
    return 0;
}

/* The bytes of the secret file as the module reads them (at most 256,
 * trailing white space dropped). NULL when unreadable or too short. */
static const unsigned char *read_secret(portal_cli *cli, const char *path, apr_size_t *len)
{
    apr_file_t *f;
    char *data = apr_pcalloc(cli->pool, 257);
    *len = 256;
    if (apr_file_open(&f, path, APR_FOPEN_READ, 0, cli->pool) != APR_SUCCESS)
        return NULL;
    apr_file_read_full(f, data, *len, len);
    apr_file_close(f);
    while (*len > 0 && apr_isspace(data[*len - 1]))
        (*len)--;
    return *len >= 32 ? (const unsigned char *)data : NULL;
}

json_t *portal_cli_seed_demo_admin(portal_cli *cli, portal_db *db, const char *secret_file)
{
    apr_pool_t *p = cli->pool;
    if (!secret_file)
        secret_file = conf_value(cli, "PortalSecretFile");
    apr_size_t slen;
    const unsigned char *server_secret = secret_file ? read_secret(cli, secret_file, &slen) : NULL;
    if (!server_secret) {
        printf("seed-demo: no demo admin: no readable secret file (--secret FILE, or "
               "PortalSecretFile in %s)\n", cli->conf);
        return NULL;
    }
    unsigned char *key = apr_palloc(p, PORTAL_KEY_BYTES);
    portal_derive_key(server_secret, slen, PORTAL_ADMIN_TOTP_PURPOSE, key);
    portal_wipe_on_cleanup(p, key, PORTAL_KEY_BYTES);
    const unsigned char *totp;
    apr_size_t tlen;
    const char *hash;
    if (portal_base32_decode(p, DEMO_ADMIN_TOTP, &totp, &tlen) != APR_SUCCESS
        || portal_password_hash(p, DEMO_ADMIN_PASSWORD, &hash) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: seed-demo: cannot prepare the demo admin\n");
        return NULL;
    }
    const char *params[] = { DEMO_ADMIN_EMAIL, hash, portal_seal(p, key, totp, tlen) };
    portal_db_result *res;
    portal_db_error e;
    if (portal_db_query(db, p, "demo.admin", 3, params, &res, &e) != APR_SUCCESS) {
        fprintf(stderr, "portalctl: seed-demo: admin: %s\n", portal_db_error_line(p, &e));
        return NULL;
    }
    return json_pack("{s:s, s:s, s:s, s:s}", "email", DEMO_ADMIN_EMAIL,
                     "password", DEMO_ADMIN_PASSWORD, "totp_secret", DEMO_ADMIN_TOTP,
                     "role", "super");
}
