/* libFuzzer target: portal_cookie_parse on any header, portal_cookie_format
 * round trips. Aborts on any broken invariant. */
#include "cookie.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    apr_pool_create(&p, NULL);

    /* Whatever parse returns, format accepts as name=value unchanged. */
    const char *header = apr_pstrmemdup(p, (const char *)data, size);
    apr_table_t *t = portal_cookie_parse(p, header);
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    for (int i = 0; i < a->nelts; i++) {
        const char *sc = portal_cookie_format(p, e[i].key, e[i].val, NULL);
        if (!sc || strcmp(sc, apr_pstrcat(p, e[i].key, "=", e[i].val, NULL)) != 0)
            abort();
        for (int j = 0; j < i; j++)
            if (strcasecmp(e[i].key, e[j].key) == 0)
                abort();    /* the first occurrence wins: no repeats */
    }

    /* Input as "options byte, name \n value \n path": what format makes,
     * parse reads back. */
    if (size >= 1) {
        const char *rest = header + 1;
        const char *nl = strchr(rest, '\n');
        const char *name = nl ? apr_pstrmemdup(p, rest, (apr_size_t)(nl - rest)) : rest;
        const char *value = nl ? nl + 1 : "";
        const char *nl2 = strchr(value, '\n');
        const char *path = nl2 ? nl2 + 1 : NULL;
        if (nl2)
            value = apr_pstrmemdup(p, value, (apr_size_t)(nl2 - value));
        static const char *ss[] = { NULL, "Lax", "Strict", "None" };
        portal_cookie_opts o = { path, (long)(data[0] & 3) - 1, data[0] & 4,
                                 data[0] & 8, ss[(data[0] >> 4) & 3] };
        const char *sc = portal_cookie_format(p, name, value, &o);
        if (sc) {
            if (strpbrk(sc, "\r\n") != NULL)
                abort();
            apr_table_t *back = portal_cookie_parse(p, sc);
            const char *v = apr_table_get(back, name);
            if (!v || strcmp(v, value) != 0)
                abort();
        }
    }
    apr_pool_destroy(p);
    return 0;
}
