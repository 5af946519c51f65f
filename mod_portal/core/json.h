/* jansson values whose lifetime is an APR pool's. */
#ifndef PORTAL_JSON_H
#define PORTAL_JSON_H

#include <apr_pools.h>
#include <jansson.h>

/* Registers a cleanup on p that drops the reference to value; returns value. */
json_t *portal_json_owned(apr_pool_t *p, json_t *value);

#endif
