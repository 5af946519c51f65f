/* Mustache rendering: walks a parsed template (mustache_int.h) with a jansson
 * view. Nothing here writes to the set or the templates, and nothing is
 * allocated but the output: the context stack, the block arguments in force
 * and the indentation are chains of frames on the C stack. */
#include "mustache_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mctx {            /* the context stack, innermost first */
    json_t *v;
    const struct mctx *up;
} mctx;

typedef struct margs {           /* block arguments of the parents being rendered */
    const mnode *parent;
    const struct margs *up;
} margs;

typedef struct mindent {         /* indentation, innermost piece first */
    const char *s;
    apr_size_t n;
    apr_size_t total;
    const struct mindent *up;
} mindent;

typedef struct {
    const portal_mustache_set *set;
    portal_buf *out;
    int depth;                   /* partials, parents and block overrides */
    int nest;                    /* node lists being rendered */
    apr_size_t steps, max_steps;
    apr_size_t out_limit;        /* out->len may not pass this (0 = none) */
    apr_status_t status;
} rstate;

static void render_list(rstate *rs, const mlist *l, const mctx *c, const margs *a,
                        const mindent *ind, int force_bol);

static void put(rstate *rs, const char *s, apr_size_t n)
{
    if (rs->out_limit && rs->out->len + n > rs->out_limit) {
        rs->status = APR_ENOSPC;
        return;
    }
    portal_buf_append(rs->out, s, n);
}

static void put_indent(rstate *rs, const mindent *ind)
{
    if (!ind || ind->total == 0)
        return;
    put_indent(rs, ind->up);
    if (ind->n)
        put(rs, ind->s, ind->n);
}

/* --- values -------------------------------------------------------------------- */

static json_t *lookup(const mctx *c, const mname *nm)
{
    if (nm->nparts == 0)
        return c->v;
    json_t *v = NULL;
    for (; c; c = c->up)
        if (json_is_object(c->v) && (v = json_object_get(c->v, nm->parts[0])) != NULL)
            break;
    for (int i = 1; v && i < nm->nparts; i++)
        v = json_is_object(v) ? json_object_get(v, nm->parts[i]) : NULL;
    return v;
}

static int truthy(const json_t *v)
{
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_NULL:
    case JSON_FALSE:
        return 0;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    default:
        return 1;
    }
}

/* The shortest %g form that reads back as the same double. */
static int format_real(char *buf, apr_size_t size, double d)
{
    int n = 0;
    for (int prec = 1; prec <= 17; prec++) {
        n = snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    for (int i = 0; i < n; i++)
        if (buf[i] == ',')
            buf[i] = '.';    /* whatever LC_NUMERIC says */
    return n;
}

static void put_value(rstate *rs, const json_t *v, int escape)
{
    char num[40];
    const char *s = num;
    apr_size_t n;
    if (!v)
        return;
    switch (json_typeof(v)) {
    case JSON_STRING:
        s = json_string_value(v);
        n = json_string_length(v);
        if (escape) {
            if (rs->out_limit && rs->out->len + n * 6 > rs->out_limit) {
                rs->status = APR_ENOSPC;
                return;
            }
            portal_buf_html_escape(rs->out, s, n);
            return;
        }
        break;
    case JSON_INTEGER:
        n = (apr_size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        n = (apr_size_t)format_real(num, sizeof num, json_real_value(v));
        break;
    case JSON_TRUE:
        s = "true";
        n = 4;
        break;
    case JSON_FALSE:
        s = "false";
        n = 5;
        break;
    default:
        return;          /* null, objects, arrays: nothing */
    }
    put(rs, s, n);
}

/* --- text ---------------------------------------------------------------------- */

/* Text with its line starts: each drops up to `dedent` blanks, then, unless
 * the line is empty, gets the indentation. */
static void put_text(rstate *rs, const mnode *m, int bol, const mindent *ind)
{
    const char *p = m->s, *end = m->s + m->n;
    int indent = ind && ind->total > 0;
    if (!indent && m->dedent == 0) {
        put(rs, p, m->n);
        return;
    }
    while (p < end && rs->status == APR_SUCCESS) {
        if (bol) {
            for (apr_size_t k = 0; k < m->dedent && p < end && (*p == ' ' || *p == '\t'); k++)
                p++;
            if (indent && (p == end || (*p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n'))))
                put_indent(rs, ind);
        }
        const char *nl = memchr(p, '\n', (apr_size_t)(end - p));
        const char *le = nl ? nl + 1 : end;
        put(rs, p, (apr_size_t)(le - p));
        p = le;
        bol = 1;
    }
}

/* --- structure ----------------------------------------------------------------- */

static int deeper(rstate *rs)
{
    if (rs->depth >= PORTAL_MUSTACHE_MAX_DEPTH) {
        rs->status = APR_EINVAL;
        return 0;
    }
    rs->depth++;
    return 1;
}

/* The outermost parent's argument wins; within one parent, the last. */
static const mnode *find_block(const margs *a, const mnode *site)
{
    const mnode *found = NULL;
    for (; a; a = a->up)
        for (int i = a->parent->kids.n - 1; i >= 0; i--) {
            const mnode *b = &a->parent->kids.v[i];
            if (b->n == site->n && memcmp(b->s, site->s, b->n) == 0) {
                found = b;
                break;
            }
        }
    return found;
}

static void render_section(rstate *rs, const mnode *m, const mctx *c, const margs *a,
                           const mindent *ind)
{
    json_t *v = lookup(c, &m->name);
    if (m->kind == MN_INVERTED) {
        if (!truthy(v))
            render_list(rs, &m->kids, c, a, ind, 0);
        return;
    }
    if (!truthy(v))
        return;
    mctx top = { v, c };
    if (!json_is_array(v)) {
        render_list(rs, &m->kids, &top, a, ind, 0);
        return;
    }
    apr_size_t n = json_array_size(v);
    for (apr_size_t i = 0; i < n && rs->status == APR_SUCCESS; i++) {
        top.v = json_array_get(v, i);
        render_list(rs, &m->kids, &top, a, ind, 0);
    }
}

/* Partials and parents: another template, indented when the tag stood alone,
 * else inline with no indentation of its own. */
static void render_include(rstate *rs, const mnode *m, const mctx *c, const margs *a,
                           const mindent *ind)
{
    const portal_mustache *t = apr_hash_get(rs->set->byname, m->s, APR_HASH_KEY_STRING);
    if (!t || !deeper(rs))
        return;
    mindent mine = { m->indent, m->indent_len, (ind ? ind->total : 0) + m->indent_len, ind };
    margs args = { m, a };
    render_list(rs, &t->root, c, m->kind == MN_PARENT ? &args : a,
                m->standalone ? &mine : NULL, 0);
    rs->depth--;
}

static void render_block(rstate *rs, const mnode *m, const mctx *c, const margs *a,
                         const mindent *ind)
{
    const mnode *arg = find_block(a, m);
    if (arg && !deeper(rs))
        return;
    mindent mine = { m->indent, m->indent_len, (ind ? ind->total : 0) + m->indent_len, ind };
    const mindent *use = m->standalone ? &mine : arg ? NULL : ind;
    render_list(rs, arg ? &arg->kids : &m->kids, c, a, use, m->standalone);
    if (arg)
        rs->depth--;
}

static void render_list(rstate *rs, const mlist *l, const mctx *c, const margs *a,
                        const mindent *ind, int force_bol)
{
    if (rs->nest >= PORTAL_MUSTACHE_MAX_RENDER_NESTING) {
        rs->status = APR_EINVAL;
        return;
    }
    rs->nest++;
    for (int i = 0; i < l->n && rs->status == APR_SUCCESS; i++) {
        const mnode *m = &l->v[i];
        int bol = m->bol || (i == 0 && force_bol && !m->standalone);
        if (rs->max_steps && ++rs->steps > rs->max_steps) {
            rs->status = APR_ENOSPC;
            break;
        }
        if (m->kind == MN_TEXT) {
            put_text(rs, m, bol, ind);
            continue;
        }
        if (bol)
            put_indent(rs, ind);
        switch (m->kind) {
        case MN_VAR:
        case MN_RAW:
            put_value(rs, lookup(c, &m->name), m->kind == MN_VAR);
            break;
        case MN_SECTION:
        case MN_INVERTED:
            render_section(rs, m, c, a, ind);
            break;
        case MN_PARTIAL:
        case MN_PARENT:
            render_include(rs, m, c, a, ind);
            break;
        case MN_BLOCK:
            render_block(rs, m, c, a, ind);
            break;
        default:
            break;       /* MN_INDENT: the indentation was all */
        }
    }
    rs->nest--;
}

/* --- the API ------------------------------------------------------------------- */

const portal_mustache *portal_mustache_set_get(const portal_mustache_set *set, const char *name)
{
    if (!set || !name)
        return NULL;
    return apr_hash_get(set->byname, name, APR_HASH_KEY_STRING);
}

unsigned int portal_mustache_set_count(const portal_mustache_set *set)
{
    return set ? apr_hash_count(set->byname) : 0;
}

apr_status_t portal_mustache_render_limited(const portal_mustache_set *set, const char *name,
                                            json_t *view, portal_buf *out,
                                            apr_size_t max_steps, apr_size_t max_output)
{
    const portal_mustache *t = portal_mustache_set_get(set, name);
    if (!t)
        return APR_NOTFOUND;
    rstate rs;
    memset(&rs, 0, sizeof rs);
    rs.set = set;
    rs.out = out;
    rs.max_steps = max_steps;
    rs.out_limit = max_output ? out->len + max_output : 0;
    mctx top = { view ? view : json_null(), NULL };
    render_list(&rs, &t->root, &top, NULL, NULL, 0);
    return rs.status;
}

apr_status_t portal_mustache_render(const portal_mustache_set *set, const char *name,
                                    json_t *view, portal_buf *out)
{
    return portal_mustache_render_limited(set, name, view, out, 0, 0);
}
