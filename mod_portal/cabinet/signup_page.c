/* Sign-up: a company (the tenant) and its owner in one transaction, with
 * the verification code mailed and the sign-up audited; the new owner is
 * signed in and lands on the verification page. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/crypto.h"
#include "../core/outbox.h"
#include "../core/password.h"
#include "../core/ratelimit.h"
#include "../core/recovery.h"
#include "../core/secretbox.h"
#include "identity_rules.h"

#define SIGNUPS_PER_IP 10
#define SIGNUPS_PER_IP_WINDOW 3600
#define SIGNUPS_POW_FROM 6     /* proof of work past this many per address */

static json_t *country_options(portal_req *pr, const char *selected)
{
    json_t *list = json_array();
    for (const char *const *c = portal_signup_countries; *c; c++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", *c,
            "label", portal_text(pr, apr_pstrcat(pr->r->pool, "countries.", *c, NULL)),
            "selected", selected && strcmp(selected, *c) == 0));
    return list;
}

static int show_form(portal_req *pr, int status, const portal_signup_input *in,
                     apr_table_t *errors)
{
    json_t *view = portal_view(pr, "signup");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/signup")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "form", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:o}",
        "company", in->company ? in->company : "", "tax_id", in->tax_id ? in->tax_id : "",
        "city", in->city ? in->city : "", "phone", in->phone ? in->phone : "",
        "name", in->name ? in->name : "", "email", in->email ? in->email : "",
        "terms", in->terms && strcmp(in->terms, "yes") == 0,
        "countries", country_options(pr, in->country ? in->country : "AZ")));
    json_t *messages = json_object();
    const apr_array_header_t *arr = apr_table_elts(errors);
    for (int i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        json_object_set_new(messages, e->key, json_string(portal_text(pr, e->val)));
    }
    json_object_set_new(view, "errors", messages);
    json_object_set_new(view, "has_errors", json_boolean(arr->nelts > 0));
    portal_pow_offer(pr, view, "signup", "signup.ip", SIGNUPS_POW_FROM, SIGNUPS_PER_IP);
    return portal_render(pr, status, "cabinet/signup");
}

int portal_cabinet_signup(portal_req *pr)
{
    portal_signup_input in = { 0 };
    in.country = "AZ";
    return show_form(pr, HTTP_OK, &in, apr_table_make(pr->r->pool, 1));
}

apr_status_t portal_cabinet_send_code(portal_req *pr, const char *user_id, const char *email,
                                      const char *locale, portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    unsigned char n[4];
    if (portal_random_bytes(n, sizeof(n)) != APR_SUCCESS)
        return portal_db_refuse(err, "no randomness for a verification code");
    unsigned long v = ((unsigned long)n[0] << 24 | (unsigned long)n[1] << 16
                       | (unsigned long)n[2] << 8 | n[3]) % 1000000UL;
    const char *code = apr_psprintf(p, "%06lu", v);
    const char *params[] = { user_id, portal_cabinet_code_hash(pr, code) };
    portal_db_result *res;
    if (portal_query(pr, "cabinet.code_new", 2, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    json_t *vars = portal_json_owned(p, json_pack("{s:s, s:s}", "code", code,
        "url", apr_pstrcat(p, pr->cfg->base_url ? pr->cfg->base_url : "",
                           portal_url(pr, "/verify"), NULL)));
    return portal_mail_enqueue(portal_req_db(pr, err), p, &pr->cfg->mail, email, locale,
                               "verify", vars, err);
}

const char *portal_cabinet_code_hash(portal_req *pr, const char *code)
{
    unsigned char *key = apr_palloc(pr->r->pool, PORTAL_KEY_BYTES);
    portal_wipe_on_cleanup(pr->r->pool, key, PORTAL_KEY_BYTES);
    portal_derive_key(pr->cfg->secret, pr->cfg->secret_len, "email-code", key);
    return portal_recovery_hash(pr->r->pool, key, PORTAL_KEY_BYTES, code);
}

/* Everything of a new account in one transaction: the person, the company,
 * the ownership, the code and its mail, the audit row, the session. */
static apr_status_t create_account(portal_req *pr, const portal_signup_input *in,
                                   const char *hash, portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    const char *tenant = portal_uuid_v4(p);
    portal_db *db = portal_req_db(pr, err);
    portal_db_result *res;
    if (!db || !tenant || portal_db_begin(db, p, err) != APR_SUCCESS)
        return APR_EGENERAL;
    const char *user_params[] = { in->email, hash, in->name, in->phone, pr->locale,
                                  PORTAL_TERMS_VERSION };
    const char *tenant_params[] = { tenant, in->company, in->tax_id, in->country, in->city,
                                    in->phone };
    apr_status_t rv = portal_query(pr, "cabinet.signup_user", 6, user_params, &res, err);
    const char *user = rv == APR_SUCCESS ? portal_db_get(res, 0, "id") : NULL;
    const char *owner_params[] = { tenant, user };
    if (rv == APR_SUCCESS)
        rv = portal_db_query_as(db, p, tenant, "cabinet.signup_tenant", 6, tenant_params,
                                &res, err);
    if (rv == APR_SUCCESS)
        rv = portal_db_query_as(db, p, tenant, "cabinet.signup_owner", 2, owner_params, &res,
                                err);
    if (rv == APR_SUCCESS)
        rv = portal_cabinet_send_code(pr, user, in->email, pr->locale, err);
    if (rv == APR_SUCCESS) {
        json_t *detail = portal_json_owned(p, json_pack("{s:s, s:s}", "company", in->company,
                                                        "terms_version", PORTAL_TERMS_VERSION));
        rv = portal_audit_req(pr, "user.signup", user, in->email, tenant, detail, err);
    }
    if (rv == APR_SUCCESS)
        rv = portal_session_start(pr, user, tenant, err);
    if (rv == APR_SUCCESS)
        rv = portal_db_commit(db, p, err);
    if (rv != APR_SUCCESS) {
        portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
    }
    return rv;
}

int portal_cabinet_signup_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    portal_signup_input in = {
        apr_table_get(pr->form, "company"), apr_table_get(pr->form, "tax_id"),
        apr_table_get(pr->form, "country"), apr_table_get(pr->form, "city"),
        apr_table_get(pr->form, "phone"), apr_table_get(pr->form, "name"),
        apr_table_get(pr->form, "email"), apr_table_get(pr->form, "password"),
        apr_table_get(pr->form, "terms"),
    };
    apr_table_t *errors = apr_table_make(p, 4);
    /* A field people never see (hidden from sight and from screen readers):
     * only a bot fills it in. */
    const char *trap = apr_table_get(pr->form, "website");
    if (trap && *trap) {
        portal_log_error(pr, 0, "sign-up refused: the honeypot field was filled in");
        apr_table_setn(errors, "form", "signup.errors.form");
        return show_form(pr, HTTP_BAD_REQUEST, &in, errors);
    }
    if (portal_signup_validate(p, &in, errors) > 0)
        return show_form(pr, HTTP_BAD_REQUEST, &in, errors);
    int rc = portal_pow_demand(pr, "signup", "signup.ip", SIGNUPS_POW_FROM, SIGNUPS_PER_IP);
    if (rc == OK)
        rc = portal_limit(pr, "signup.ip", portal_rate_key_ip(p, pr->r->useragent_ip),
                          SIGNUPS_PER_IP, SIGNUPS_PER_IP_WINDOW);
    if (rc != OK)
        return rc;
    const char *hash;
    rc = portal_req_password_hash(pr, in.password, &hash);
    if (rc != OK)
        return rc;
    portal_db_error err;
    if (create_account(pr, &in, hash, &err) != APR_SUCCESS) {
        if (err.kind == PORTAL_DB_CONFLICT && err.constraint
            && strcmp(err.constraint, "users_email_key") == 0) {
            apr_table_setn(errors, "email", "signup.errors.email_taken");
            return show_form(pr, HTTP_CONFLICT, &in, errors);
        }
        return portal_fail_db(pr, "creating an account", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/verify"));
}
