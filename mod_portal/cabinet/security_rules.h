/* What the account's security page and the second step of a sign-in
 * accept, as plain data: the page glue and the unit tests call the same
 * rules. */
#ifndef PORTAL_SECURITY_RULES_H
#define PORTAL_SECURITY_RULES_H

#include <apr_pools.h>

/* A TOTP secret in base32 as people copy it by hand: groups of four
 * characters separated by spaces ("JBSW Y3DP EHPK 3PXP"). "" for NULL. */
const char *portal_secret_groups(apr_pool_t *p, const char *base32);

typedef enum {
    PORTAL_FACTOR_NONE,       /* neither: an error for the form */
    PORTAL_FACTOR_TOTP,       /* six digits */
    PORTAL_FACTOR_RECOVERY    /* a recovery code (core/recovery.h) */
} portal_factor_kind;

/* What a second-factor field holds: six digits (spaces and dashes allowed
 * between them) are an authenticator's code, *out the digits; twelve
 * characters of the recovery alphabet (either case, in any grouping of
 * spaces and dashes) are a recovery code, *out as "xxxx-xxxx-xxxx". */
portal_factor_kind portal_factor_parse(apr_pool_t *p, const char *typed, const char **out);

/* The change-password form: the catalog key of its first problem, or NULL
 * when the new password may be set. The current password is checked
 * against its hash by the page, not here. context as for
 * portal_password_problem (the e-mail, its local part, the name). */
const char *portal_password_change_problem(apr_pool_t *p, const char *current,
                                           const char *fresh, const char *confirm,
                                           const char *const *context);

#endif
