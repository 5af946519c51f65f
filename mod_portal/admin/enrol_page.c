/* An admin's one-time enrolment link (portalctl create-admin, the admins
 * page): a password under the policy and a TOTP secret confirmed with one
 * code, then sign-in. The secret travels sealed in the form between the
 * page and its post, so nothing is stored until the code confirms it. */
#include "admin.h"

#include <apr_strings.h>
#include "../core/admins.h"
#include "../core/crypto.h"
#include "../core/password.h"
#include "../core/qr_svg.h"
#include "../core/secretbox.h"
#include "../core/totp.h"
#include "identity_rules.h"

static const char *token_hash(portal_req *pr, const char *token)
{
    return portal_sha256_hex(pr->r->pool, token, strlen(token));
}

/* The admin a live link is for, or NULL (*failed when the database did). */
static const portal_db_result *live(portal_req *pr, const char *token, int *failed,
                                    portal_db_error *err)
{
    portal_db_result *res;
    *failed = 0;
    if (!token || strlen(token) != PORTAL_ENROL_TOKEN_CHARS)
        return NULL;
    const char *params[] = { token_hash(pr, token) };
    if (portal_query(pr, "admin.enrolment_live", 1, params, &res, err) != APR_SUCCESS) {
        *failed = 1;
        return NULL;
    }
    return portal_db_nrows(res) == 1 ? res : NULL;
}

static int show(portal_req *pr, int status, const char *token, const char *email,
                const unsigned char *secret, apr_size_t len, const char *error_key)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_admin_view(pr, "enrol");
    portal_secret_link_page(pr);   /* the link is the credential; the page shows the secret */
    if (!token) {
        portal_admin_error(pr, "staff.enrol.spent");
        json_object_set_new(view, "signin", json_string(portal_url(pr, "/signin")));
        return portal_render(pr, status, "admin/enrol");
    }
    const unsigned char *key = portal_admin_totp_key(pr);
    const char *b32 = portal_base32_encode(p, secret, len);
    const char *uri = portal_totp_uri(p, portal_text(pr, "brand.product"), email, b32);
    json_object_set_new(view, "enrol", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
        "action", portal_url(pr, apr_pstrcat(p, "/enrol/", token, NULL)),
        "csrf", portal_csrf_token(pr), "email", email, "secret", b32,
        "sealed", portal_seal(p, key, secret, len),
        "qr", portal_qr_svg(p, uri, portal_text(pr, "staff.enrol.qr_title"))));
    if (error_key)
        portal_admin_error(pr, error_key);
    return portal_render(pr, status, "admin/enrol");
}

int portal_admin_enrol(portal_req *pr)
{
    const char *token = apr_table_get(pr->params, "token");
    portal_db_error err;
    int failed;
    const portal_db_result *link = live(pr, token, &failed, &err);
    if (!link)
        return failed ? portal_fail_db(pr, "checking an enrolment link", &err)
                      : show(pr, HTTP_GONE, NULL, NULL, NULL, 0, NULL);
    const unsigned char *secret;
    apr_size_t len;
    if (portal_totp_secret_new(pr->r->pool, &secret, &len) != APR_SUCCESS)
        return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "busy");
    return show(pr, HTTP_OK, token, portal_db_get(link, 0, "email"), secret, len, NULL);
}

int portal_admin_enrol_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *token = apr_table_get(pr->params, "token");
    portal_db_error err;
    int failed;
    const portal_db_result *link = live(pr, token, &failed, &err);
    if (!link)
        return failed ? portal_fail_db(pr, "checking an enrolment link", &err)
                      : show(pr, HTTP_GONE, NULL, NULL, NULL, 0, NULL);
    const char *email = portal_db_get(link, 0, "email");
    const char *admin_id = portal_db_get(link, 0, "admin_id");
    const unsigned char *key = portal_admin_totp_key(pr);
    const unsigned char *secret;
    apr_size_t len;
    const char *sealed = apr_table_get(pr->form, "sealed");
    /* A form whose secret did not come from this server: start again. */
    if (!sealed || portal_unseal(p, key, sealed, &secret, &len) != APR_SUCCESS
        || len != PORTAL_TOTP_SECRET_BYTES)
        return portal_admin_enrol(pr);
    const char *password = apr_table_get(pr->form, "password");
    const char *confirm = apr_table_get(pr->form, "confirm");
    const char *local = apr_pstrmemdup(p, email, strcspn(email, "@"));
    const char *context[] = { email, local, NULL };
    const char *problem = portal_password_problem(password ? password : "", context);
    if (problem)
        return show(pr, HTTP_BAD_REQUEST, token, email, secret, len,
                    apr_pstrcat(p, "signup.errors.password_", problem, NULL));
    if (!confirm || strcmp(confirm, password) != 0)
        return show(pr, HTTP_BAD_REQUEST, token, email, secret, len, "staff.enrol.mismatch");
    const char *code = apr_table_get(pr->form, "code");
    long long step;
    if (!code || !portal_code_digits(p, code)
        || !portal_totp_verify(secret, len, code, apr_time_now(), -1, &step))
        return show(pr, HTTP_BAD_REQUEST, token, email, secret, len, "staff.enrol.wrong_code");
    const char *hash;
    int rc = portal_req_password_hash(pr, password, &hash);
    if (rc != OK)
        return rc;
    const char *stored = portal_seal(p, key, secret, len);
    if (!stored)
        return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "busy");

    const char *spend[] = { token_hash(pr, token) };
    const char *set[] = { admin_id, hash, stored,
                          apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)step) };
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "enrolling an admin", &err);
    apr_status_t rv = portal_query(pr, "admin.enrolment_use", 1, spend, &res, &err);
    if (rv == APR_SUCCESS && portal_db_nrows(res) != 1) {
        portal_db_rollback(db);   /* spent a moment ago by another request */
        return show(pr, HTTP_GONE, NULL, NULL, NULL, 0, NULL);
    }
    if (rv != APR_SUCCESS
        || portal_query(pr, "admin.enrol", 4, set, &res, &err) != APR_SUCCESS
        || portal_audit_admin(pr, "admin.enrolled", admin_id, email, NULL, NULL, &err)
               != APR_SUCCESS
        || portal_db_commit(db, p, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "enrolling an admin", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/signin?enrolled=1"));
}
