/* Mustache parsing: the tokens of mustache_lex.c to the node tree of
 * mustache_int.h, once per template. Each node knows whether it starts a line
 * (the indentation of an enclosing partial or block is known only at render
 * time) and each text how much indentation its lines lose to the standalone
 * block that defines them (block re-indentation). */
#include "mustache_int.h"

#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>

typedef mtok tok;
typedef mparser parser;
#define QN MUSTACHE_QN
#define fail portal_mustache_fail

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_opener(int kind)
{
    return kind == T_SECTION || kind == T_INVERTED || kind == T_PARENT || kind == T_BLOCK;
}

/* --- the tree ---------------------------------------------------------------- */

static mnode *add(apr_array_header_t *a, int kind, const tok *k)
{
    mnode *m = apr_array_push(a);
    memset(m, 0, sizeof *m);
    m->kind = (unsigned char)kind;
    m->line = k ? k->line : 0;
    return m;
}

static mlist finish(parser *ps, apr_array_header_t *a)
{
    mlist l = { NULL, a->nelts };
    if (a->nelts) {
        mnode *v = apr_palloc(ps->pool, sizeof(mnode) * (apr_size_t)a->nelts);
        memcpy(v, a->elts, sizeof(mnode) * (apr_size_t)a->nelts);
        l.v = v;
    }
    return l;
}

/* "x\n{{/s}}y": the line that starts inside the section (or block) before its
 * closing tag is indented only when the content renders. */
static void add_indent(parser *ps, mlist *l, const tok *c)
{
    apr_array_header_t *a = apr_array_make(ps->tmp, l->n + 1, sizeof(mnode));
    for (int j = 0; j < l->n; j++)
        *(mnode *)apr_array_push(a) = l->v[j];
    add(a, MN_INDENT, c)->bol = 1;
    *l = finish(ps, a);
}

static apr_status_t split_name(parser *ps, const tok *k, mname *out)
{
    const char *s = ps->src + k->name;
    apr_size_t n = k->nlen;
    out->parts = NULL;
    out->nparts = 0;
    if (n == 1 && s[0] == '.')
        return APR_SUCCESS;
    int parts = 1;
    for (apr_size_t i = 0; i < n; i++)
        if (s[i] == '.') {
            if (i == 0 || i + 1 == n || s[i + 1] == '.')
                return fail(ps, k->line, "invalid name '%.*s'", QN(ps, k));
            parts++;
        }
    const char **v = apr_palloc(ps->pool, sizeof(char *) * (apr_size_t)parts);
    apr_size_t from = 0;
    for (int p = 0; p < parts; p++) {
        apr_size_t to = from;
        while (to < n && s[to] != '.')
            to++;
        v[p] = apr_pstrmemdup(ps->pool, s + from, to - from);
        from = to + 1;
    }
    out->parts = v;
    out->nparts = parts;
    return APR_SUCCESS;
}

/* The blanks a standalone tag took before it, less what the enclosing block's
 * re-indentation already removes from every line. */
static void before(const parser *ps, int i, apr_size_t dedent, mnode *m)
{
    const tok *p = i > 0 ? &ps->t[i - 1] : NULL;
    apr_size_t n = p ? p->tail_cut : 0;
    apr_size_t skip = n < dedent ? n : dedent;
    m->indent = p ? ps->src + p->end - n + skip : "";
    m->indent_len = n - skip;
}

/* Longest run of blanks common to every non-blank line of src[from, to),
 * which starts at a line start. *first: the first non-blank line. */
static int common_indent(const parser *ps, apr_size_t from, apr_size_t to,
                         apr_size_t *len, apr_size_t *first)
{
    const char *s = ps->src;
    int found = 0;
    for (apr_size_t ls = from; ls < to;) {
        apr_size_t k = ls, le;
        while (k < to && is_blank(s[k]))
            k++;
        const char *nl = memchr(s + ls, '\n', to - ls);
        le = nl ? (apr_size_t)(nl - s) + 1 : to;
        if (k < le && s[k] != '\n' && !(s[k] == '\r' && k + 1 < to && s[k + 1] == '\n')) {
            if (!found) {
                *first = ls;
                *len = k - ls;
                found = 1;
            } else {
                apr_size_t c = 0;
                while (c < *len && c < k - ls && s[ls + c] == s[*first + c])
                    c++;
                *len = c;
            }
        }
        ls = le;
    }
    return found;
}

static apr_status_t build_list(parser *ps, int from, int to, int bol, apr_size_t dedent,
                               mlist *out, int *end_bol);

static apr_status_t build_block(parser *ps, int i, int bol, apr_size_t dedent, mnode *m)
{
    const tok *k = &ps->t[i], *c = &ps->t[k->match];
    apr_size_t inner = dedent;
    m->s = apr_pstrmemdup(ps->pool, ps->src + k->name, k->nlen);
    m->n = k->nlen;
    m->standalone = (k->cut_left && k->cut_right) || k->pair;
    m->bol = m->standalone ? 0 : (unsigned char)bol;
    if (m->standalone)
        before(ps, i, dedent, m);
    if (k->cut_right) {
        /* The content starts on a line of its own: it loses the indentation
         * common to its lines, and a standalone block is indented by that
         * "intrinsic" indentation where it is expanded. */
        apr_size_t len = 0, first = 0, cs = ps->t[i + 1].start + ps->t[i + 1].head_cut;
        if (common_indent(ps, cs, c->start, &len, &first)) {
            if (len < dedent)
                len = dedent;
            inner = len;
            if (m->standalone) {
                m->indent = ps->src + first + dedent;
                m->indent_len = len - dedent;
            }
        }
    }
    int end_bol;
    apr_status_t rv = build_list(ps, i + 1, k->match, k->cut_right, inner, &m->kids, &end_bol);
    if (rv == APR_SUCCESS && end_bol && !c->cut_left)
        add_indent(ps, &m->kids, c);
    return rv;
}

/* A parent keeps its direct blocks (the arguments) and ignores the rest. */
static apr_status_t build_args(parser *ps, int from, int to, apr_size_t dedent, mlist *out)
{
    apr_array_header_t *a = apr_array_make(ps->tmp, 4, sizeof(mnode));
    for (int j = from; j < to; j++) {
        const tok *k = &ps->t[j];
        if (k->kind == T_BLOCK) {
            apr_status_t rv = build_block(ps, j, 0, dedent, add(a, MN_BLOCK, k));
            if (rv != APR_SUCCESS)
                return rv;
        }
        if (is_opener(k->kind))
            j = k->match;
    }
    *out = finish(ps, a);
    return APR_SUCCESS;
}

static apr_status_t build_list(parser *ps, int from, int to, int bol, apr_size_t dedent,
                               mlist *out, int *end_bol)
{
    apr_array_header_t *a = apr_array_make(ps->tmp, 8, sizeof(mnode));
    apr_status_t rv = APR_SUCCESS;

    for (int i = from; i < to && rv == APR_SUCCESS; i++) {
        const tok *k = &ps->t[i];
        mnode *m;
        switch (k->kind) {
        case T_TEXT: {
            apr_size_t n = k->end - k->start;
            if (k->head_cut + k->tail_cut >= n)
                break;
            m = add(a, MN_TEXT, k);
            m->s = ps->src + k->start + k->head_cut;
            m->n = n - k->head_cut - k->tail_cut;
            m->bol = (unsigned char)bol;
            m->dedent = dedent;
            bol = m->s[m->n - 1] == '\n';
            break;
        }
        case T_VAR:
        case T_RAW:
            m = add(a, k->kind == T_VAR ? MN_VAR : MN_RAW, k);
            m->bol = (unsigned char)bol;
            rv = split_name(ps, k, &m->name);
            bol = 0;
            break;
        case T_COMMENT:
        case T_DELIM:
            if (k->cut_right)
                bol = 1;
            break;
        case T_SECTION:
        case T_INVERTED: {
            const tok *c = &ps->t[k->match];
            int inner_bol;
            m = add(a, k->kind == T_SECTION ? MN_SECTION : MN_INVERTED, k);
            m->standalone = k->cut_right;
            m->bol = k->cut_left ? 0 : (unsigned char)bol;
            rv = split_name(ps, k, &m->name);
            if (rv == APR_SUCCESS)
                rv = build_list(ps, i + 1, k->match, k->cut_right, dedent, &m->kids, &inner_bol);
            if (rv == APR_SUCCESS && inner_bol && !c->cut_left)
                add_indent(ps, &m->kids, c);
            bol = c->cut_right;
            i = k->match;
            break;
        }
        case T_PARTIAL:
        case T_PARENT:
            m = add(a, k->kind == T_PARTIAL ? MN_PARTIAL : MN_PARENT, k);
            m->s = apr_pstrmemdup(ps->pool, ps->src + k->name, k->nlen);
            m->n = k->nlen;
            m->standalone = k->cut_left;
            m->bol = k->cut_left ? 0 : (unsigned char)bol;
            if (m->standalone)
                before(ps, i, dedent, m);
            bol = k->cut_right;
            if (k->kind == T_PARENT) {
                rv = build_args(ps, i + 1, k->match, dedent, &m->kids);
                bol = ps->t[k->match].cut_right;
                i = k->match;
            }
            break;
        case T_BLOCK:
            m = add(a, MN_BLOCK, k);
            rv = build_block(ps, i, bol, dedent, m);
            bol = ps->t[k->match].cut_right;
            i = k->match;
            break;
        default:
            break;
        }
    }
    *out = finish(ps, a);
    *end_bol = bol;
    return rv;
}

/* --- the set ----------------------------------------------------------------- */

portal_mustache_set *portal_mustache_set_make(apr_pool_t *p)
{
    portal_mustache_set *set = apr_pcalloc(p, sizeof *set);
    set->pool = p;
    set->byname = apr_hash_make(p);
    return set;
}

apr_status_t portal_mustache_set_add(portal_mustache_set *set, const char *name,
                                     const char *src, apr_size_t len, const char **err)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    apr_pool_create(&ps.pool, set->pool);
    apr_pool_create(&ps.tmp, ps.pool);
    ps.errpool = set->pool;
    ps.tname = name;
    ps.src = apr_pstrmemdup(ps.pool, src ? src : "", src ? len : 0);
    ps.len = src ? len : 0;

    portal_mustache *m = apr_pcalloc(ps.pool, sizeof *m);
    apr_status_t rv = portal_mustache_tokenize(&ps);
    if (rv == APR_SUCCESS) {
        int end_bol;
        rv = build_list(&ps, 0, ps.nt, 1, 0, &m->root, &end_bol);
    }
    apr_pool_destroy(ps.tmp);
    if (rv != APR_SUCCESS) {
        apr_pool_destroy(ps.pool);
        if (err)
            *err = ps.err;
        return rv;
    }
    m->name = apr_pstrdup(ps.pool, name);
    apr_hash_set(set->byname, m->name, APR_HASH_KEY_STRING, m);
    if (err)
        *err = NULL;
    return APR_SUCCESS;
}
