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
int portal_cabinet_account_security(portal_req *pr);
int portal_cabinet_security_password(portal_req *pr);
int portal_cabinet_security_revoke(portal_req *pr);
int portal_cabinet_security_revoke_others(portal_req *pr);
int portal_cabinet_security_require(portal_req *pr);
int portal_cabinet_two_factor_start(portal_req *pr);
int portal_cabinet_two_factor_enrol(portal_req *pr);
int portal_cabinet_two_factor_confirm(portal_req *pr);
int portal_cabinet_two_factor_disable(portal_req *pr);
int portal_cabinet_two_factor_recovery(portal_req *pr);
int portal_cabinet_signin_2fa(portal_req *pr);
int portal_cabinet_signin_2fa_send(portal_req *pr);
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

/* After a refused sign-in of an over-limit account: mails its owner once
 * per window_seconds (locked for retry_after more seconds) and audits
 * user.signin.lockout; nothing for an address without an account. OK, or
 * the status of the error page it sent. */
int portal_cabinet_lockout_notice(portal_req *pr, const char *email, int retry_after,
                                  int window_seconds);

/* The protections of sign-in (signin_page.c) for every form that takes an
 * account's password. portal_cabinet_signin_account_limit counts a try of
 * email's account: past the limit it is locked for the rest of the window,
 * its owner mailed once. portal_cabinet_password_matches checks password
 * against hash (a dummy run of the same cost when hash is NULL) in a hash
 * slot and stores a stronger hash of a matching password under an older
 * policy (user_id's row). Both: OK, or the status of the page sent. */
int portal_cabinet_signin_account_limit(portal_req *pr, const char *email);
int portal_cabinet_password_matches(portal_req *pr, const char *user_id, const char *hash,
                                    const char *password, int *matches);

/* The plans on sale as the Pricing page shows them (array of objects), and
 * the home page's "from" phrase with the lowest monthly price (NULL without
 * plans). Either output may be NULL when the page does not need it. */
apr_status_t portal_cabinet_plans_view(portal_req *pr, json_t **plans, const char **from_price,
                                       portal_db_error *err);

/* The security page with status, and error_key's message in section
 * ("password", "two_factor", "team"; NULL: no error). */
int portal_cabinet_security_show(portal_req *pr, int status, const char *section,
                                 const char *error_key);

/* Two-step verification (two_factor.c). */
#define PORTAL_CABINET_RECOVERY_CODES 10
/* The key of purpose from PortalSecretFile, wiped with the request. */
void portal_cabinet_key(portal_req *pr, const char *purpose, unsigned char key[32]);
/* A TOTP secret sealed for the users row, and opened from it. */
const char *portal_cabinet_totp_seal(portal_req *pr, const unsigned char *secret,
                                     apr_size_t len);
apr_status_t portal_cabinet_totp_open(portal_req *pr, const char *sealed,
                                      const unsigned char **secret, apr_size_t *len);
/* Checks what the person typed as their second factor and spends it: an
 * authenticator's code (of sealed, or of the account's own secret when
 * sealed is NULL) once per time step, or one unused recovery code
 * (*recovery_left then the codes still unused, else -1). APR_SUCCESS when
 * it counts, APR_EMISMATCH when it does not, else a database failure.
 * Run it inside the transaction of what it unlocks. */
apr_status_t portal_cabinet_factor_check(portal_req *pr, const char *user_id, const char *sealed,
                                         const char *typed, int *recovery_left,
                                         portal_db_error *err);
/* Replaces the person's recovery codes with a fresh set (*codes, to show
 * once; only their keyed hashes are stored). */
apr_status_t portal_cabinet_recovery_new(portal_req *pr, const char *user_id,
                                         const char ***codes, portal_db_error *err);
/* Queues a security notice (email/<template_name>) with vars plus "url",
 * the security page. vars is borrowed and may be NULL. */
apr_status_t portal_cabinet_notice(portal_req *pr, const char *email, const char *locale,
                                   const char *template_name, json_t *vars,
                                   portal_db_error *err);
/* The second step of a sign-in for a user with two-step verification:
 * a 5-minute challenge bound to this browser, then /signin/2fa. */
int portal_cabinet_signin_challenge(portal_req *pr, const char *user_id, const char *tenant_id,
                                    const char *next);

#endif
