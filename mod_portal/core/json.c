#include "json.h"

static apr_status_t release(void *value)
{
    json_decref(value);
    return APR_SUCCESS;
}

json_t *portal_json_owned(apr_pool_t *p, json_t *value)
{
    if (value)
        apr_pool_cleanup_register(p, value, release, apr_pool_cleanup_null);
    return value;
}
