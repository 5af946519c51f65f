/* What the sign-in, sign-up and account forms accept, as plain data: the
 * page glue and the unit tests call the same rules. */
#ifndef PORTAL_IDENTITY_RULES_H
#define PORTAL_IDENTITY_RULES_H

#include <apr_pools.h>
#include <apr_tables.h>

/* The e-mail as accounts are keyed: surrounding white space trimmed, ASCII
 * letters lower-cased (the domain is case-insensitive; the local part of
 * every provider a customer uses is too). NULL when it is no plausible
 * address or longer than 254 bytes. */
const char *portal_email_normalize(apr_pool_t *p, const char *email);

/* 1 when s is valid UTF-8 text of at most max bytes without control
 * characters: a one-line field (a name, a city). */
int portal_text_one_line(const char *s, apr_size_t max);

/* The countries the sign-up form offers (ISO 3166 alpha-2), in form
 * order; NULL-ended. Their names are the catalogs' countries.<code>. */
extern const char *const portal_signup_countries[];

/* The version of the Terms and Privacy a new account accepts. */
#define PORTAL_TERMS_VERSION "2026-11"

typedef struct {
    const char *company, *tax_id, *country, *city, *phone;
    const char *name, *email, *password, *terms;
} portal_signup_input;

/* Trims the fields (in place), normalises the e-mail and checks every
 * field, recording each problem as field -> catalog key in errors
 * ("email" -> "signup.errors.email", "password" ->
 * "signup.errors.password_too_common", ...). Returns the number of
 * problems. */
int portal_signup_validate(apr_pool_t *p, portal_signup_input *in, apr_table_t *errors);

/* A verification code as typed: six digits, spaces and dashes allowed
 * between them. The six digits, or NULL. */
const char *portal_code_digits(apr_pool_t *p, const char *typed);

/* What a person recognises of a session's User-Agent: "Chrome · Windows",
 * "Firefox", "Linux"; NULL when neither the browser nor the system is one
 * it knows. */
const char *portal_device_label(apr_pool_t *p, const char *user_agent);

#endif
