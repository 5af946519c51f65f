/* Mustache lexing: template text to a flat token list, in three passes:
 *   1. lex       text and tags, following {{=<% %>=}} delimiter changes;
 *   2. match     pair each {{/x}} with its opener, cap the nesting depth;
 *   3. cut       a tag alone on its line takes the whole line (indentation and
 *                line end). Parents stand alone as a whole ({{<p}} at a line
 *                start, {{/p}} at a line end), their blocks by their inner
 *                sides only, and "  {{$b}}...{{/b}}" alone on a line is
 *                indented as a whole.
 * mustache_parse.c builds the tree from the result. */
#include "mustache_int.h"

#include <stdarg.h>
#include <string.h>
#include <apr_strings.h>
#include <apr_tables.h>

typedef mtok tok;
typedef mparser parser;
#define QN MUSTACHE_QN
#define fail portal_mustache_fail

apr_status_t portal_mustache_fail(mparser *ps, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *msg = apr_pvsprintf(ps->errpool, fmt, ap);
    va_end(ap);
    ps->err = apr_psprintf(ps->errpool, "%s:%d: %s", ps->tname, line, msg);
    return APR_EINVAL;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int count_nl(const char *s, apr_size_t n)
{
    int c = 0;
    const char *end = s + n;
    while ((s = memchr(s, '\n', (apr_size_t)(end - s))) != NULL) {
        c++;
        s++;
    }
    return c;
}

/* --- 1. lex ---------------------------------------------------------------- */

static int delims_parse(const char *s, apr_size_t n, apr_size_t *o, apr_size_t *ol,
                        apr_size_t *c, apr_size_t *cl)
{
    apr_size_t i = 0;
    *o = i;
    while (i < n && !is_space(s[i]) && s[i] != '=')
        i++;
    *ol = i - *o;
    if (*ol == 0 || i == n || !is_space(s[i]))
        return 0;
    while (i < n && is_space(s[i]))
        i++;
    *c = i;
    while (i < n && !is_space(s[i]) && s[i] != '=')
        i++;
    *cl = i - *c;
    return *cl > 0 && i == n;
}

static apr_status_t lex(parser *ps)
{
    const char *src = ps->src;
    apr_size_t len = ps->len, pos = 0;
    const char *otag = "{{", *ctag = "}}";
    apr_size_t olen = 2, clen = 2;
    const char *raw_close = "}}}", *delim_close = "=}}";
    int line = 1;
    apr_array_header_t *a = apr_array_make(ps->tmp, 64, sizeof(tok));

    while (pos < len) {
        const char *hit = memmem(src + pos, len - pos, otag, olen);
        apr_size_t at = hit ? (apr_size_t)(hit - src) : len;
        if (at > pos) {
            tok *k = apr_array_push(a);
            memset(k, 0, sizeof *k);
            k->kind = T_TEXT;
            k->line = line;
            k->start = pos;
            k->end = at;
            line += count_nl(src + pos, at - pos);
        }
        if (!hit)
            break;
        apr_size_t p = at + olen;
        const char *close = ctag;
        apr_size_t cl = clen;
        int kind = T_VAR;
        switch (p < len ? src[p] : '\0') {
        case '{': kind = T_RAW; close = raw_close; cl = clen + 1; break;
        case '&': kind = T_RAW; break;
        case '#': kind = T_SECTION; break;
        case '^': kind = T_INVERTED; break;
        case '/': kind = T_CLOSE; break;
        case '!': kind = T_COMMENT; break;
        case '>': kind = T_PARTIAL; break;
        case '<': kind = T_PARENT; break;
        case '$': kind = T_BLOCK; break;
        case '=': kind = T_DELIM; close = delim_close; cl = clen + 1; break;
        }
        if (kind != T_VAR)
            p++;
        const char *e = p <= len ? memmem(src + p, len - p, close, cl) : NULL;
        if (!e)
            return fail(ps, line, "unclosed tag: no '%s' after '%s'", close, otag);
        apr_size_t cs = p, ce = (apr_size_t)(e - src);
        tok *k = apr_array_push(a);
        memset(k, 0, sizeof *k);
        k->kind = (unsigned char)kind;
        k->line = line;
        k->start = at;
        k->end = ce + cl;
        while (cs < ce && is_space(src[cs]))
            cs++;
        while (ce > cs && is_space(src[ce - 1]))
            ce--;
        k->name = cs;
        k->nlen = ce - cs;
        line += count_nl(src + at, k->end - at);
        pos = k->end;
        if (kind == T_COMMENT)
            continue;
        if (kind == T_DELIM) {
            apr_size_t o, ol, c, cln;
            if (!delims_parse(src + cs, ce - cs, &o, &ol, &c, &cln))
                return fail(ps, k->line, "invalid delimiters '%.*s': want two tags, "
                            "no blanks or '=' inside", QN(ps, k));
            otag = apr_pstrmemdup(ps->tmp, src + cs + o, ol);
            ctag = apr_pstrmemdup(ps->tmp, src + cs + c, cln);
            olen = ol;
            clen = cln;
            raw_close = apr_pstrcat(ps->tmp, "}", ctag, NULL);
            delim_close = apr_pstrcat(ps->tmp, "=", ctag, NULL);
            continue;
        }
        if (k->nlen == 0)
            return fail(ps, k->line, "empty tag");
        for (apr_size_t i = cs; i < ce; i++)
            if (is_space(src[i]))
                return fail(ps, k->line, "invalid name '%.*s'", QN(ps, k));
    }
    ps->t = (tok *)a->elts;
    ps->nt = a->nelts;
    return APR_SUCCESS;
}

/* --- 2. match -------------------------------------------------------------- */

static int is_opener(int kind)
{
    return kind == T_SECTION || kind == T_INVERTED || kind == T_PARENT || kind == T_BLOCK;
}

static const char *what(int kind)
{
    switch (kind) {
    case T_PARENT: return "parent";
    case T_BLOCK: return "block";
    case T_INVERTED: return "inverted section";
    default: return "section";
    }
}

static apr_status_t match(parser *ps)
{
    tok *t = ps->t;
    int stack[PORTAL_MUSTACHE_MAX_NESTING], sp = 0;

    for (int i = 0; i < ps->nt; i++) {
        t[i].owner = sp ? stack[sp - 1] : -1;
        t[i].match = -1;
        if (is_opener(t[i].kind)) {
            if (sp == PORTAL_MUSTACHE_MAX_NESTING)
                return fail(ps, t[i].line, "sections nested deeper than %d",
                            PORTAL_MUSTACHE_MAX_NESTING);
            stack[sp++] = i;
        } else if (t[i].kind == T_CLOSE) {
            if (sp == 0)
                return fail(ps, t[i].line, "closing tag '%.*s' without an open section",
                            QN(ps, &t[i]));
            tok *o = &t[stack[sp - 1]];
            if (o->nlen != t[i].nlen
                || memcmp(ps->src + o->name, ps->src + t[i].name, o->nlen) != 0)
                return fail(ps, t[i].line, "closing tag '%.*s' does not match %s '%.*s' "
                            "opened on line %d", QN(ps, &t[i]), what(o->kind), QN(ps, o),
                            o->line);
            t[i].match = stack[--sp];
            o->match = i;
            t[i].owner = o->owner;
        }
    }
    if (sp > 0) {
        tok *o = &t[stack[sp - 1]];
        return fail(ps, o->line, "unclosed %s '%.*s'", what(o->kind), QN(ps, o));
    }
    return APR_SUCCESS;
}

/* --- 3. cut standalone lines ------------------------------------------------- */

/* Only blanks between the tag and the start of its line (or of the template)? */
static int left_clear(const parser *ps, int i)
{
    if (i == 0)
        return 1;
    const tok *p = &ps->t[i - 1];
    if (p->kind != T_TEXT)
        return 0;
    const char *s = ps->src + p->start;
    apr_size_t k = p->end - p->start;
    while (k > 0 && is_blank(s[k - 1]))
        k--;
    return k == 0 ? i - 1 == 0 : s[k - 1] == '\n';
}

/* Only blanks between the tag and its line end (or the end of the template)? */
static int right_clear(const parser *ps, int i)
{
    if (i == ps->nt - 1)
        return 1;
    const tok *x = &ps->t[i + 1];
    if (x->kind != T_TEXT)
        return 0;
    const char *s = ps->src + x->start;
    apr_size_t n = x->end - x->start, k = 0;
    while (k < n && is_blank(s[k]))
        k++;
    if (k == n)
        return 0;           /* blanks before the end of the template stay */
    return s[k] == '\n' || (s[k] == '\r' && k + 1 < n && s[k + 1] == '\n');
}

static int in_parent(const parser *ps, int i)
{
    int o = ps->t[i].owner;
    return o >= 0 && ps->t[o].kind == T_PARENT;
}

static void cut(parser *ps)
{
    tok *t = ps->t;
    int n = ps->nt;

    for (int i = 0; i < n; i++) {
        tok *k = &t[i];
        int kind = k->kind;
        if (kind == T_TEXT || kind == T_VAR || kind == T_RAW)
            continue;
        if (kind == T_CLOSE)
            kind = t[k->match].kind == T_BLOCK ? -T_BLOCK : t[k->match].kind == T_PARENT ? -T_PARENT : T_CLOSE;
        if (kind == T_PARENT) {
            /* A parent stands alone as a whole: what lies between its tags
             * is arguments, never output. */
            if (left_clear(ps, i) && right_clear(ps, k->match))
                k->cut_left = t[k->match].cut_right = 1;
        } else if (kind == -T_PARENT) {
            continue;
        } else if ((kind == T_BLOCK || kind == -T_BLOCK) && in_parent(ps, i)) {
            /* An argument: only its inner sides count, what lies outside is
             * ignored. The content starts below a tag that ends its line and
             * stops before the indentation of a closing tag on a line of its own. */
            if (kind == T_BLOCK && right_clear(ps, i))
                k->cut_right = 1;
            if (kind == -T_BLOCK && left_clear(ps, i))
                k->cut_left = 1;
        } else if (kind == -T_BLOCK && t[k->match].pair) {
            continue;
        } else if (left_clear(ps, i) && right_clear(ps, i)) {
            k->cut_left = k->cut_right = 1;
        } else if (kind == T_BLOCK && left_clear(ps, i) && right_clear(ps, k->match)
                   && !memchr(ps->src + k->end, '\n', t[k->match].start - k->end)) {
            /* "  {{$b}}default{{/b}}\n": the block is indented as a whole;
             * what follows it stays. */
            k->cut_left = k->pair = 1;
        }
    }

    for (int i = 0; i < n; i++) {
        if (t[i].cut_left && i > 0) {
            tok *p = &t[i - 1];
            const char *s = ps->src + p->start;
            apr_size_t k = p->end - p->start;
            while (k > 0 && is_blank(s[k - 1]))
                k--;
            p->tail_cut = p->end - p->start - k;
        }
        if (t[i].cut_right && i + 1 < n) {
            tok *x = &t[i + 1];
            const char *s = ps->src + x->start;
            apr_size_t len = x->end - x->start, k = 0;
            while (k < len && is_blank(s[k]))
                k++;
            if (k < len)
                k += s[k] == '\r' ? 2 : 1;
            x->head_cut = k;
        }
    }
}

apr_status_t portal_mustache_tokenize(mparser *ps)
{
    apr_status_t rv = lex(ps);
    if (rv == APR_SUCCESS)
        rv = match(ps);
    if (rv == APR_SUCCESS)
        cut(ps);
    return rv;
}
