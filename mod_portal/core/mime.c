#include "mime.h"

#include <string.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include "buf.h"
#include "crypto.h"
#include "utf8.h"

#define MAX_ADDRESS 254
#define MAX_LOCAL 64
#define MAX_LABEL 63
/* Bytes of UTF-8 per encoded word: 42 bytes are 56 base64 characters, a
 * word of 68 ("=?UTF-8?B?" + 56 + "?="), which fits a 78-character line
 * after "Subject: " and after the single space of a folded line. */
#define WORD_BYTES 42
#define RAW_MAX 60

static int is_atext(int c)
{
    return apr_isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int local_valid(const char *s, apr_size_t n)
{
    if (n == 0 || n > MAX_LOCAL || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (apr_size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !is_atext((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

static int domain_valid(const char *s)
{
    int labels = 0;
    while (*s) {
        apr_size_t n = 0;
        while (s[n] && s[n] != '.') {
            if (!apr_isalnum(s[n]) && s[n] != '-')
                return 0;
            n++;
        }
        if (n == 0 || n > MAX_LABEL || s[0] == '-' || s[n - 1] == '-')
            return 0;
        labels++;
        s += n;
        if (*s == '.' && !*++s)
            return 0;   /* a trailing dot */
    }
    return labels >= 2;
}

int portal_mail_address_valid(const char *addr)
{
    if (!addr)
        return 0;
    apr_size_t n = strlen(addr);
    const char *at = strchr(addr, '@');
    if (n < 3 || n > MAX_ADDRESS || !at || strchr(at + 1, '@'))
        return 0;
    return local_valid(addr, (apr_size_t)(at - addr)) && domain_valid(at + 1);
}

const char *portal_mail_domain(apr_pool_t *p, const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return apr_pstrdup(p, at ? at + 1 : "localhost");
}

/* text with every control character (and invalid UTF-8 byte) a space or a
 * '?': a header value is one line whatever a catalog or a view held. */
static char *one_line(apr_pool_t *p, const char *text, int *ascii)
{
    apr_size_t n = strlen(text);
    char *out = apr_palloc(p, n + 1), *o = out;
    *ascii = 1;
    for (apr_size_t i = 0; i < n;) {
        unsigned long cp;
        apr_size_t k = portal_utf8_decode(text + i, n - i, &cp);
        if (k == 0) {
            *o++ = '?';
            i++;
            continue;
        }
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
            *o++ = ' ';
        } else {
            memcpy(o, text + i, k);
            o += k;
            if (cp > 0x7e)
                *ascii = 0;
        }
        i += k;
    }
    *o = '\0';
    return out;
}

static void encoded_words(portal_buf *b, const char *s)
{
    apr_size_t n = strlen(s), i = 0;
    int first = 1;
    while (i < n) {
        apr_size_t take = 0;
        while (i + take < n) {
            unsigned long cp;
            apr_size_t k = portal_utf8_decode(s + i + take, n - i - take, &cp);
            if (k == 0)
                k = 1;
            if (take + k > WORD_BYTES)
                break;
            take += k;
        }
        const char *b64 = portal_mime_base64_lines(b->pool, s + i, take);
        apr_size_t len = strlen(b64);
        while (len > 0 && (b64[len - 1] == '\n' || b64[len - 1] == '\r'))
            len--;
        if (!first)
            portal_buf_puts(b, "\r\n ");
        portal_buf_puts(b, "=?UTF-8?B?");
        portal_buf_append(b, b64, len);
        portal_buf_puts(b, "?=");
        first = 0;
        i += take;
    }
}

const char *portal_mime_header_text(apr_pool_t *p, const char *text)
{
    int ascii;
    char *s = one_line(p, text ? text : "", &ascii);
    if (ascii && strlen(s) <= RAW_MAX && !strstr(s, "=?"))
        return s;
    portal_buf b;
    portal_buf_init(&b, p, strlen(s) * 2 + 32);
    encoded_words(&b, s);
    return b.data;
}

const char *portal_mime_display_name(apr_pool_t *p, const char *name)
{
    int ascii;
    char *s = one_line(p, name ? name : "", &ascii);
    if (!ascii || strlen(s) > RAW_MAX || strstr(s, "=?"))
        return portal_mime_header_text(p, s);
    int plain = 1;
    for (const char *c = s; *c; c++)
        if (!is_atext((unsigned char)*c) && *c != ' ')
            plain = 0;
    if (plain && *s)
        return s;
    portal_buf b;
    portal_buf_init(&b, p, strlen(s) + 8);
    portal_buf_putc(&b, '"');
    for (const char *c = s; *c; c++) {
        if (*c == '"' || *c == '\\')
            portal_buf_putc(&b, '\\');
        portal_buf_putc(&b, *c);
    }
    portal_buf_putc(&b, '"');
    return b.data;
}

const char *portal_mime_date(apr_pool_t *p, apr_time_t t)
{
    static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    apr_time_exp_t e;
    apr_time_exp_gmt(&e, t);
    return apr_psprintf(p, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[e.tm_wday],
                        e.tm_mday, months[e.tm_mon], e.tm_year + 1900, e.tm_hour, e.tm_min,
                        e.tm_sec);
}

const char *portal_mime_message_id(apr_pool_t *p, const char *domain)
{
    unsigned char raw[16];
    if (portal_random_bytes(raw, sizeof(raw)) != APR_SUCCESS)
        return NULL;
    return apr_pstrcat(p, "<", portal_hex_encode(p, raw, sizeof(raw)), "@", domain, ">", NULL);
}

const char *portal_mime_base64_lines(apr_pool_t *p, const char *data, apr_size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *d = (const unsigned char *)data;
    portal_buf b;
    portal_buf_init(&b, p, (n + 2) / 3 * 4 + (n / 57 + 1) * 2 + 1);
    for (apr_size_t line = 0; line < n; line += 57) {
        apr_size_t end = line + 57 < n ? line + 57 : n;
        for (apr_size_t i = line; i < end; i += 3) {
            unsigned v = (unsigned)d[i] << 16;
            if (i + 1 < end)
                v |= (unsigned)d[i + 1] << 8;
            if (i + 2 < end)
                v |= d[i + 2];
            char q[4] = { alphabet[v >> 18 & 63], alphabet[v >> 12 & 63],
                          i + 1 < end ? alphabet[v >> 6 & 63] : '=',
                          i + 2 < end ? alphabet[v & 63] : '=' };
            portal_buf_append(&b, q, 4);
        }
        portal_buf_puts(&b, "\r\n");
    }
    return b.data;
}

/* A part's text in MIME canonical form: every line ends in CRLF. */
static const char *crlf_lines(apr_pool_t *p, const char *s, apr_size_t *len)
{
    portal_buf b;
    portal_buf_init(&b, p, strlen(s) + 64);
    for (; *s; s++) {
        if (*s == '\r' && s[1] == '\n')
            continue;   /* the LF that follows writes the pair */
        if (*s == '\r' || *s == '\n')
            portal_buf_puts(&b, "\r\n");
        else
            portal_buf_putc(&b, *s);
    }
    if (b.len < 2 || strcmp(b.data + b.len - 2, "\r\n") != 0)
        portal_buf_puts(&b, "\r\n");
    *len = b.len;
    return b.data;
}

static void part(portal_buf *b, const char *boundary, const char *type, const char *body)
{
    apr_size_t len;
    const char *canonical = crlf_lines(b->pool, body, &len);
    portal_buf_printf(b, "--%s\r\nContent-Type: %s; charset=utf-8\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n", boundary, type);
    portal_buf_puts(b, portal_mime_base64_lines(b->pool, canonical, len));
}

const char *portal_mime_build(apr_pool_t *p, const portal_mime_mail *m, apr_size_t *len)
{
    if (!m->subject || !m->text || !m->html || !m->message_id
        || !portal_mail_address_valid(m->from_addr) || !portal_mail_address_valid(m->to))
        return NULL;
    const char *boundary = m->boundary;
    if (!boundary) {
        unsigned char raw[12];
        if (portal_random_bytes(raw, sizeof(raw)) != APR_SUCCESS)
            return NULL;
        boundary = apr_pstrcat(p, "=_portal_", portal_hex_encode(p, raw, sizeof(raw)), NULL);
    }
    portal_buf b;
    portal_buf_init(&b, p, 4096 + (strlen(m->text) + strlen(m->html)) * 2);
    portal_buf_printf(&b, "Date: %s\r\n", portal_mime_date(p, m->date));
    if (m->from_name && *m->from_name)
        portal_buf_printf(&b, "From: %s <%s>\r\n", portal_mime_display_name(p, m->from_name),
                          m->from_addr);
    else
        portal_buf_printf(&b, "From: %s\r\n", m->from_addr);
    portal_buf_printf(&b, "To: %s\r\n", m->to);
    portal_buf_printf(&b, "Subject: %s\r\n", portal_mime_header_text(p, m->subject));
    portal_buf_printf(&b, "Message-ID: %s\r\n", m->message_id);
    portal_buf_puts(&b, "MIME-Version: 1.0\r\n");
    if (m->language && *m->language)
        portal_buf_printf(&b, "Content-Language: %s\r\n", m->language);
    /* RFC 3834: no vacation responder should answer a portal's mail. */
    portal_buf_puts(&b, "Auto-Submitted: auto-generated\r\n");
    portal_buf_printf(&b, "Content-Type: multipart/alternative;\r\n boundary=\"%s\"\r\n\r\n",
                      boundary);
    part(&b, boundary, "text/plain", m->text);
    part(&b, boundary, "text/html", m->html);
    portal_buf_printf(&b, "--%s--\r\n", boundary);
    *len = b.len;
    return b.data;
}
