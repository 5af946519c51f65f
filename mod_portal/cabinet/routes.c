/* portal-cabinet: the public site now; sign-in and the customer cabinet
 * (under /account/) join this table as they land. */
#include "../areas.h"
#include "cabinet.h"

static const portal_route routes[] = {
    { "GET",  "/",         "public", portal_cabinet_home },
    { "GET",  "/features", "public", portal_cabinet_features },
    { "GET",  "/pricing",  "public", portal_cabinet_pricing },
    { "GET",  "/security", "public", portal_cabinet_security },
    { "GET",  "/contact",  "public", portal_cabinet_contact },
    { "POST", "/contact",  "public", portal_cabinet_contact_send },
    { "GET",  "/signin",   "guest",  portal_cabinet_signin },
    { "POST", "/signin",   "guest",  portal_cabinet_signin_send },
    { "POST", "/signout",  "self",   portal_cabinet_signout },
    { "GET",  "/signin/2fa", "guest", portal_cabinet_signin_2fa },
    { "POST", "/signin/2fa", "guest", portal_cabinet_signin_2fa_send },
    { "GET",  "/account/", NULL,     portal_cabinet_account },
    /* "self": reachable before the two-step verification a company
     * requires (core/mod_portal_session.c). */
    { "GET",  "/account/security", "self", portal_cabinet_account_security },
    { "POST", "/account/security/password", "self", portal_cabinet_security_password },
    { "POST", "/account/security/sessions/{id}/signout", "self",
      portal_cabinet_security_revoke },
    { "POST", "/account/security/sessions/signout-others", "self",
      portal_cabinet_security_revoke_others },
    { "POST", "/account/security/require-2fa", "self", portal_cabinet_security_require },
    { "POST", "/account/security/2fa", "self", portal_cabinet_two_factor_start },
    { "GET",  "/account/security/2fa", "self", portal_cabinet_two_factor_enrol },
    { "POST", "/account/security/2fa/confirm", "self", portal_cabinet_two_factor_confirm },
    { "POST", "/account/security/2fa/disable", "self", portal_cabinet_two_factor_disable },
    { "POST", "/account/security/2fa/recovery", "self", portal_cabinet_two_factor_recovery },
    { "GET",  "/signup",   "guest",  portal_cabinet_signup },
    { "POST", "/signup",   "guest",  portal_cabinet_signup_send },
    { "GET",  "/verify",   NULL,     portal_cabinet_verify },
    { "POST", "/verify",   NULL,     portal_cabinet_verify_send },
    { "POST", "/verify/resend", NULL, portal_cabinet_verify_resend },
    { "GET",  "/forgot",   "guest",  portal_cabinet_forgot },
    { "POST", "/forgot",   "guest",  portal_cabinet_forgot_send },
    /* Public: the mailed link works whoever is signed in in this browser. */
    { "GET",  "/reset",    "public", portal_cabinet_reset },
    { "POST", "/reset",    "public", portal_cabinet_reset_send },
    /* Profile, company, team, invitations (team_page.c and its siblings). */
    { "GET",  "/account/profile", NULL, portal_cabinet_profile },
    { "POST", "/account/profile", NULL, portal_cabinet_profile_send },
    { "GET",  "/account/company", "team.read", portal_cabinet_company },
    { "POST", "/account/company", "company.manage", portal_cabinet_company_send },
    { "GET",  "/account/team", "team.read", portal_cabinet_team },
    { "POST", "/account/team/invite", "team.manage", portal_cabinet_team_invite },
    { "POST", "/account/team/members/{id}/role", "team.manage", portal_cabinet_team_role },
    { "POST", "/account/team/members/{id}/remove", "team.manage", portal_cabinet_team_remove },
    { "POST", "/account/team/invitations/{id}/revoke", "team.manage",
      portal_cabinet_team_revoke },
    { "POST", "/account/team/invitations/{id}/resend", "team.manage",
      portal_cabinet_team_resend },
    { "GET",  "/account/companies", NULL, portal_cabinet_companies },
    { "POST", "/account/switch", NULL, portal_cabinet_switch },
    /* Public: the mailed link creates an account or joins an existing one. */
    { "GET",  "/invite/{token}", "public", portal_cabinet_invite },
    { "POST", "/invite/{token}", "public", portal_cabinet_invite_send },
};

/* A route without a perm needs a signed-in member of a tenant. */
const portal_route_table portal_cabinet_routes = PORTAL_ROUTES(routes, "member");
