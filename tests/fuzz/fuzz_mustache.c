/* libFuzzer target: the input is parsed as a Mustache template ("t") and also
 * registered as the partial/parent "p", so {{>p}} and {{<p}} recurse into it,
 * then rendered against a small fixed view of nested objects and arrays.
 * Aborts on any broken invariant: a parse error must say "t:LINE: ...", a
 * render must end in success or one of the documented limit statuses, render
 * twice the same, and text without tags must come out unchanged. */
#include "mustache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>

#define MAX_STEPS 20000
#define MAX_OUTPUT (256 * 1024)

static json_t *view;

static const char *const VIEW =
    "{\"name\": \"Ayşe <&> \\\"O'Neil\\\"\", \"n\": 42, \"r\": 1.25, \"t\": true, \"f\": false,"
    " \"z\": null, \"empty\": \"\", \"none\": [],"
    " \"user\": {\"name\": \"u\", \"tags\": [\"a\", \"b\"], \"org\": {\"name\": \"o\", \"plan\": {\"id\": 3}}},"
    " \"plans\": [{\"name\": \"1m\", \"price\": 10, \"features\": [\"x\", \"y\"]},"
    "            {\"name\": \"12m\", \"price\": 99.5, \"featured\": true, \"features\": []},"
    "            [1, [2, 3]], \"s\", 0],"
    " \"text\": \"line1\\nline2\\n\"}";

static apr_status_t render(const portal_mustache_set *set, apr_pool_t *p, portal_buf *out)
{
    portal_buf_init(out, p, 256);
    apr_status_t rv = portal_mustache_render_limited(set, "t", view, out, MAX_STEPS, MAX_OUTPUT);
    if (rv != APR_SUCCESS && rv != APR_EINVAL && rv != APR_ENOSPC)
        abort();
    if (out->len > MAX_OUTPUT || strlen(out->data) > out->len)
        abort();
    return rv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p;

    if (!initialized) {
        apr_initialize();
        view = json_loads(VIEW, 0, NULL);
        if (!view)
            abort();
        initialized = 1;
    }
    apr_pool_create(&p, NULL);

    const char *src = (const char *)data;
    portal_mustache_set *set = portal_mustache_set_make(p);
    const char *err = NULL;
    apr_status_t rv = portal_mustache_set_add(set, "t", src, size, &err);
    if (rv != APR_SUCCESS) {
        /* "t:LINE: message", LINE within the input */
        char *end;
        if (rv != APR_EINVAL || !err || strncmp(err, "t:", 2) != 0)
            abort();
        long line = strtol(err + 2, &end, 10);
        if (line < 1 || end[0] != ':' || end[1] != ' ' || !end[2])
            abort();
        long lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        if (line > lines)
            abort();
        if (portal_mustache_set_get(set, "t"))
            abort();
        apr_pool_destroy(p);
        return 0;
    }
    if (portal_mustache_set_add(set, "p", src, size, &err) != APR_SUCCESS)
        abort();    /* the same text parsed once must parse again */

    portal_buf a, b;
    apr_status_t r1 = render(set, p, &a);
    apr_status_t r2 = render(set, p, &b);
    if (r1 != r2 || a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        abort();    /* rendering changed something */
    if (!memmem(src, size, "{{", 2) && r1 == APR_SUCCESS
        && (a.len != size || memcmp(a.data, src, size) != 0))
        abort();    /* no tag: the text is the output */
    apr_pool_destroy(p);
    return 0;
}
