/* What the sign-in, sign-up and account forms accept, as plain data: the
 * page glue and the unit tests call the same rules. */
#ifndef PORTAL_IDENTITY_RULES_H
#define PORTAL_IDENTITY_RULES_H

#include <apr_pools.h>

/* The e-mail as accounts are keyed: surrounding white space trimmed, ASCII
 * letters lower-cased (the domain is case-insensitive; the local part of
 * every provider a customer uses is too). NULL when it is no plausible
 * address or longer than 254 bytes. */
const char *portal_email_normalize(apr_pool_t *p, const char *email);

#endif
