/* The dashboard (/account/): the company, what the account needs now, and
 * the recent sign-ins, read with the session and one statement. Later
 * areas add their cards. */
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

/* A JSON array the dashboard statement built, owned by the pool. */
static json_t *array_of(portal_req *pr, const portal_db_result *res, const char *col)
{
    const char *text = portal_db_get(res, 0, col);
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_array(a)) {
        json_decref(a);
        a = json_array();
    }
    return portal_json_owned(pr->r->pool, a);
}

/* Team needs: the open invitations of the company for those who manage the
 * team, and the person's own invitations to other companies. */
static void invitation_needs(portal_req *pr, const portal_db_result *res, json_t *list)
{
    apr_pool_t *p = pr->r->pool;
    long long n = portal_db_get_int(res, 0, "pending");
    if (n > 0)
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "kind", "info",
            "text", apr_psprintf(p, "%s %" APR_INT64_T_FMT ".",
                                 portal_text(pr, "account.needs.pending_invitations"),
                                 (apr_int64_t)n),
            "action", portal_text(pr, "account.needs.see_team"),
            "href", portal_url(pr, "/account/team")));
    size_t i;
    json_t *inv;
    json_array_foreach(array_of(pr, res, "invitations"), i, inv)
        json_array_append_new(list, json_pack("{s:s, s:s}", "kind", "info",
            "text", apr_pstrcat(p, portal_text(pr, "account.needs.invited_elsewhere"), " ",
                json_string_value(json_object_get(inv, "tenant_name")), " (",
                portal_text(pr, apr_pstrcat(p, "team.roles.",
                    json_string_value(json_object_get(inv, "role")), NULL)),
                "). ", portal_text(pr, "account.needs.invited_hint"), NULL)));
}

/* The recent sign-ins, each with its device named from the user agent. */
static json_t *recent_sessions(portal_req *pr, const portal_db_result *res)
{
    json_t *list = json_array();
    size_t i;
    json_t *s;
    json_array_foreach(array_of(pr, res, "sessions"), i, s) {
        const char *label = portal_device_label(pr->r->pool,
            json_string_value(json_object_get(s, "user_agent")));
        json_array_append_new(list, json_pack("{s:O, s:O, s:O, s:s, s:O, s:O}",
            "at_iso", json_object_get(s, "at_iso"), "at", json_object_get(s, "at"),
            "ip", json_object_get(s, "ip"),
            "device", label ? label : portal_text(pr, "account.unknown_device"),
            "current", json_object_get(s, "current"), "active", json_object_get(s, "active")));
    }
    return list;
}

int portal_cabinet_account(portal_req *pr)
{
    portal_db_error err;
    portal_db_result *res;
    int manages = portal_roles_grants(pr->cfg->roles, PORTAL_CUSTOMER_ROLE, pr->session->role,
                                      "team.manage");
    const char *params[] = { pr->session->user_id, pr->session->id, pr->session->time_zone,
                             manages ? "true" : "false" };
    if (portal_cabinet_tq(pr, "cabinet.dashboard", 4, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "dashboard", &err);
    json_t *view = portal_view(pr, "account");
    if (apr_table_get(pr->query, "verified") && pr->session->email_verified)
        json_object_set_new(view, "notice", json_string(portal_text(pr, "account.verified")));
    json_t *list = needs(pr);
    invitation_needs(pr, res, list);
    json_object_set_new(view, "has_needs", json_boolean(json_array_size(list) > 0));
    json_object_set_new(view, "needs", list);
    json_object_set_new(view, "sessions", recent_sessions(pr, res));
    return portal_render(pr, HTTP_OK, "cabinet/account");
}
