#include "json.h"

#include <string.h>

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

json_t *portal_json_parse_object(apr_pool_t *p, const char *data, apr_size_t len,
                                 const char **why)
{
    json_error_t err;
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
    if (!doc) {
        *why = "bad_json";
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        *why = "not_an_object";
        return NULL;
    }
    return portal_json_owned(p, doc);
}

apr_status_t portal_json_parse_body(apr_pool_t *p, const char *data, apr_size_t len,
                                    portal_json_body *out, const char **why)
{
    out->doc = portal_json_parse_object(p, data, len, why);
    if (!out->doc)
        return APR_EINVAL;
    char *raw = apr_palloc(p, len + 1);
    memcpy(raw, data, len);
    raw[len] = '\0';
    out->raw = raw;
    out->len = len;
    return APR_SUCCESS;
}
