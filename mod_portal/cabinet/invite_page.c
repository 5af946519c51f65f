/* /invite/{token}: a team invitation from the mail. It shows the company
 * and the role; an address without an account creates one (name, a
 * password under the policy, the terms) and joins, its e-mail verified by
 * the act of opening the link; an existing account signs in with its
 * password, or joins with one click when this browser is signed in as that
 * address. Spending the link, the membership, the audit row and the new
 * session commit together; an account with two-step verification gets no
 * session from its password: it joins, then its code is asked for as at
 * sign-in (/signin/2fa). A wrong, expired, used or revoked link, or one to
 * a suspended company, gets a page that says which. */
#include "team.h"

#include <apr_strings.h>
#include "../core/i18n.h"
#include "../core/invitations.h"
#include "../core/password.h"
#include "../core/utf8.h"
#include "../core/ratelimit.h"
#include "identity_rules.h"
#include "team_rules.h"

#define INVITE_PER_IP 30
#define INVITE_PER_IP_WINDOW 600
#define MAX_PASSWORD_FIELD 1024

typedef struct {
    const char *token, *hash;
    const portal_db_result *inv;   /* the invitation, NULL: none */
    const char *state;             /* live, expired, used, revoked; unknown */
    const char *user_id;           /* the invited address's account, or NULL */
    const char *password_hash;
    int two_factor;                /* the account has two-step verification on */
    int signed_in_as_invitee;
} invite_ctx;

static apr_status_t load(portal_req *pr, invite_ctx *c, portal_db_error *err)
{
    portal_db_result *res;
    c->token = apr_table_get(pr->params, "token");
    c->hash = portal_invitation_token_hash(pr->r->pool, c->token);
    c->state = "unknown";
    if (!c->hash)
        return APR_SUCCESS;
    const char *params[] = { c->hash };
    if (portal_query(pr, "team.invite_by_token", 1, params, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (portal_db_nrows(res) != 1)
        return APR_SUCCESS;
    c->inv = res;
    c->state = portal_db_get(res, 0, "state");
    const char *email[] = { portal_db_get(res, 0, "email") };
    if (portal_query(pr, "cabinet.user_for_signin", 1, email, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (portal_db_nrows(res) == 1) {
        c->user_id = portal_db_get(res, 0, "id");
        c->password_hash = portal_db_get(res, 0, "password_hash");
        c->two_factor = portal_db_get_bool(res, 0, "two_factor");
    }
    c->signed_in_as_invitee = c->user_id && pr->session
                              && strcmp(pr->session->user_id, c->user_id) == 0;
    return APR_SUCCESS;
}

/* The status of the page for a link in state. */
static int state_status(const char *state)
{
    return strcmp(state, "live") == 0 ? HTTP_OK
         : strcmp(state, "unknown") == 0 ? HTTP_NOT_FOUND
         : strcmp(state, "suspended") == 0 ? HTTP_FORBIDDEN : HTTP_GONE;
}

static const char *inv(const invite_ctx *c, const char *col)
{
    return portal_db_get(c->inv, 0, col);
}

static int show(portal_req *pr, int status, const invite_ctx *c, const char *name,
                const char *terms, apr_table_t *errors)
{
    portal_secret_link_page(pr);
    json_t *view = portal_view(pr, "invite");
    int live = strcmp(c->state, "live") == 0;
    json_object_set_new(view, "live", json_boolean(live));
    if (!live) {
        json_object_set_new(view, "spent", json_string(portal_text(pr,
            apr_pstrcat(pr->r->pool, "invite.spent.", c->state, NULL))));
        return portal_render(pr, status, "cabinet/invite");
    }
    const char *role = inv(c, "role");
    json_object_set_new(view, "invite", json_pack("{s:s, s:s, s:s, s:s}",
        "company", inv(c, "tenant_name"), "email", inv(c, "email"),
        "inviter", PORTAL_STR(inv(c, "inviter_name")),
        "role", portal_text(pr, apr_pstrcat(pr->r->pool, "team.roles.", role, NULL))));
    json_object_set_new(view, "action", json_string(portal_url(pr,
        apr_pstrcat(pr->r->pool, "/invite/", c->token, NULL))));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "mode_join", json_boolean(c->signed_in_as_invitee));
    json_object_set_new(view, "mode_signin", json_boolean(c->user_id && !c->signed_in_as_invitee));
    json_object_set_new(view, "mode_create", json_boolean(!c->user_id));
    if (pr->session && !c->signed_in_as_invitee)
        json_object_set_new(view, "other_account", json_string(pr->session->email));
    json_object_set_new(view, "form", json_pack("{s:s, s:b}", "name", PORTAL_STR(name),
                                                "terms", terms && strcmp(terms, "yes") == 0));
    json_object_set_new(view, "forgot", json_string(portal_url(pr, "/forgot")));
    portal_cabinet_errors_view(pr, view, errors);
    return portal_render(pr, status, "cabinet/invite");
}

int portal_cabinet_invite(portal_req *pr)
{
    invite_ctx c = { 0 };
    portal_db_error err;
    if (load(pr, &c, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "opening an invitation", &err);
    return show(pr, state_status(c.state), &c, NULL, NULL, apr_table_make(pr->r->pool, 1));
}

/* Spends the invitation for user and joins them, audited, with a new
 * session in the company unless with_session is 0, inside one transaction
 * (open on db). */
static apr_status_t join(portal_req *pr, portal_db *db, const invite_ctx *c, const char *user,
                         const char *email, int created, int with_session, int *spent,
                         portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    const char *tenant = inv(c, "tenant_id");
    const char *use[] = { c->hash, user };
    portal_db_result *res;
    *spent = 0;
    if (portal_db_query_as(db, p, tenant, "team.invite_use", 2, use, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    if (portal_db_nrows(res) != 1) {
        *spent = 1;   /* another request took it a moment ago */
        return APR_EGENERAL;
    }
    const char *role = portal_db_get(res, 0, "role");
    const char *member[] = { user, role };
    const char *who[] = { user };
    if (portal_db_query_as(db, p, tenant, "team.join", 2, member, &res, err) != APR_SUCCESS
        || portal_query(pr, "team.user_verify", 1, who, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    json_t *detail = portal_json_owned(p, json_pack("{s:s, s:b, s:n, s:{s:s, s:s}}",
        "invitation", inv(c, "id"), "account_created", created, "before",
        "after", "email", email, "role", role));
    if (portal_audit_req(pr, "team.member.joined", user, email, tenant, detail, err)
        != APR_SUCCESS)
        return APR_EGENERAL;
    if (with_session && portal_session_start(pr, user, tenant, err) != APR_SUCCESS)
        return APR_EGENERAL;
    return portal_db_commit(db, p, err);
}

/* A password alone opens no session of an account with two-step
 * verification: it joins, and the sign-in's second step follows. */
static int finish(portal_req *pr, portal_db *db, const invite_ctx *c, const char *user,
                  int created, portal_db_error *err)
{
    int spent;
    int second_step = c->two_factor && !c->signed_in_as_invitee;
    if (join(pr, db, c, user, inv(c, "email"), created, !second_step, &spent, err)
        != APR_SUCCESS) {
        portal_db_rollback(db);
        apr_table_unset(pr->r->err_headers_out, "Set-Cookie");
        if (spent) {
            invite_ctx gone = *c;
            gone.state = "used";
            return show(pr, HTTP_GONE, &gone, NULL, NULL, apr_table_make(pr->r->pool, 1));
        }
        return portal_fail_db(pr, "joining a company", err);
    }
    const char *team = portal_url(pr, "/account/team?done=joined");
    if (second_step)
        return portal_cabinet_signin_challenge(pr, user, inv(c, "tenant_id"), team);
    return portal_redirect(pr, HTTP_SEE_OTHER, team);
}

/* A new account for the invited address. */
static int create(portal_req *pr, invite_ctx *c)
{
    apr_pool_t *p = pr->r->pool;
    const char *name = portal_text_trim(p, apr_table_get(pr->form, "name"));
    const char *password = apr_table_get(pr->form, "password");
    const char *terms = apr_table_get(pr->form, "terms");
    const char *email = inv(c, "email");
    apr_table_t *errors = apr_table_make(p, 3);
    if (!*name || !portal_text_one_line(name, 120))
        apr_table_setn(errors, "name", "signup.errors.name");
    const char *local = apr_pstrmemdup(p, email, strcspn(email, "@"));
    const char *context[] = { email, local, inv(c, "tenant_name"), name, NULL };
    const char *problem = portal_password_problem(password ? password : "", context);
    if (problem)
        apr_table_setn(errors, "password", apr_pstrcat(p, "signup.errors.password_", problem,
                                                       NULL));
    if (!terms || strcmp(terms, "yes") != 0)
        apr_table_setn(errors, "terms", "signup.errors.terms");
    if (apr_table_elts(errors)->nelts > 0)
        return show(pr, HTTP_BAD_REQUEST, c, name, terms, errors);
    const char *hash;
    int rc = portal_req_password_hash(pr, password, &hash);
    if (rc != OK)
        return rc;
    portal_db_error err;
    portal_db_result *res;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "creating an invited account", &err);
    const char *params[] = { email, hash, name, pr->locale, PORTAL_TERMS_VERSION };
    if (portal_query(pr, "team.invite_user", 5, params, &res, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        if (err.kind == PORTAL_DB_CONFLICT)   /* made a moment ago: sign in instead */
            return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr,
                apr_pstrcat(p, "/invite/", c->token, NULL)));
        return portal_fail_db(pr, "creating an invited account", &err);
    }
    return finish(pr, db, c, portal_db_get(res, 0, "id"), 1, &err);
}

/* An existing account: its password, unless this browser is signed in as it. */
static int join_existing(portal_req *pr, invite_ctx *c)
{
    apr_pool_t *p = pr->r->pool;
    portal_db_error err;
    if (!c->signed_in_as_invitee) {
        const char *password = apr_table_get(pr->form, "password");
        apr_table_t *errors = apr_table_make(p, 1);
        if (!password || !*password || strlen(password) > MAX_PASSWORD_FIELD) {
            apr_table_setn(errors, "password", "invite.errors.password");
            return show(pr, HTTP_BAD_REQUEST, c, NULL, NULL, errors);
        }
        /* The tries count with sign-in's, under its lockout (signin_page.c). */
        int matches;
        int rc = portal_cabinet_signin_account_limit(pr, inv(c, "email"));
        if (rc == OK)
            rc = portal_cabinet_password_matches(pr, c->user_id, c->password_hash, password,
                                                 &matches);
        if (rc != OK)
            return rc;
        if (!matches) {
            json_t *detail = portal_json_owned(p, json_pack("{s:b, s:s}", "account_exists", 1,
                                                            "via", "invitation"));
            if (portal_audit_req(pr, "user.signin.failed", c->user_id, inv(c, "email"), NULL,
                                 detail, &err) != APR_SUCCESS)
                return portal_fail_db(pr, "auditing a failed sign-in", &err);
            apr_table_setn(errors, "password", "invite.errors.wrong_password");
            return show(pr, HTTP_UNAUTHORIZED, c, NULL, NULL, errors);
        }
    }
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "joining a company", &err);
    return finish(pr, db, c, c->user_id, 0, &err);
}

int portal_cabinet_invite_send(portal_req *pr)
{
    invite_ctx c = { 0 };
    portal_db_error err;
    apr_pool_t *p = pr->r->pool;
    int rc = portal_limit(pr, "invite.ip", portal_rate_key_ip(p, pr->r->useragent_ip),
                          INVITE_PER_IP, INVITE_PER_IP_WINDOW);
    if (rc != OK)
        return rc;
    if (load(pr, &c, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "opening an invitation", &err);
    if (strcmp(c.state, "live") != 0)
        return show(pr, state_status(c.state), &c, NULL, NULL, apr_table_make(p, 1));
    return c.user_id ? join_existing(pr, &c) : create(pr, &c);
}
