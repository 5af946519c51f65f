/* Two-step verification machinery the security page and the sign-in's
 * second step share: the TOTP key, checking a code or a recovery code
 * once, a fresh set of recovery codes, the notice mails. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/outbox.h"
#include "../core/recovery.h"
#include "../core/secretbox.h"
#include "../core/totp.h"
#include "security_rules.h"

void portal_cabinet_key(portal_req *pr, const char *purpose, unsigned char key[32])
{
    portal_derive_key(pr->cfg->secret, pr->cfg->secret_len, purpose, key);
    portal_wipe_on_cleanup(pr->r->pool, key, PORTAL_KEY_BYTES);
}

apr_status_t portal_cabinet_totp_open(portal_req *pr, const char *sealed,
                                      const unsigned char **secret, apr_size_t *len)
{
    unsigned char *key = apr_palloc(pr->r->pool, PORTAL_KEY_BYTES);
    portal_cabinet_key(pr, "totp", key);
    return sealed ? portal_unseal(pr->r->pool, key, sealed, secret, len) : APR_EINVAL;
}

const char *portal_cabinet_totp_seal(portal_req *pr, const unsigned char *secret,
                                     apr_size_t len)
{
    unsigned char *key = apr_palloc(pr->r->pool, PORTAL_KEY_BYTES);
    portal_cabinet_key(pr, "totp", key);
    return portal_seal(pr->r->pool, key, secret, len);
}

static const char *recovery_hash(portal_req *pr, const char *code)
{
    unsigned char *key = apr_palloc(pr->r->pool, PORTAL_KEY_BYTES);
    portal_cabinet_key(pr, "recovery", key);
    return portal_recovery_hash(pr->r->pool, key, PORTAL_KEY_BYTES, code);
}

apr_status_t portal_cabinet_factor_check(portal_req *pr, const char *user_id, const char *sealed,
                                         const char *typed, int *recovery_left,
                                         portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    const char *code;
    portal_db_result *res;
    *recovery_left = -1;
    switch (portal_factor_parse(p, typed, &code)) {
    case PORTAL_FACTOR_TOTP: {
        const unsigned char *secret;
        apr_size_t len;
        long long step;
        const char *params[] = { user_id };
        if (portal_query(pr, "security.user", 1, params, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
        if (portal_db_nrows(res) != 1)
            return APR_EMISMATCH;
        const char *last = portal_db_get(res, 0, "totp_last_step");
        if (!sealed)
            sealed = portal_db_get(res, 0, "totp_secret");
        if (portal_cabinet_totp_open(pr, sealed, &secret, &len) != APR_SUCCESS) {
            portal_log_error(pr, 0, "the TOTP secret of %s does not open", user_id);
            return APR_EMISMATCH;
        }
        if (!portal_totp_verify(secret, len, code, apr_time_now(),
                                last ? apr_atoi64(last) : -1, &step))
            return APR_EMISMATCH;
        const char *spend[] = { user_id, apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)step) };
        if (portal_query(pr, "security.step_use", 2, spend, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
        return portal_db_nrows(res) == 1 ? APR_SUCCESS : APR_EMISMATCH;  /* a replay raced */
    }
    case PORTAL_FACTOR_RECOVERY: {
        const char *params[] = { user_id, recovery_hash(pr, code) };
        if (portal_query(pr, "security.recovery_use", 2, params, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
        if (portal_db_nrows(res) != 1)
            return APR_EMISMATCH;
        *recovery_left = (int)apr_atoi64(portal_db_get(res, 0, "left"));
        return APR_SUCCESS;
    }
    default:
        return APR_EMISMATCH;
    }
}

apr_status_t portal_cabinet_recovery_new(portal_req *pr, const char *user_id,
                                         const char ***codes, portal_db_error *err)
{
    portal_db_result *res;
    const char *clear[] = { user_id };
    if (portal_recovery_codes(pr->r->pool, PORTAL_CABINET_RECOVERY_CODES, codes) != APR_SUCCESS)
        return portal_db_refuse(err, "no randomness for recovery codes");
    if (portal_query(pr, "security.recovery_clear", 1, clear, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    for (int i = 0; (*codes)[i]; i++) {
        const char *add[] = { user_id, recovery_hash(pr, (*codes)[i]) };
        if (portal_query(pr, "security.recovery_add", 2, add, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

apr_status_t portal_cabinet_notice(portal_req *pr, const char *email, const char *locale,
                                   const char *template_name, json_t *vars,
                                   portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    portal_db *db = portal_req_db(pr, err);
    if (!db)
        return APR_EGENERAL;
    if (!vars)
        vars = portal_json_owned(p, json_object());
    json_object_set_new(vars, "url", json_string(apr_pstrcat(p,
        pr->cfg->base_url ? pr->cfg->base_url : "", portal_url(pr, "/account/security"), NULL)));
    return portal_mail_enqueue(db, p, &pr->cfg->mail, email, locale, template_name, vars, err);
}
