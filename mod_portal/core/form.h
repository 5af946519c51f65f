/* application/x-www-form-urlencoded: request bodies and query strings. */
#ifndef PORTAL_FORM_H
#define PORTAL_FORM_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Most pairs portal_form_parse accepts. */
#define PORTAL_FORM_MAX_FIELDS 1000

/* Parses data[0..len) (need not be NUL-terminated; NULL with len 0 is an
 * empty form): pairs split on '&' (empty pairs ignored), key and value split
 * on the first '=' (a pair without '=' has the value ""), '+' decodes to a
 * space, %XX (either case) to its byte. Keys and values are NUL-terminated
 * copies in p, added in order with apr_table_add, so repeated keys keep
 * every value (apr_table lookups are case-insensitive).
 * On success *out is the table (possibly empty) and *why is NULL.
 * On failure returns APR_EINVAL, *out is NULL and *why is one of:
 *   "bad_encoding"     a '%' not followed by two hex digits
 *   "bad_utf8"         a decoded key or value fails portal_text_valid
 *   "too_many_fields"  more than PORTAL_FORM_MAX_FIELDS non-empty pairs
 * why may be NULL if the caller does not want the code. */
apr_status_t portal_form_parse(apr_pool_t *p, const char *data, apr_size_t len,
                               apr_table_t **out, const char **why);

/* Percent-encodes every byte of s except the unreserved ALPHA DIGIT - . _ ~
 * (RFC 3986), with upper-case hex ("a b&c" -> "a%20b%26c"). The result is
 * safe in a path segment, a query key or value, and an HTML attribute. */
const char *portal_url_encode(apr_pool_t *p, const char *s);

/* The fields as "k1=v1&k2=v2&" (each pair followed by '&', every key and
 * value percent-encoded as above), leaving out the keys equal to except
 * (case-insensitively, as apr_table looks them up; NULL leaves none out).
 * One allocation, whatever the number of fields. */
const char *portal_form_encode(apr_pool_t *p, const apr_table_t *fields, const char *except);

#endif
