/* The dashboard (/account/): the company, what the account needs now, and
 * the recent sign-ins. Later areas add their cards. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/roles.h"
#include "identity_rules.h"
#include "team.h"

static json_t *needs(portal_req *pr)
{
    json_t *list = json_array();
    if (!pr->session->email_verified)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "kind", "warning",
            "text", portal_text(pr, "account.needs.verify_email"),
            "action", portal_text(pr, "account.verify_now"),
            "href", portal_url(pr, "/verify")));
    if (!pr->session->totp_enabled)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "kind", "info",
            "text", portal_text(pr, "account.needs.enable_2fa"),
            "action", portal_text(pr, "account.turn_on_2fa"),
            "href", portal_url(pr, "/account/security#two-factor")));
    return list;
}

/* Team needs: the open invitations of the company for those who manage the
 * team, and the person's own invitations to other companies. */
static apr_status_t invitation_needs(portal_req *pr, json_t *list, portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    portal_db_result *res;
    if (portal_roles_grants(pr->cfg->roles, PORTAL_CUSTOMER_ROLE, pr->session->role,
                            "team.manage")) {
        if (portal_cabinet_tq(pr, "team.pending_count", 0, NULL, &res, err) != APR_SUCCESS)
            return APR_EGENERAL;
        long long n = portal_db_get_int(res, 0, "pending");
        if (n > 0)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "kind", "info",
                "text", apr_psprintf(p, "%s %" APR_INT64_T_FMT ".",
                                     portal_text(pr, "account.needs.pending_invitations"),
                                     (apr_int64_t)n),
                "action", portal_text(pr, "account.needs.see_team"),
                "href", portal_url(pr, "/account/team")));
    }
    const char *params[] = { pr->session->user_id, pr->session->time_zone };
    if (portal_query(pr, "team.invitations_for", 2, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    for (int i = 0; i < portal_db_nrows(res); i++)
        json_array_append_new(list, json_pack("{s:s, s:s}", "kind", "info",
            "text", apr_pstrcat(p, portal_text(pr, "account.needs.invited_elsewhere"), " ",
                portal_db_get(res, i, "tenant_name"), " (",
                portal_text(pr, apr_pstrcat(p, "team.roles.", portal_db_get(res, i, "role"),
                                            NULL)),
                "). ", portal_text(pr, "account.needs.invited_hint"), NULL)));
    return APR_SUCCESS;
}

static apr_status_t recent_sessions(portal_req *pr, json_t **out, portal_db_error *err)
{
    const char *params[] = { pr->session->user_id, pr->session->id, pr->session->time_zone };
    portal_db_result *res;
    if (portal_query(pr, "cabinet.recent_sessions", 3, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    json_t *list = json_array();
    for (int i = 0; i < portal_db_nrows(res); i++) {
        const char *ip = portal_db_get(res, i, "ip");
        const char *label = portal_device_label(pr->r->pool,
                                                portal_db_get(res, i, "user_agent"));
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}",
            "at_iso", portal_db_get(res, i, "at_iso"), "at", portal_db_get(res, i, "at_local"),
            "ip", ip ? ip : "", "device", label ? label : portal_text(pr, "account.unknown_device"),
            "current", portal_db_get_bool(res, i, "current"),
            "active", portal_db_get_bool(res, i, "active")));
    }
    *out = list;
    return APR_SUCCESS;
}

int portal_cabinet_account(portal_req *pr)
{
    portal_db_error err;
    json_t *sessions;
    if (recent_sessions(pr, &sessions, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "dashboard", &err);
    json_t *view = portal_view(pr, "account");
    if (apr_table_get(pr->query, "verified") && pr->session->email_verified)
        json_object_set_new(view, "notice", json_string(portal_text(pr, "account.verified")));
    json_t *list = needs(pr);
    if (invitation_needs(pr, list, &err) != APR_SUCCESS) {
        json_decref(list);
        return portal_fail_db(pr, "dashboard invitations", &err);
    }
    json_object_set_new(view, "has_needs", json_boolean(json_array_size(list) > 0));
    json_object_set_new(view, "needs", list);
    json_object_set_new(view, "sessions", sessions);
    return portal_render(pr, HTTP_OK, "cabinet/account");
}
