#include "form.h"
#include "crypto.h"
#include "utf8.h"

#include <string.h>
#include <apr_strings.h>

/* Decodes s[0..n) into a new NUL-terminated string in p. */
static apr_status_t decode(apr_pool_t *p, const char *s, apr_size_t n,
                           char **out, const char **why)
{
    char *d = apr_palloc(p, n + 1);
    apr_size_t j = 0;

    for (apr_size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '+')
            d[j++] = ' ';
        else if (c == '%') {
            int hi = n - i >= 3 ? portal_hex_digit((unsigned char)s[i + 1]) : -1;
            int lo = n - i >= 3 ? portal_hex_digit((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                *why = "bad_encoding";
                return APR_EINVAL;
            }
            d[j++] = (char)(hi * 16 + lo);
            i += 2;
        }
        else
            d[j++] = (char)c;
    }
    d[j] = '\0';
    if (!portal_text_valid(d, j)) {
        *why = "bad_utf8";
        return APR_EINVAL;
    }
    *out = d;
    return APR_SUCCESS;
}

apr_status_t portal_form_parse(apr_pool_t *p, const char *data, apr_size_t len,
                               apr_table_t **out, const char **why)
{
    const char *dummy;
    apr_table_t *t = apr_table_make(p, 8);
    apr_size_t pos = 0;
    int count = 0;

    if (!why)
        why = &dummy;
    *why = NULL;
    *out = NULL;
    if (len > 0 && data == NULL) {
        *why = "bad_encoding";
        return APR_EINVAL;
    }
    while (pos < len) {
        const char *pair = data + pos;
        const char *amp = memchr(pair, '&', len - pos);
        apr_size_t plen = amp ? (apr_size_t)(amp - pair) : len - pos;
        pos += plen + (amp ? 1 : 0);
        if (plen == 0)
            continue;
        if (++count > PORTAL_FORM_MAX_FIELDS) {
            *why = "too_many_fields";
            return APR_EINVAL;
        }
        const char *eq = memchr(pair, '=', plen);
        apr_size_t klen = eq ? (apr_size_t)(eq - pair) : plen;
        char *key, *val;
        apr_status_t rv = decode(p, pair, klen, &key, why);
        if (rv == APR_SUCCESS) {
            if (eq)
                rv = decode(p, eq + 1, plen - klen - 1, &val, why);
            else
                val = apr_pstrdup(p, "");
        }
        if (rv != APR_SUCCESS)
            return rv;
        apr_table_addn(t, key, val);
    }
    *out = t;
    return APR_SUCCESS;
}

/* Writes the percent-encoding of s to o (room for 3 * strlen(s) bytes);
 * returns the end. */
static char *encode_into(char *o, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')
            || (*c >= '0' && *c <= '9') || *c == '-' || *c == '.'
            || *c == '_' || *c == '~')
            *o++ = (char)*c;
        else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    return o;
}

const char *portal_url_encode(apr_pool_t *p, const char *s)
{
    char *d = apr_palloc(p, strlen(s) * 3 + 1);
    *encode_into(d, s) = '\0';
    return d;
}

const char *portal_form_encode(apr_pool_t *p, const apr_table_t *fields, const char *except)
{
    const apr_array_header_t *arr = apr_table_elts(fields);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    apr_size_t room = 1;
    for (int i = 0; i < arr->nelts; i++)
        room += 3 * (strlen(e[i].key) + strlen(e[i].val)) + 2;
    char *d = apr_palloc(p, room), *o = d;
    for (int i = 0; i < arr->nelts; i++) {
        if (except && strcasecmp(e[i].key, except) == 0)
            continue;
        o = encode_into(o, e[i].key);
        *o++ = '=';
        o = encode_into(o, e[i].val);
        *o++ = '&';
    }
    *o = '\0';
    return d;
}
