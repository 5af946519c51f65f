#include "buf.h"

#include <stdarg.h>
#include <string.h>
#include <apr_strings.h>

void portal_buf_init(portal_buf *b, apr_pool_t *p, apr_size_t initial)
{
    b->pool = p;
    b->cap = initial < 64 ? 64 : initial;
    b->data = apr_palloc(p, b->cap);
    b->data[0] = '\0';
    b->len = 0;
}

static void reserve(portal_buf *b, apr_size_t extra)
{
    apr_size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    apr_size_t cap = b->cap * 2;
    while (cap < need)
        cap *= 2;
    char *data = apr_palloc(b->pool, cap);
    memcpy(data, b->data, b->len + 1);
    b->data = data;
    b->cap = cap;
}

void portal_buf_append(portal_buf *b, const char *s, apr_size_t n)
{
    reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void portal_buf_puts(portal_buf *b, const char *s)
{
    portal_buf_append(b, s, strlen(s));
}

void portal_buf_putc(portal_buf *b, char c)
{
    portal_buf_append(b, &c, 1);
}

void portal_buf_printf(portal_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = apr_pvsprintf(b->pool, fmt, ap);
    va_end(ap);
    portal_buf_puts(b, s);
}

void portal_buf_html_escape(portal_buf *b, const char *s, apr_size_t n)
{
    apr_size_t start = 0;
    for (apr_size_t i = 0; i < n; i++) {
        const char *entity;
        switch (s[i]) {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        default: continue;
        }
        portal_buf_append(b, s + start, i - start);
        portal_buf_puts(b, entity);
        start = i + 1;
    }
    portal_buf_append(b, s + start, n - start);
}
