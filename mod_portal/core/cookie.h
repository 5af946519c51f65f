/* Cookie request headers in, Set-Cookie response values out (RFC 6265). */
#ifndef PORTAL_COOKIE_H
#define PORTAL_COOKIE_H

#include <apr_pools.h>
#include <apr_tables.h>

typedef struct {
    const char *path;      /* NULL: no Path attribute */
    long max_age;          /* <0: session cookie, 0: delete, >0: seconds */
    int http_only, secure;
    const char *same_site; /* "Lax" | "Strict" | "None" | NULL (no attribute) */
} portal_cookie_opts;

/* Parses a Cookie request header ("a=1; b=2"; header may be NULL) into a new
 * table of name -> value. Tolerates missing or extra spaces and empty
 * segments (";;"); strips one pair of double quotes around a value. Skips a
 * pair that has no '=', an empty name, a name that is not an RFC 7230 token,
 * or a value with bytes outside RFC 6265 cookie-octets (controls, space,
 * '"', ',', ';', '\\', non-ASCII). The first occurrence of a name wins.
 * Note that apr_table lookups are case-insensitive: "SID" and "sid" are one
 * name here, and again the first one wins. Never fails. */
apr_table_t *portal_cookie_parse(apr_pool_t *p, const char *header);

/* The value of the cookie named exactly name (case-sensitive, as RFC 6265
 * compares names), or NULL. A lookalike parsed first ("Portal_Session"
 * before "portal_session") hides the real one: the visitor is signed out,
 * never signed in as someone else. */
const char *portal_cookie_get(const apr_table_t *cookies, const char *name);

/* Returns a Set-Cookie header value such as
 *   "sid=abc; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Lax"
 * Attributes in that order, each only when set. max_age 0 deletes:
 *   "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT".
 * o may be NULL (a session cookie with no attributes).
 * Returns NULL (formats nothing) when name is not a non-empty token,
 * value (may be "") has a byte outside cookie-octets, path has a control
 * character, a non-ASCII byte or ';', same_site is not one of the three
 * names, or same_site is "None" without secure (browsers drop those). */
const char *portal_cookie_format(apr_pool_t *p, const char *name,
                                 const char *value,
                                 const portal_cookie_opts *o);

#endif
