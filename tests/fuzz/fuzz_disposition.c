/* libFuzzer target: portal_filename_safe and portal_content_disposition.
 *
 * Input: byte 0 picks the type ("attachment", "inline", NULL, or a bad
 * one), the rest up to the first NUL is the file name, any bytes at all.
 * Checks, without trusting the code under test:
 *  - the safe name is valid UTF-8 of at most PORTAL_FILENAME_MAX bytes with
 *    no control character (C0, DEL, C1), no '"', '\', '/', no U+202E,
 *    U+2028, U+FEFF, and is not "." or ".."; it is its own safe form; and a
 *    short plain ASCII name is left exactly as it was;
 *  - the header value holds only bytes 0x20..0x7E; it is the type alone
 *    when the safe name is "", else type; filename="Q"; filename*=UTF-8''E
 *    where Q is a valid quoted-string with no escapes (no '"' or '\'
 *    inside), no '%' or ';', one character per character of the safe name
 *    (the same character where that is printable ASCII other than '%' and
 *    ';'), and E is attr-chars and upper-case %XX only, percent-encoding
 *    exactly the bytes that are not attr-chars, and decodes to the safe
 *    name. */
#include "disposition.h"
#include "filename.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>

static int attr_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_safe(apr_pool_t *p, const char *raw, const char *safe)
{
    apr_size_t n = strlen(safe);
    if (n > PORTAL_FILENAME_MAX || !portal_utf8_valid(safe, n)
        || !portal_text_valid(safe, n) || strpbrk(safe, "\t\r\n\"\\/")
        || strstr(safe, "\xE2\x80\xAE") || strstr(safe, "\xE2\x80\xA8")
        || strstr(safe, "\xEF\xBB\xBF") || strcmp(safe, ".") == 0 || strcmp(safe, "..") == 0)
        abort();
    if (strcmp(portal_filename_safe(p, safe), safe) != 0)
        abort();        /* idempotent */
    /* Nothing to change: nothing changed. */
    apr_size_t rn = strlen(raw);
    int plain = rn <= PORTAL_FILENAME_MAX && strcmp(raw, ".") != 0 && strcmp(raw, "..") != 0;
    for (apr_size_t i = 0; i < rn && plain; i++)
        if ((unsigned char)raw[i] < 0x20 || (unsigned char)raw[i] > 0x7E
            || strchr("\"\\/", raw[i]))
            plain = 0;
    if (plain && strcmp(raw, safe) != 0)
        abort();
}

static void check_header(apr_pool_t *p, const char *h, const char *kind, const char *safe)
{
    for (const unsigned char *c = (const unsigned char *)h; *c; c++)
        if (*c < 0x20 || *c > 0x7E)
            abort();
    apr_size_t k = strlen(kind);
    if (strncmp(h, kind, k) != 0)
        abort();
    h += k;
    if (!*safe) {
        if (*h)
            abort();
        return;
    }
    if (strncmp(h, "; filename=\"", 12) != 0)
        abort();
    h += 12;
    /* The fallback, character by character against the safe name. */
    const char *s = safe;
    while (*s) {
        unsigned long cp;
        apr_size_t len = portal_utf8_decode(s, strlen(s), &cp);
        if (len == 0 || *h == '"' || *h == '\\' || *h == '%' || *h == ';' || *h == '\0')
            abort();
        if (cp >= 0x20 && cp < 0x7F && cp != '%' && cp != ';' && (unsigned long)*h != cp)
            abort();
        h++;
        s += len;
    }
    if (strncmp(h, "\"; filename*=UTF-8''", 20) != 0)
        abort();
    h += 20;
    char *dec = apr_palloc(p, strlen(h) + 1);
    apr_size_t d = 0;
    for (; *h; h++) {
        if (*h == '%') {
            int hi = hexval(h[1]), lo = hi < 0 ? -1 : hexval(h[2]);
            if (lo < 0 || attr_char((unsigned char)(hi * 16 + lo)))
                abort();    /* not %XX, or encoded what needs no encoding */
            dec[d++] = (char)(hi * 16 + lo);
            h += 2;
        }
        else if (attr_char((unsigned char)*h))
            dec[d++] = *h;
        else
            abort();
    }
    dec[d] = '\0';
    if (d != strlen(safe) || memcmp(dec, safe, d) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const types[] = { "attachment", "inline", NULL, "INLINE\r\n" };
    static int initialized;
    apr_pool_t *p;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    if (size < 1)
        return 0;
    apr_pool_create(&p, NULL);
    const char *type = types[data[0] & 3];
    const char *raw = apr_pstrmemdup(p, (const char *)data + 1, size - 1);  /* to the first NUL */
    const char *safe = portal_filename_safe(p, raw);
    check_safe(p, raw, safe);
    const char *kind = type && strcmp(type, "inline") == 0 ? "inline" : "attachment";
    check_header(p, portal_content_disposition(p, type, raw), kind, safe);
    apr_pool_destroy(p);
    return 0;
}
