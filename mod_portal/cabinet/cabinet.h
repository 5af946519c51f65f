/* The route functions of the portal-cabinet area. */
#ifndef PORTAL_CABINET_H
#define PORTAL_CABINET_H

#include "../core/portal_req.h"

int portal_cabinet_home(portal_req *pr);
int portal_cabinet_features(portal_req *pr);
int portal_cabinet_security(portal_req *pr);
int portal_cabinet_pricing(portal_req *pr);
int portal_cabinet_contact(portal_req *pr);
int portal_cabinet_contact_send(portal_req *pr);
int portal_cabinet_signin(portal_req *pr);
int portal_cabinet_signin_send(portal_req *pr);
int portal_cabinet_signout(portal_req *pr);
int portal_cabinet_account(portal_req *pr);
int portal_cabinet_signup(portal_req *pr);
int portal_cabinet_signup_send(portal_req *pr);
int portal_cabinet_verify(portal_req *pr);
int portal_cabinet_verify_send(portal_req *pr);
int portal_cabinet_verify_resend(portal_req *pr);
int portal_cabinet_forgot(portal_req *pr);
int portal_cabinet_forgot_send(portal_req *pr);
int portal_cabinet_reset(portal_req *pr);
int portal_cabinet_reset_send(portal_req *pr);
int portal_cabinet_profile(portal_req *pr);
int portal_cabinet_profile_send(portal_req *pr);
int portal_cabinet_company(portal_req *pr);
int portal_cabinet_company_send(portal_req *pr);
int portal_cabinet_team(portal_req *pr);
int portal_cabinet_team_invite(portal_req *pr);
int portal_cabinet_team_role(portal_req *pr);
int portal_cabinet_team_remove(portal_req *pr);
int portal_cabinet_team_revoke(portal_req *pr);
int portal_cabinet_team_resend(portal_req *pr);
int portal_cabinet_companies(portal_req *pr);
int portal_cabinet_switch(portal_req *pr);
int portal_cabinet_invite(portal_req *pr);
int portal_cabinet_invite_send(portal_req *pr);

/* Mails user a fresh 6-digit code (replacing the earlier ones) inside the
 * caller's transaction; and the keyed hash a code is stored and checked as. */
apr_status_t portal_cabinet_send_code(portal_req *pr, const char *user_id, const char *email,
                                      const char *locale, portal_db_error *err);
const char *portal_cabinet_code_hash(portal_req *pr, const char *code);

/* The plans on sale as the Pricing page shows them (array of objects), and
 * the home page's "from" phrase with the lowest monthly price (NULL without
 * plans). Either output may be NULL when the page does not need it. */
apr_status_t portal_cabinet_plans_view(portal_req *pr, json_t **plans, const char **from_price,
                                       portal_db_error *err);

#endif
