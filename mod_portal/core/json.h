/* jansson values whose lifetime is an APR pool's. */
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

#endif
