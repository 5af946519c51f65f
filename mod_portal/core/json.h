/* jansson values whose lifetime is an APR pool's.
 *
 * Ownership. jansson counts references; mod_portal ties a value to a pool
 * with portal_json_owned, which drops one reference when the pool goes.
 *  - A value you made (json_object(), json_string(), json_pack) holds one
 *    reference, yours: hand it over exactly once — json_object_set_new,
 *    json_array_append_new, json_pack's "o", portal_json_owned, or
 *    portal_json (which takes its body over).
 *  - A value you read out of another (json_object_get, json_array_get, a
 *    member of a parsed request body) is borrowed: its container, and so a
 *    pool, owns it. To put it into another value take a reference of your
 *    own: json_object_set (not _new), json_array_append (not _new),
 *    json_pack's "O" (not "o"), or json_incref. Packing a borrowed value
 *    with "o" frees it twice: once with the answer, once with the request
 *    body (tests/unit/test_json.c checks the rule). */
#ifndef PORTAL_JSON_H
#define PORTAL_JSON_H

#include <apr_pools.h>
#include <jansson.h>

/* Registers a cleanup on p that drops the reference to value; returns value. */
json_t *portal_json_owned(apr_pool_t *p, json_t *value);

/* Parses a request body that must be one JSON object: valid UTF-8, no
 * duplicate keys, nothing after it. Returns the object (owned by p), or
 * NULL with *why "bad_json" or "not_an_object". */
json_t *portal_json_parse_object(apr_pool_t *p, const char *data, apr_size_t len,
                                 const char **why);

/* A JSON request body: the exact bytes received, which a webhook's
 * signature is computed over, beside the object parsed from them. */
typedef struct {
    const char *raw;      /* len bytes as received, NUL-terminated (in p) */
    apr_size_t len;
    json_t *doc;          /* the object, owned by p: borrow its members */
} portal_json_body;

/* portal_json_parse_object, keeping data (copied into p) in out->raw. */
apr_status_t portal_json_parse_body(apr_pool_t *p, const char *data, apr_size_t len,
                                    portal_json_body *out, const char **why);

#endif
