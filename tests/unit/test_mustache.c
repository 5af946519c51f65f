/* The official Mustache spec, case by case: each test's template and partials
 * are parsed into a fresh set and rendered with its data; the output must be
 * exactly `expected`. Usage: test_mustache SPEC_DIR (the Makefile passes
 * ../shared/mustache-spec). A missing folder or file is a failure, never a
 * silent pass. */
#include "mustache.h"

#include <stdio.h>
#include <string.h>
#include <apr_file_info.h>
#include <apr_general.h>
#include <apr_strings.h>

static const char *const spec_files[] = {
    "comments.json", "delimiters.json", "interpolation.json", "inverted.json",
    "partials.json", "sections.json", "~inheritance.json",
};

#define TEMPLATE_NAME "(template)"

static int passed, failed;

/* Shows control characters the way the spec's YAML would. */
static const char *shown(apr_pool_t *p, const char *s)
{
    portal_buf b;
    portal_buf_init(&b, p, 64);
    portal_buf_putc(&b, '"');
    for (; *s; s++) {
        switch (*s) {
        case '\n': portal_buf_puts(&b, "\\n"); break;
        case '\r': portal_buf_puts(&b, "\\r"); break;
        case '\t': portal_buf_puts(&b, "\\t"); break;
        case '"': portal_buf_puts(&b, "\\\""); break;
        case '\\': portal_buf_puts(&b, "\\\\"); break;
        default: portal_buf_putc(&b, *s);
        }
    }
    portal_buf_putc(&b, '"');
    return b.data;
}

static void run_case(apr_pool_t *parent, const char *file, json_t *tc)
{
    apr_pool_t *p;
    apr_pool_create(&p, parent);
    const char *name = json_string_value(json_object_get(tc, "name"));
    const char *tmpl = json_string_value(json_object_get(tc, "template"));
    const char *expected = json_string_value(json_object_get(tc, "expected"));
    json_t *partials = json_object_get(tc, "partials");
    const char *err = NULL, *why = NULL;

    portal_mustache_set *set = portal_mustache_set_make(p);
    portal_buf out;
    portal_buf_init(&out, p, 256);
    if (!name || !tmpl || !expected)
        why = "malformed test case";
    else if (portal_mustache_set_add(set, TEMPLATE_NAME, tmpl, strlen(tmpl), &err) != APR_SUCCESS)
        why = apr_psprintf(p, "parse error: %s", err);
    if (!why && json_is_object(partials)) {
        const char *key;
        json_t *val;
        json_object_foreach(partials, key, val) {
            const char *src = json_string_value(val);
            if (!src || portal_mustache_set_add(set, key, src, strlen(src), &err) != APR_SUCCESS) {
                why = apr_psprintf(p, "partial %s: parse error: %s", key, err ? err : "not a string");
                break;
            }
        }
    }
    if (!why) {
        apr_status_t rv = portal_mustache_render(set, TEMPLATE_NAME, json_object_get(tc, "data"), &out);
        if (rv != APR_SUCCESS)
            why = apr_psprintf(p, "render returned status %d", rv);
        else if (strcmp(out.data, expected) != 0)
            why = "wrong output";
    }
    if (why) {
        failed++;
        fprintf(stderr, "FAIL %s: %s: %s\n  template: %s\n  expected: %s\n  got:      %s\n",
                file, name ? name : "?", why, shown(p, tmpl ? tmpl : ""),
                shown(p, expected ? expected : ""), shown(p, out.data));
    } else
        passed++;
    apr_pool_destroy(p);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/mustache-spec";
    apr_pool_t *pool;
    int missing = 0;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    apr_finfo_t fi;
    if (apr_stat(&fi, dir, APR_FINFO_TYPE, pool) != APR_SUCCESS || fi.filetype != APR_DIR) {
        printf("FAIL mustache spec: %s not found — CI keeps it in ../shared/mustache-spec "
               "(the folder beside the checkout)\n", dir);
        apr_pool_destroy(pool);
        apr_terminate();
        return 2;
    }
    for (unsigned i = 0; i < sizeof spec_files / sizeof *spec_files; i++) {
        const char *path = apr_pstrcat(pool, dir, "/", spec_files[i], NULL);
        json_error_t jerr;
        json_t *spec = json_load_file(path, 0, &jerr);
        json_t *tests = json_object_get(spec, "tests");
        if (!json_is_array(tests) || json_array_size(tests) == 0) {
            printf("FAIL mustache spec: %s missing or unreadable (%s) — CI keeps it in "
                   "../shared/mustache-spec\n", path, spec ? "no tests" : jerr.text);
            missing++;
            json_decref(spec);
            continue;
        }
        size_t k;
        json_t *tc;
        json_array_foreach(tests, k, tc)
            run_case(pool, spec_files[i], tc);
        json_decref(spec);
    }
    apr_pool_destroy(pool);
    apr_terminate();
    if (missing) {
        printf("FAIL mustache spec: %d of %d spec files missing in %s\n", missing,
               (int)(sizeof spec_files / sizeof *spec_files), dir);
        return 2;
    }
    printf("mustache spec: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
