#include "cookie.h"
#include "buf.h"
#include "utf8.h"

#include <string.h>
#include <apr_strings.h>

/* portal_is_tchar, in the shape all() takes. */
static int is_tchar(unsigned char c)
{
    return portal_is_tchar(c);
}

/* RFC 6265 cookie-octet. */
static int is_octet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A)
        || (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

static int all(const char *s, apr_size_t n, int (*ok)(unsigned char))
{
    for (apr_size_t i = 0; i < n; i++)
        if (!ok((unsigned char)s[i]))
            return 0;
    return 1;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

apr_table_t *portal_cookie_parse(apr_pool_t *p, const char *header)
{
    apr_table_t *t = apr_table_make(p, 4);
    const char *s = header;

    while (s && *s) {
        const char *end = strchr(s, ';');
        apr_size_t n = end ? (apr_size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', n);
        const char *next = end ? end + 1 : NULL;

        if (eq) {
            const char *nb = s, *ne = eq, *vb = eq + 1, *ve = s + n;
            while (nb < ne && is_ws(*nb))
                nb++;
            while (ne > nb && is_ws(ne[-1]))
                ne--;
            while (vb < ve && is_ws(*vb))
                vb++;
            while (ve > vb && is_ws(ve[-1]))
                ve--;
            if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
                vb++;
                ve--;
            }
            if (ne > nb && all(nb, (apr_size_t)(ne - nb), is_tchar)
                && all(vb, (apr_size_t)(ve - vb), is_octet)) {
                char *name = apr_pstrmemdup(p, nb, (apr_size_t)(ne - nb));
                if (!apr_table_get(t, name))
                    apr_table_addn(t, name,
                                   apr_pstrmemdup(p, vb, (apr_size_t)(ve - vb)));
            }
        }
        s = next;
    }
    return t;
}

const char *portal_cookie_get(const apr_table_t *cookies, const char *name)
{
    const apr_array_header_t *arr = apr_table_elts(cookies);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    for (int i = 0; i < arr->nelts; i++)
        if (strcmp(e[i].key, name) == 0)
            return e[i].val;
    return NULL;
}

static int path_ok(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7F || *s == ';')
            return 0;
    return 1;
}

const char *portal_cookie_format(apr_pool_t *p, const char *name,
                                 const char *value,
                                 const portal_cookie_opts *o)
{
    static const portal_cookie_opts none = { NULL, -1, 0, 0, NULL };
    portal_buf b;

    if (!o)
        o = &none;
    if (!name || !*name || !all(name, strlen(name), is_tchar))
        return NULL;
    if (!value || !all(value, strlen(value), is_octet))
        return NULL;
    if (o->path && !path_ok(o->path))
        return NULL;
    if (o->same_site && strcmp(o->same_site, "Lax") != 0
        && strcmp(o->same_site, "Strict") != 0
        && strcmp(o->same_site, "None") != 0)
        return NULL;
    if (o->same_site && strcmp(o->same_site, "None") == 0 && !o->secure)
        return NULL;

    portal_buf_init(&b, p, 128);
    portal_buf_puts(&b, name);
    portal_buf_putc(&b, '=');
    portal_buf_puts(&b, value);
    if (o->path)
        portal_buf_printf(&b, "; Path=%s", o->path);
    if (o->max_age == 0)
        portal_buf_puts(&b, "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    else if (o->max_age > 0)
        portal_buf_printf(&b, "; Max-Age=%ld", o->max_age);
    if (o->http_only)
        portal_buf_puts(&b, "; HttpOnly");
    if (o->secure)
        portal_buf_puts(&b, "; Secure");
    if (o->same_site)
        portal_buf_printf(&b, "; SameSite=%s", o->same_site);
    return b.data;
}
