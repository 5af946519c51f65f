#include "invitations.h"

#include <string.h>
#include <apr_strings.h>
#include "crypto.h"
#include "i18n.h"
#include "json.h"

#define TOKEN_BYTES 32

const char *portal_invitation_token_hash(apr_pool_t *p, const char *token)
{
    if (!token || strlen(token) != PORTAL_INVITATION_TOKEN_CHARS
        || strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
               != PORTAL_INVITATION_TOKEN_CHARS)
        return NULL;
    return portal_sha256_hex(p, token, strlen(token));
}

apr_status_t portal_invitation_create(portal_db *db, apr_pool_t *p, const portal_mail_ctx *mail,
                                      const portal_invitation_new *in, const char **id,
                                      portal_db_error *err)
{
    if (!portal_db_in_transaction(db))
        return portal_db_refuse(err, "an invitation is created inside a transaction");
    if (!in->tenant_id || !in->email || !in->role || !in->link_base)
        return portal_db_refuse(err, "an invitation needs a tenant, an e-mail, a role, a link");
    const char *token = portal_random_token(p, TOKEN_BYTES);
    if (!token)
        return portal_db_refuse(err, "no randomness for an invitation");
    portal_db_result *res;
    const char *who[] = { in->email };
    if (portal_db_query(db, p, "invitations.locale_of", 1, who, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    const char *locale = portal_db_nrows(res) == 1 ? portal_db_get(res, 0, "locale")
                                                   : in->locale;
    const char *params[] = { in->tenant_id, in->email, in->role,
                             portal_sha256_hex(p, token, strlen(token)), in->invited_by,
                             apr_itoa(p, PORTAL_INVITATION_DAYS) };
    if (portal_db_query_as(db, p, in->tenant_id, "invitations.create", 6, params, &res, err)
        != APR_SUCCESS)
        return APR_EGENERAL;
    if (id)
        *id = portal_db_get(res, 0, "id");
    if (!locale)
        locale = mail->default_locale ? mail->default_locale : "en";
    json_t *vars = portal_json_owned(p, json_pack("{s:s, s:s, s:s, s:s, s:i}",
        "url", apr_pstrcat(p, in->link_base, token, NULL),
        "company", in->tenant_name ? in->tenant_name : "", "role", in->role,
        "role_label", portal_i18n_get(mail->i18n, locale,
                                      apr_pstrcat(p, "team.roles.", in->role, NULL)),
        "days", PORTAL_INVITATION_DAYS));
    if (in->inviter_name)
        json_object_set_new(vars, "inviter", json_string(in->inviter_name));
    return portal_mail_enqueue(db, p, mail, in->email, locale, "team_invite", vars, err);
}
