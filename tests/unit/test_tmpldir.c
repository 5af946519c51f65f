/* The template folder loader, and the Mustache engine's own rules beyond the
 * spec (test_mustache.c runs the spec): parse errors with line numbers,
 * escaping, value formatting, falsy values, depth caps, budgets, threads. */
#include "check.h"
#include "mustache.h"
#include "tmpldir.h"

#include <stdlib.h>
#include <unistd.h>
#include <apr_file_io.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

static apr_pool_t *pool;

/* --- helpers ------------------------------------------------------------------ */

static portal_mustache_set *set_of(const char *const *named)
{
    portal_mustache_set *set = portal_mustache_set_make(pool);
    for (; named[0]; named += 2) {
        const char *err = NULL;
        if (portal_mustache_set_add(set, named[0], named[1], strlen(named[1]), &err) != APR_SUCCESS)
            fprintf(stderr, "setup: %s\n", err);
    }
    return set;
}

/* Renders template "t" of a one-template set; "(status N)" on failure. */
static const char *render1(const char *tmpl, const char *view_json)
{
    const char *named[] = { "t", tmpl, NULL };
    portal_mustache_set *set = set_of(named);
    json_t *view = view_json ? json_loads(view_json, JSON_DECODE_ANY, NULL) : NULL;
    portal_buf out;
    portal_buf_init(&out, pool, 64);
    apr_status_t rv = portal_mustache_render(set, "t", view, &out);
    json_decref(view);
    return rv == APR_SUCCESS ? out.data : apr_psprintf(pool, "(status %d) %s", rv, out.data);
}

static const char *parse_error(const char *name, const char *tmpl)
{
    portal_mustache_set *set = portal_mustache_set_make(pool);
    const char *err = "(no error)";
    apr_status_t rv = portal_mustache_set_add(set, name, tmpl, strlen(tmpl), &err);
    if (rv == APR_SUCCESS)
        return "(parsed)";
    CHECK_INT(rv, APR_EINVAL);
    CHECK(portal_mustache_set_get(set, name) == NULL);
    return err;
}

static void write_file(const char *path, const char *text)
{
    apr_file_t *f;
    char *dir = apr_pstrdup(pool, path);
    *strrchr(dir, '/') = '\0';
    apr_dir_make_recursive(dir, APR_FPROT_OS_DEFAULT, pool);
    CHECK(apr_file_open(&f, path, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
                        APR_FPROT_OS_DEFAULT, pool) == APR_SUCCESS);
    apr_size_t n = strlen(text);
    apr_file_write_full(f, text, n, NULL);
    apr_file_close(f);
}

/* --- parse errors ---------------------------------------------------------------- */

static void test_parse_errors(void)
{
    CHECK_STR(parse_error("public/home", "<h1>Plans</h1>\n{{#plans}}\n  <p>{{name}}</p>\n"),
              "public/home:2: unclosed section 'plans'");
    CHECK_STR(parse_error("t", "a\n\n{{^none}}x{{/none}}\n{{<layout}}\n"),
              "t:4: unclosed parent 'layout'");
    CHECK_STR(parse_error("t", "ok\n{{/x}}"), "t:2: closing tag 'x' without an open section");
    CHECK_STR(parse_error("t", "{{#a}}\n\n{{/b}}"),
              "t:3: closing tag 'b' does not match section 'a' opened on line 1");
    CHECK_STR(parse_error("t", "x\n{{! a\nmulti-line comment }}\n{{name"),
              "t:4: unclosed tag: no '}}' after '{{'");
    CHECK_STR(parse_error("t", "{{{raw}}"), "t:1: unclosed tag: no '}}}' after '{{'");
    CHECK_STR(parse_error("t", "{{=<% %>=}}\n<%name}}"), "t:2: unclosed tag: no '%>' after '<%'");
    CHECK_STR(parse_error("t", "{{= <% =}}"),
              "t:1: invalid delimiters '<%': want two tags, no blanks or '=' inside");
    CHECK_STR(parse_error("t", "a {{ }} b"), "t:1: empty tag");
    CHECK_STR(parse_error("t", "{{first name}}"), "t:1: invalid name 'first name'");
    CHECK_STR(parse_error("t", "{{a..b}}"), "t:1: invalid name 'a..b'");
    CHECK_STR(parse_error("t", "{{#.x}}{{/.x}}"), "t:1: invalid name '.x'");

    /* Nesting: 64 levels parse, 65 do not. */
    portal_buf b;
    portal_buf_init(&b, pool, 1024);
    for (int i = 0; i < PORTAL_MUSTACHE_MAX_NESTING; i++)
        portal_buf_puts(&b, "{{#a}}");
    for (int i = 0; i < PORTAL_MUSTACHE_MAX_NESTING; i++)
        portal_buf_puts(&b, "{{/a}}");
    CHECK_STR(parse_error("t", b.data), "(parsed)");
    CHECK_STR(parse_error("t", apr_pstrcat(pool, "\n{{#a}}", b.data, "{{/a}}", NULL)),
              "t:2: sections nested deeper than 64");

    /* A failed add leaves the template of that name as it was. */
    const char *named[] = { "t", "old {{x}}", NULL };
    portal_mustache_set *set = set_of(named);
    const char *err;
    CHECK(portal_mustache_set_add(set, "t", "{{#x}}", 6, &err) == APR_EINVAL);
    CHECK_STR(err, "t:1: unclosed section 'x'");
    portal_buf out;
    portal_buf_init(&out, pool, 64);
    json_t *view = json_pack("{s:s}", "x", "kept");
    CHECK(portal_mustache_render(set, "t", view, &out) == APR_SUCCESS);
    CHECK_STR(out.data, "old kept");
    json_decref(view);
    CHECK_INT(portal_mustache_set_count(set), 1);
}

/* --- values ------------------------------------------------------------------- */

static void test_values(void)
{
    CHECK_STR(render1("{{x}}|{{{x}}}|{{& x}}", "{\"x\": \"<a href='/?a=1&b=2'>\\\"q\\\"</a>\"}"),
              "&lt;a href=&#39;/?a=1&amp;b=2&#39;&gt;&quot;q&quot;&lt;/a&gt;"
              "|<a href='/?a=1&b=2'>\"q\"</a>|<a href='/?a=1&b=2'>\"q\"</a>");
    CHECK_STR(render1("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
                      "{\"a\": 42, \"b\": -7, \"c\": 1.21, \"d\": 1.0, \"e\": 0.1, "
                      "\"f\": 1e21, \"g\": 9007199254740993}"),
              "42 -7 1.21 1 0.1 1e+21 9007199254740993");
    CHECK_STR(render1("[{{t}}|{{f}}|{{n}}|{{o}}|{{l}}|{{missing}}]",
                      "{\"t\": true, \"f\": false, \"n\": null, \"o\": {\"a\": 1}, \"l\": [1]}"),
              "[true|false||||]");
    /* Falsy: false, null, missing, [], "". Truthy: 0, 0.0, {}, "0". */
    CHECK_STR(render1("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}{{#e}}E{{/e}}{{#z}}Z{{/z}}"
                      "{{^a}}a{{/a}}{{^b}}b{{/b}}{{^c}}c{{/c}}{{^d}}d{{/d}}{{^e}}e{{/e}}{{^z}}z{{/z}}",
                      "{\"a\": false, \"b\": null, \"d\": [], \"e\": \"\"}"),
              "abcdez");
    CHECK_STR(render1("{{#a}}A{{.}}{{/a}}{{#b}}B{{.}}{{/b}}{{#c}}C{{/c}}{{#d}}D{{.}}{{/d}}",
                      "{\"a\": 0, \"b\": 0.0, \"c\": {}, \"d\": \"0\"}"),
              "A0B0CD0");
    /* Context stack, dotted names, the implicit iterator. */
    CHECK_STR(render1("{{#plans}}{{name}}:{{price.amount}} {{currency}};{{/plans}}",
                      "{\"currency\": \"EUR\", \"plans\": [{\"name\": \"1m\", \"price\": "
                      "{\"amount\": 10}}, {\"name\": \"<12m>\", \"price\": {\"amount\": 99}, "
                      "\"currency\": \"USD\"}]}"),
              "1m:10 EUR;&lt;12m&gt;:99 USD;");
    CHECK_STR(render1("{{#user}}{{#user.name}}{{.}}{{/user.name}}{{/user}}",
                      "{\"user\": {\"name\": \"Ayşe\"}}"), "Ayşe");
    /* A NULL view renders like null. */
    CHECK_STR(render1("a{{x}}b{{#x}}c{{/x}}{{^x}}d{{/x}}", NULL), "abd");
}

/* --- whitespace the spec implies ------------------------------------------------------ */

static void test_indentation(void)
{
    /* Indentation applies to the partial's lines, not to newlines inside data. */
    const char *named[] = {
        "t", "<div>\n  {{>p}}\n</div>\n",
        "p", "<pre>{{{body}}}</pre>\n{{#items}}\n<i>{{.}}</i>\n{{/items}}\n",
        NULL };
    portal_mustache_set *set = set_of(named);
    portal_buf out;
    portal_buf_init(&out, pool, 64);
    json_t *view = json_pack("{s:s, s:[s,s]}", "body", "a\nb", "items", "x", "y");
    CHECK(portal_mustache_render(set, "t", view, &out) == APR_SUCCESS);
    CHECK_STR(out.data, "<div>\n  <pre>a\nb</pre>\n  <i>x</i>\n  <i>y</i>\n</div>\n");
    json_decref(view);

    /* A page fills its layout's blocks; indentation follows the layout. */
    const char *pages[] = {
        "layout", "<body>\n  <main>\n    {{$content}}\n    {{/content}}\n  </main>\n</body>\n",
        "page", "{{<layout}}\n{{$content}}\n<h1>{{title}}</h1>\n{{#p}}\n  <p>{{.}}</p>\n{{/p}}\n"
                "{{/content}}\n{{/layout}}\n",
        NULL };
    set = set_of(pages);
    portal_buf_init(&out, pool, 64);
    view = json_pack("{s:s, s:[s,s]}", "title", "Plans", "p", "a", "b");
    CHECK(portal_mustache_render(set, "page", view, &out) == APR_SUCCESS);
    CHECK_STR(out.data, "<body>\n  <main>\n    <h1>Plans</h1>\n      <p>a</p>\n      <p>b</p>\n"
                        "  </main>\n</body>\n");
    json_decref(view);

    /* Rendering appends to what out already holds. */
    portal_buf_init(&out, pool, 8);
    portal_buf_puts(&out, "before|");
    CHECK(portal_mustache_render(set, "layout", NULL, &out) == APR_SUCCESS);
    CHECK_STR(out.data, "before|<body>\n  <main>\n  </main>\n</body>\n");
}

/* --- limits ---------------------------------------------------------------------- */

static void test_limits(void)
{
    portal_mustache_set *set = portal_mustache_set_make(pool);
    portal_buf out;
    portal_buf_init(&out, pool, 64);
    CHECK_INT(portal_mustache_render(set, "none", NULL, &out), APR_NOTFOUND);
    CHECK_STR(out.data, "");
    CHECK(portal_mustache_set_get(set, "none") == NULL);

    /* A missing partial or parent renders as nothing. */
    CHECK_STR(render1("[{{>nope}}|{{<nope}}{{$b}}x{{/b}}{{/nope}}]", NULL), "[|]");

    /* Self-recursion stops at the depth cap: the top template and 64 levels. */
    char want[80];
    memset(want, 'x', 65);
    want[65] = '\0';
    CHECK_STR(render1("x{{>t}}", NULL), apr_psprintf(pool, "(status %d) %s", APR_EINVAL, want));
    CHECK_STR(render1("x{{<t}}{{/t}}", NULL), apr_psprintf(pool, "(status %d) %s", APR_EINVAL, want));
    /* A block whose override names itself: 63 overrides below the parent. */
    const char *named[] = { "t", "{{<p}}{{$a}}x{{$a}}y{{/a}}{{/a}}{{/p}}", "p", "{{$a}}{{/a}}", NULL };
    set = set_of(named);
    portal_buf_init(&out, pool, 64);
    CHECK_INT(portal_mustache_render(set, "t", NULL, &out), APR_EINVAL);
    CHECK_INT(out.len, 63);
    /* Data-driven recursion deeper than the caps. */
    json_t *deep = json_pack("{s:s}", "n", "leaf");
    for (int i = 0; i < 300; i++)
        deep = json_pack("{s:s, s:o}", "n", "n", "c", deep);
    const char *tree[] = { "t", "{{#c}}{{>t}}{{/c}}", NULL };
    set = set_of(tree);
    portal_buf_init(&out, pool, 64);
    CHECK_INT(portal_mustache_render(set, "t", deep, &out), APR_EINVAL);
    const char *nested[] = { "t", "{{#c}}{{#c}}{{#c}}{{#c}}{{>t}}{{/c}}{{/c}}{{/c}}{{/c}}", NULL };
    set = set_of(nested);
    CHECK_INT(portal_mustache_render(set, "t", deep, &out), APR_EINVAL);
    json_decref(deep);

    /* Budgets for untrusted templates. */
    const char *boom[] = { "t", "{{#l}}{{#l}}{{#l}}{{#l}}x{{/l}}{{/l}}{{/l}}{{/l}}", NULL };
    set = set_of(boom);
    portal_buf_init(&out, pool, 64);
    json_t *wide = json_pack("{s:[i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i,i]}", "l",
                             1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
    CHECK_INT(portal_mustache_render_limited(set, "t", wide, &out, 10000, 0), APR_ENOSPC);
    CHECK(out.len < 10000);
    portal_buf_init(&out, pool, 64);
    CHECK_INT(portal_mustache_render(set, "t", wide, &out), APR_SUCCESS);
    CHECK_INT(out.len, 160000);
    json_decref(wide);
    const char *big[] = { "t", "0123456789{{#l}}0123456789{{/l}}", NULL };
    set = set_of(big);
    json_t *l = json_pack("{s:[i,i,i,i,i]}", "l", 1, 2, 3, 4, 5);
    portal_buf_init(&out, pool, 64);
    CHECK_INT(portal_mustache_render_limited(set, "t", l, &out, 0, 55), APR_ENOSPC);
    CHECK_INT(out.len, 50);
    portal_buf_init(&out, pool, 64);
    CHECK_INT(portal_mustache_render_limited(set, "t", l, &out, 0, 60), APR_SUCCESS);
    CHECK_INT(out.len, 60);
    json_decref(l);
}

/* --- threads: one set, one view, many renders at once ----------------------------------- */

typedef struct {
    const portal_mustache_set *set;
    json_t *view;
    const char *want;
    int bad;
} job;

static void *APR_THREAD_FUNC render_many(apr_thread_t *th, void *data)
{
    job *j = data;
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    for (int i = 0; i < 300; i++) {
        portal_buf out;
        portal_buf_init(&out, p, 256);
        if (portal_mustache_render(j->set, "page", j->view, &out) != APR_SUCCESS
            || strcmp(out.data, j->want) != 0)
            j->bad++;
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(th, APR_SUCCESS);
    return NULL;
}

static void test_threads(void)
{
    const char *named[] = {
        "layout", "<ul>\n  {{$items}}\n  {{/items}}\n</ul>\n{{>foot}}",
        "page", "{{<layout}}{{$items}}\n{{#l}}\n<li>{{n}}</li>\n{{/l}}\n{{/items}}{{/layout}}",
        "foot", "<p>{{t}}</p>\n", NULL };
    portal_mustache_set *set = set_of(named);
    json_t *view = json_pack("{s:s, s:[{s:i},{s:i},{s:i}]}", "t", "end", "l", "n", 1, "n", 2, "n", 3);
    job jobs[4];
    apr_thread_t *th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){ set, view, "<ul>\n  <li>1</li>\n  <li>2</li>\n  <li>3</li>\n</ul>\n<p>end</p>\n", 0 };
        CHECK(apr_thread_create(&th[i], NULL, render_many, &jobs[i], pool) == APR_SUCCESS);
    }
    for (int i = 0; i < 4; i++) {
        apr_status_t rv;
        apr_thread_join(&rv, th[i]);
        CHECK_INT(jobs[i].bad, 0);
    }
    json_decref(view);
}

/* --- the template folder ---------------------------------------------------------------- */

static void test_tmpldir(void)
{
    char tmpl[] = "/tmp/portal-tmpldir-XXXXXX";
    const char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir)
        return;
    const char *root = apr_pstrcat(pool, dir, "/templates", NULL);
    write_file(apr_pstrcat(pool, root, "/layouts/base.mustache", NULL),
               "<title>{{$title}}Portal{{/title}}</title>\n{{>partials/header}}\n"
               "{{$content}}{{/content}}\n");
    write_file(apr_pstrcat(pool, root, "/public/home.mustache", NULL),
               "{{<layouts/base}}\n{{$title}}Home{{/title}}\n{{$content}}\n"
               "<p>{{>partials/deep/item}}</p>\n{{/content}}\n{{/layouts/base}}\n");
    write_file(apr_pstrcat(pool, root, "/partials/header.mustache", NULL), "<h1>{{site}}</h1>\n");
    write_file(apr_pstrcat(pool, root, "/partials/deep/item.mustache", NULL), "{{n}}");
    write_file(apr_pstrcat(pool, root, "/public/empty.mustache", NULL), "");
    write_file(apr_pstrcat(pool, root, "/i18n/en.json", NULL), "{\"x\": \"{{not a template\"}");
    write_file(apr_pstrcat(pool, root, "/public/.draft.mustache", NULL), "{{#broken");
    write_file(apr_pstrcat(pool, root, "/.git/x.mustache", NULL), "{{#broken");
    write_file(apr_pstrcat(pool, root, "/public/notes.mustache.txt", NULL), "{{#broken");

    portal_mustache_set *set = portal_mustache_set_make(pool);
    const char *err = "unset";
    CHECK_INT(portal_tmpldir_load(set, root, pool, &err), APR_SUCCESS);
    CHECK(err == NULL);
    CHECK_INT(portal_mustache_set_count(set), 5);
    CHECK(portal_mustache_set_get(set, "layouts/base") != NULL);
    CHECK(portal_mustache_set_get(set, "partials/deep/item") != NULL);
    CHECK(portal_mustache_set_get(set, "public/empty") != NULL);
    CHECK(portal_mustache_set_get(set, "public/.draft") == NULL);
    portal_buf out;
    portal_buf_init(&out, pool, 64);
    json_t *view = json_pack("{s:s, s:i}", "site", "Acme & Co", "n", 7);
    CHECK_INT(portal_mustache_render(set, "public/home", view, &out), APR_SUCCESS);
    CHECK_STR(out.data, "<title>Home</title>\n<h1>Acme &amp; Co</h1>\n<p>7</p>\n\n");
    json_decref(view);

    /* A syntax error names the file and the line. */
    write_file(apr_pstrcat(pool, root, "/public/plans.mustache", NULL),
               "<h1>Plans</h1>\n\n{{#plans}}\n<p>{{name}}</p>\n");
    set = portal_mustache_set_make(pool);
    CHECK_INT(portal_tmpldir_load(set, root, pool, &err), APR_EINVAL);
    CHECK_STR(err, apr_pstrcat(pool, root, "/public/plans.mustache:3: unclosed section 'plans'", NULL));
    unlink(apr_pstrcat(pool, root, "/public/plans.mustache", NULL));

    /* An unreadable file (here: a dangling link) is named. */
    const char *link = apr_pstrcat(pool, root, "/partials/gone.mustache", NULL);
    CHECK(symlink("/nonexistent/portal-template", link) == 0);
    CHECK(portal_tmpldir_load(portal_mustache_set_make(pool), root, pool, &err) != APR_SUCCESS);
    CHECK_STR(err, apr_pstrcat(pool, link, ": No such file or directory", NULL));
    unlink(link);

    /* Linked folders are followed; a loop stops. */
    CHECK(symlink("../partials", apr_pstrcat(pool, root, "/public/shared", NULL)) == 0);
    set = portal_mustache_set_make(pool);
    CHECK_INT(portal_tmpldir_load(set, root, pool, &err), APR_SUCCESS);
    CHECK(portal_mustache_set_get(set, "public/shared/header") != NULL);
    CHECK(symlink("..", apr_pstrcat(pool, root, "/partials/loop", NULL)) == 0);
    CHECK(portal_tmpldir_load(portal_mustache_set_make(pool), root, pool, &err) == APR_EINVAL);
    CHECK(err && strstr(err, "folders nested too deep") != NULL);

    /* A missing folder, a file instead of a folder. */
    const char *missing = apr_pstrcat(pool, dir, "/nope", NULL);
    CHECK(portal_tmpldir_load(portal_mustache_set_make(pool), missing, pool, &err) != APR_SUCCESS);
    CHECK_STR(err, apr_pstrcat(pool, missing, ": No such file or directory", NULL));
    const char *file = apr_pstrcat(pool, root, "/partials/header.mustache", NULL);
    CHECK_INT(portal_tmpldir_load(portal_mustache_set_make(pool), file, pool, &err), APR_ENOTDIR);
    CHECK_STR(err, apr_pstrcat(pool, file, ": not a directory", NULL));

    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_parse_errors();
    test_values();
    test_indentation();
    test_limits();
    test_threads();
    test_tmpldir();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("mustache engine + tmpldir");
}
