/* A growing byte buffer allocated from an APR pool: the one string builder
 * every renderer and serializer of mod_portal appends to. */
#ifndef PORTAL_BUF_H
#define PORTAL_BUF_H

#include <apr_pools.h>

typedef struct {
    apr_pool_t *pool;
    char *data;       /* always NUL-terminated */
    apr_size_t len;
    apr_size_t cap;
} portal_buf;

void portal_buf_init(portal_buf *b, apr_pool_t *p, apr_size_t initial);
void portal_buf_append(portal_buf *b, const char *s, apr_size_t n);
void portal_buf_puts(portal_buf *b, const char *s);
void portal_buf_putc(portal_buf *b, char c);
void portal_buf_printf(portal_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' replaced by HTML entities. */
void portal_buf_html_escape(portal_buf *b, const char *s, apr_size_t n);

#endif
