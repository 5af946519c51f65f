/* libFuzzer target: portal_form_parse on raw bytes, portal_url_encode
 * round trips. Aborts on any broken invariant. */
#include "form.h"
#include "utf8.h"
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>

static int is_code(const char *why)
{
    return why && (!strcmp(why, "bad_encoding") || !strcmp(why, "bad_utf8")
                   || !strcmp(why, "too_many_fields"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p;
    apr_table_t *t = NULL;
    const char *why = NULL;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    apr_pool_create(&p, NULL);

    apr_status_t rv = portal_form_parse(p, (const char *)data, size, &t, &why);
    if (rv == APR_SUCCESS) {
        const apr_array_header_t *a = apr_table_elts(t);
        const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
        portal_buf again;
        if (why || a->nelts > PORTAL_FORM_MAX_FIELDS)
            abort();
        /* Re-encode every pair; parsing that gives the same table. */
        portal_buf_init(&again, p, size + 16);
        for (int i = 0; i < a->nelts; i++) {
            if (!portal_text_valid(e[i].key, strlen(e[i].key))
                || !portal_text_valid(e[i].val, strlen(e[i].val)))
                abort();
            portal_buf_printf(&again, "%s%s=%s", i ? "&" : "",
                              portal_url_encode(p, e[i].key),
                              portal_url_encode(p, e[i].val));
        }
        apr_table_t *t2;
        if (portal_form_parse(p, again.data, again.len, &t2, &why) != APR_SUCCESS)
            abort();
        const apr_array_header_t *a2 = apr_table_elts(t2);
        const apr_table_entry_t *e2 = (const apr_table_entry_t *)a2->elts;
        if (a2->nelts != a->nelts)
            abort();
        for (int i = 0; i < a->nelts; i++)
            if (strcmp(e[i].key, e2[i].key) || strcmp(e[i].val, e2[i].val))
                abort();
    }
    else if (rv != APR_EINVAL || t != NULL || !is_code(why))
        abort();

    /* url_encode of the input as a C string: only unreserved and %XX. */
    char *s = apr_pstrmemdup(p, (const char *)data, size);
    const char *enc = portal_url_encode(p, s);
    for (const char *c = enc; *c; c++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789-._~%", *c))
            abort();
    if (portal_text_valid(s, strlen(s))) {
        const char *q = apr_pstrcat(p, "v=", enc, NULL);
        if (portal_form_parse(p, q, strlen(q), &t, &why) != APR_SUCCESS
            || strcmp(apr_table_get(t, "v"), s) != 0)
            abort();
    }
    apr_pool_destroy(p);
    return 0;
}
