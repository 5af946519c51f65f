/* /account/team: the members with their roles and the open invitations.
 * Every member sees it (team.read); owners and admins (team.manage)
 * invite, change roles, remove members, revoke and resend invitations.
 * team_rules.c decides who may give which role and guards the last owner,
 * counted under the company's row lock so parallel changes queue up.
 * Every change is audited with the before and the after and mailed to the
 * person concerned in their language. */
#include "team.h"

#include <apr_strings.h>
#include "../core/audit.h"
#include "../core/i18n.h"
#include "../core/invitations.h"
#include "../core/outbox.h"
#include "../core/ratelimit.h"
#include "../core/roles.h"
#include "identity_rules.h"
#include "team_rules.h"

#define INVITES_PER_TENANT 50
#define INVITES_WINDOW 86400

static const char *const all_roles[] = { "owner", "admin", "member", "viewer", NULL };

static const char *role_label(portal_req *pr, const char *locale, const char *role)
{
    return portal_i18n_get(pr->cfg->i18n, locale,
                           apr_pstrcat(pr->r->pool, "team.roles.", role, NULL));
}

/* The roles the signed-in person may give, as select options. */
static json_t *role_options(portal_req *pr, const char *selected)
{
    json_t *list = json_array();
    for (const char *const *r = all_roles; *r; r++)
        if (!portal_team_invite_problem(pr->session->role, *r))
            json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", *r,
                "label", role_label(pr, pr->locale, *r),
                "selected", selected && strcmp(selected, *r) == 0));
    return list;
}

static apr_status_t members_view(portal_req *pr, int manage, json_t **out, portal_db_error *err)
{
    portal_db_result *res;
    const char *params[] = { pr->session->time_zone };
    if (portal_cabinet_tq(pr, "team.members", 1, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    json_t *list = json_array();
    for (int i = 0; i < portal_db_nrows(res); i++) {
        const char *id = portal_db_get(res, i, "user_id");
        const char *role = portal_db_get(res, i, "role");
        int self = strcmp(id, pr->session->user_id) == 0;
        /* Controls only where the rules could allow something. */
        int touch = manage && !portal_team_change_problem(pr->session->role, role,
            strcmp(role, "viewer") == 0 ? "member" : "viewer", 2, self);
        json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}",
            "id", id, "email", portal_db_get(res, i, "email"),
            "name", portal_db_get(res, i, "name"), "role", role,
            "role_label", role_label(pr, pr->locale, role),
            "joined", portal_db_get(res, i, "joined"),
            "self", self, "touch", touch, "removable", touch && !self);
        json_object_set_new(m, "joined_iso", json_string(portal_db_get(res, i, "joined_iso")));
        if (touch) {
            json_object_set_new(m, "roles", role_options(pr, role));
            json_object_set_new(m, "role_action", json_string(portal_url(pr,
                apr_pstrcat(pr->r->pool, "/account/team/members/", id, "/role", NULL))));
            json_object_set_new(m, "remove_action", json_string(portal_url(pr,
                apr_pstrcat(pr->r->pool, "/account/team/members/", id, "/remove", NULL))));
        }
        json_array_append_new(list, m);
    }
    *out = list;
    return APR_SUCCESS;
}

static apr_status_t invitations_view(portal_req *pr, int manage, json_t **out,
                                     portal_db_error *err)
{
    portal_db_result *res;
    const char *params[] = { pr->session->time_zone };
    if (portal_cabinet_tq(pr, "team.invitations", 1, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    json_t *list = json_array();
    for (int i = 0; i < portal_db_nrows(res); i++) {
        const char *id = portal_db_get(res, i, "id");
        const char *role = portal_db_get(res, i, "role");
        json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}",
            "email", portal_db_get(res, i, "email"), "role_label", role_label(pr, pr->locale, role),
            "inviter", portal_db_get(res, i, "inviter"),
            "expires", portal_db_get(res, i, "expires"),
            "expires_iso", portal_db_get(res, i, "expires_iso"),
            "id", id, "expired", portal_db_get_bool(res, i, "expired"),
            "touch", manage && !portal_team_invite_problem(pr->session->role, role));
        json_object_set_new(v, "revoke_action", json_string(portal_url(pr,
            apr_pstrcat(pr->r->pool, "/account/team/invitations/", id, "/revoke", NULL))));
        json_object_set_new(v, "resend_action", json_string(portal_url(pr,
            apr_pstrcat(pr->r->pool, "/account/team/invitations/", id, "/resend", NULL))));
        json_array_append_new(list, v);
    }
    *out = list;
    return APR_SUCCESS;
}

/* The team page; error_key, when set, is said at the top (a refused
 * change) or at the invite form (invite_error). */
static int show(portal_req *pr, int status, const char *email, const char *role,
                const char *error_key, const char *invite_error)
{
    portal_db_error err;
    int manage = portal_roles_grants(pr->cfg->roles, PORTAL_CUSTOMER_ROLE, pr->session->role,
                                     "team.manage");
    json_t *members, *invitations;
    if (members_view(pr, manage, &members, &err) != APR_SUCCESS
        || invitations_view(pr, manage, &invitations, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "listing the team", &err);
    json_t *view = portal_view(pr, "team");
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "manage", json_boolean(manage));
    json_object_set_new(view, "members", members);
    json_object_set_new(view, "has_invitations", json_boolean(json_array_size(invitations) > 0));
    json_object_set_new(view, "invitations", invitations);
    json_object_set_new(view, "invite", json_pack("{s:s, s:s, s:o}",
        "action", portal_url(pr, "/account/team/invite"), "email", PORTAL_STR(email),
        "roles", role_options(pr, role ? role : "member")));
    static const char *const notices[] = { "invited", "role_changed", "removed", "revoked",
                                           "resent", "joined", NULL };
    const char *done = apr_table_get(pr->query, "done");
    for (const char *const *n = notices; done && status == HTTP_OK && *n; n++)
        if (strcmp(done, *n) == 0)
            json_object_set_new(view, "notice", json_string(portal_text(pr,
                apr_pstrcat(pr->r->pool, "team.done.", done, NULL))));
    if (error_key)
        json_object_set_new(view, "error", json_string(portal_text(pr, error_key)));
    if (invite_error)
        json_object_set_new(view, "invite_error", json_string(portal_text(pr, invite_error)));
    return portal_render(pr, status, "cabinet/team");
}

int portal_cabinet_team(portal_req *pr)
{
    return show(pr, HTTP_OK, NULL, NULL, NULL, NULL);
}

static int done(portal_req *pr, const char *what)
{
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr,
        apr_pstrcat(pr->r->pool, "/account/team?done=", what, NULL)));
}

/* Ends the transaction after a failure: a refusal shows the page with its
 * reason, anything else is the database's error. */
static int abort_with(portal_req *pr, portal_db *db, apr_status_t rv, portal_db_error *err,
                      int status, const char *error_key, const char *doing)
{
    portal_db_rollback(db);
    if (rv != APR_SUCCESS)
        return portal_fail_db(pr, doing, err);
    return show(pr, status, NULL, NULL, error_key, NULL);
}

/* Opens the transaction of a team change with the company's row locked,
 * and reads the actor's own role again under that lock (*actor; "" when
 * they are no longer a member): a request that waited for another change
 * decides on the team as that change left it, its actor included. */
static apr_status_t begin_locked(portal_req *pr, portal_db **db, const char **actor,
                                 portal_db_error *err)
{
    portal_db_result *res;
    const char *self[] = { pr->session->user_id };
    *actor = "";
    *db = portal_req_db(pr, err);
    if (!*db || portal_db_begin(*db, pr->r->pool, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (portal_cabinet_tq(pr, "team.lock", 0, NULL, &res, err) != APR_SUCCESS
        || portal_cabinet_tq(pr, "team.member", 1, self, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (portal_db_nrows(res) == 1)
        *actor = portal_db_get(res, 0, "role");
    return APR_SUCCESS;
}

static apr_status_t mail_member(portal_req *pr, const char *email, const char *locale,
                                const char *template_name, const char *role,
                                portal_db_error *err)
{
    json_t *vars = portal_json_owned(pr->r->pool, json_pack("{s:s, s:s, s:s}",
        "company", pr->session->tenant_name, "url", portal_cabinet_abs(pr, "/account/"),
        "actor", *pr->session->name ? pr->session->name : pr->session->email));
    if (role)
        json_object_set_new(vars, "role", json_string(role_label(pr, locale, role)));
    return portal_mail_enqueue(portal_req_db(pr, err), pr->r->pool, &pr->cfg->mail, email,
                               locale, template_name, vars, err);
}

int portal_cabinet_team_invite(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *raw = apr_table_get(pr->form, "email");
    const char *role = apr_table_get(pr->form, "role");
    const char *email = portal_email_normalize(p, raw);
    if (!email)
        return show(pr, HTTP_BAD_REQUEST, raw, role, NULL, "team.errors.email");
    const char *problem = portal_team_invite_problem(pr->session->role, role);
    if (problem)
        return show(pr, portal_team_role_valid(role) ? HTTP_FORBIDDEN : HTTP_BAD_REQUEST,
                    email, role, NULL, problem);
    int rc = portal_limit(pr, "team.invite", pr->session->tenant_id, INVITES_PER_TENANT,
                          INVITES_WINDOW);
    if (rc != OK)
        return rc;
    portal_db_error err;
    portal_db_result *res;
    portal_db *db;
    const char *actor;
    const char *who[] = { email };
    apr_status_t rv = begin_locked(pr, &db, &actor, &err);
    if (rv == APR_SUCCESS && (problem = portal_team_invite_problem(actor, role)))
        return abort_with(pr, db, rv, &err, HTTP_FORBIDDEN, problem, NULL);
    if (rv == APR_SUCCESS)
        rv = portal_cabinet_tq(pr, "team.is_member", 1, who, &res, &err);
    if (rv != APR_SUCCESS || portal_db_get_bool(res, 0, "member")) {
        if (db)
            portal_db_rollback(db);
        return rv != APR_SUCCESS ? portal_fail_db(pr, "inviting", &err)
                                 : show(pr, HTTP_CONFLICT, email, role, NULL,
                                        "team.errors.already_member");
    }
    portal_invitation_new in = {
        pr->session->tenant_id, pr->session->tenant_name, email, role, pr->session->user_id,
        *pr->session->name ? pr->session->name : pr->session->email, pr->locale,
        portal_cabinet_abs(pr, "/invite/"),
    };
    const char *id = NULL;
    rv = portal_invitation_create(db, p, &pr->cfg->mail, &in, &id, &err);
    if (rv == APR_SUCCESS) {
        json_t *detail = portal_json_owned(p, json_pack("{s:s, s:n, s:{s:s, s:s}}",
            "invitation", id, "before", "after", "email", email, "role", role));
        rv = portal_audit_req(pr, "team.member.invited", NULL, NULL, NULL, detail, &err);
    }
    if (rv == APR_SUCCESS)
        rv = portal_db_commit(db, p, &err);
    if (rv != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "inviting", &err);
    }
    return done(pr, "invited");
}

/* The member of the session's company a route's {id} names, inside the
 * locked transaction; NULL (and nothing failed) when there is none: 404. */
static const portal_db_result *member_of(portal_req *pr, apr_status_t *rv,
                                         portal_db_error *err)
{
    const char *id = apr_table_get(pr->params, "id");
    portal_db_result *res;
    *rv = APR_SUCCESS;
    if (!portal_uuid_valid(id))
        return NULL;
    const char *params[] = { id };
    *rv = portal_cabinet_tq(pr, "team.member", 1, params, &res, err);
    return *rv == APR_SUCCESS && portal_db_nrows(res) == 1 ? res : NULL;
}

static int owners_count(portal_req *pr, apr_status_t *rv, portal_db_error *err)
{
    portal_db_result *res;
    *rv = portal_cabinet_tq(pr, "team.owners", 0, NULL, &res, err);
    return *rv == APR_SUCCESS ? (int)portal_db_get_int(res, 0, "owners") : 0;
}

/* A role change (new_role) or a removal (NULL) of the member {id}. */
static int change(portal_req *pr, const char *new_role)
{
    apr_pool_t *p = pr->r->pool;
    const char *id = apr_table_get(pr->params, "id");
    portal_db_error err;
    portal_db_result *res;
    portal_db *db;
    const char *actor;
    apr_status_t rv = begin_locked(pr, &db, &actor, &err);
    const portal_db_result *m = rv == APR_SUCCESS ? member_of(pr, &rv, &err) : NULL;
    if (!m) {
        if (db)
            portal_db_rollback(db);
        return rv != APR_SUCCESS ? portal_fail_db(pr, "changing the team", &err)
                                 : portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    }
    const char *before = portal_db_get(m, 0, "role");
    int owners = owners_count(pr, &rv, &err);
    const char *problem = rv == APR_SUCCESS
        ? portal_team_change_problem(actor, before, new_role, owners,
                                     strcmp(id, pr->session->user_id) == 0)
        : NULL;
    if (rv != APR_SUCCESS || problem)
        return abort_with(pr, db, rv, &err,
                          problem && strcmp(problem, "team.errors.owner_only") == 0
                              ? HTTP_FORBIDDEN
                              : problem && strcmp(problem, "team.errors.role") == 0
                                    ? HTTP_BAD_REQUEST : HTTP_CONFLICT,
                          problem, "changing the team");
    const char *email = portal_db_get(m, 0, "email");
    const char *locale = portal_db_get(m, 0, "locale");
    const char *params[] = { id, new_role };
    if (new_role)
        rv = portal_cabinet_tq(pr, "team.set_role", 2, params, &res, &err);
    else {
        rv = portal_cabinet_tq(pr, "team.remove", 1, params, &res, &err);
        if (rv == APR_SUCCESS)
            rv = portal_cabinet_tq(pr, "team.revoke_sessions", 1, params, &res, &err);
    }
    if (rv == APR_SUCCESS)
        rv = mail_member(pr, email, locale, new_role ? "team_role_changed" : "team_removed",
                         new_role, &err);
    if (rv == APR_SUCCESS) {
        json_t *detail = json_pack("{s:s, s:s, s:{s:s}}", "member", id, "email", email,
                                   "before", "role", before);
        json_object_set_new(detail, "after", new_role ? json_pack("{s:s}", "role", new_role)
                                                      : json_null());
        portal_json_owned(p, detail);
        rv = portal_audit_req(pr, new_role ? "team.member.role_changed" : "team.member.removed",
                              NULL, NULL, NULL, detail, &err);
    }
    if (rv == APR_SUCCESS)
        rv = portal_db_commit(db, p, &err);
    if (rv != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "changing the team", &err);
    }
    return done(pr, new_role ? "role_changed" : "removed");
}

int portal_cabinet_team_role(portal_req *pr)
{
    const char *role = apr_table_get(pr->form, "role");
    if (!portal_team_role_valid(role))
        return show(pr, HTTP_BAD_REQUEST, NULL, NULL, "team.errors.role", NULL);
    return change(pr, role);
}

int portal_cabinet_team_remove(portal_req *pr)
{
    return change(pr, NULL);
}

/* Revokes ({resend} 0) or sends anew ({resend} 1: a fresh token, the old
 * link stops working) the invitation {id} of the session's company. */
static int invitation_action(portal_req *pr, int resend)
{
    apr_pool_t *p = pr->r->pool;
    const char *id = apr_table_get(pr->params, "id");
    if (!portal_uuid_valid(id))
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    portal_db_error err;
    portal_db_result *res;
    portal_db *db;
    const char *actor;
    const char *params[] = { id };
    apr_status_t rv = begin_locked(pr, &db, &actor, &err);
    if (rv == APR_SUCCESS)
        rv = portal_cabinet_tq(pr, "team.invitation", 1, params, &res, &err);
    if (rv != APR_SUCCESS || portal_db_nrows(res) != 1) {
        if (db)
            portal_db_rollback(db);
        return rv != APR_SUCCESS ? portal_fail_db(pr, "changing an invitation", &err)
                                 : portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    }
    const char *email = portal_db_get(res, 0, "email");
    const char *role = portal_db_get(res, 0, "role");
    const char *problem = portal_team_invite_problem(actor, role);
    if (problem)
        return abort_with(pr, db, APR_SUCCESS, &err, HTTP_FORBIDDEN, problem, NULL);
    const char *new_id = NULL;
    if (resend) {
        portal_invitation_new in = {
            pr->session->tenant_id, pr->session->tenant_name, email, role,
            pr->session->user_id, *pr->session->name ? pr->session->name : pr->session->email,
            pr->locale, portal_cabinet_abs(pr, "/invite/"),
        };
        rv = portal_invitation_create(db, p, &pr->cfg->mail, &in, &new_id, &err);
    } else
        rv = portal_cabinet_tq(pr, "team.invitation_revoke", 1, params, &res, &err);
    if (rv == APR_SUCCESS) {
        json_t *detail = json_pack("{s:s, s:{s:s, s:s, s:s}}", "invitation", id,
                                   "before", "email", email, "role", role, "state", "open");
        json_object_set_new(detail, "after", resend
            ? json_pack("{s:s, s:s, s:s, s:s}", "email", email, "role", role, "state", "open",
                        "invitation", new_id)
            : json_pack("{s:s, s:s, s:s}", "email", email, "role", role, "state", "revoked"));
        portal_json_owned(p, detail);
        rv = portal_audit_req(pr, resend ? "team.invitation.resent" : "team.invitation.revoked",
                              NULL, NULL, NULL, detail, &err);
    }
    if (rv == APR_SUCCESS)
        rv = portal_db_commit(db, p, &err);
    if (rv != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "changing an invitation", &err);
    }
    return done(pr, resend ? "resent" : "revoked");
}

int portal_cabinet_team_revoke(portal_req *pr)
{
    return invitation_action(pr, 0);
}

int portal_cabinet_team_resend(portal_req *pr)
{
    return invitation_action(pr, 1);
}
