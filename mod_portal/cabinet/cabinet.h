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

/* Mails user a fresh 6-digit code (replacing the earlier ones) inside the
 * caller's transaction; and the keyed hash a code is stored and checked as. */
apr_status_t portal_cabinet_send_code(portal_req *pr, const char *user_id, const char *email,
                                      const char *locale, portal_db_error *err);
const char *portal_cabinet_code_hash(portal_req *pr, const char *code);

/* After a refused sign-in of an over-limit account: mails its owner once
 * per window_seconds (locked for retry_after more seconds) and audits
 * user.signin.lockout; nothing for an address without an account. OK, or
 * the status of the error page it sent. */
int portal_cabinet_lockout_notice(portal_req *pr, const char *email, int retry_after,
                                  int window_seconds);

/* The plans on sale as the Pricing page shows them (array of objects), and
 * the home page's "from" phrase with the lowest monthly price (NULL without
 * plans). Either output may be NULL when the page does not need it. */
apr_status_t portal_cabinet_plans_view(portal_req *pr, json_t **plans, const char **from_price,
                                       portal_db_error *err);

#endif
