#include "utf8.h"

#include <string.h>
#include <apr_strings.h>

/* Length of the well-formed sequence at s[i..n), 0 if there is none.
 * *cp receives the decoded code point. Table 3-7 of the Unicode Standard. */
static apr_size_t sequence(const unsigned char *s, apr_size_t i, apr_size_t n,
                           unsigned long *cp)
{
    unsigned c = s[i];
    unsigned lo = 0x80, hi = 0xBF;
    apr_size_t len;
    unsigned long v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;          /* overlong */
        else if (c == 0xED)
            hi = 0x9F;          /* surrogates */
    }
    else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;          /* overlong */
        else if (c == 0xF4)
            hi = 0x8F;          /* above U+10FFFF */
    }
    else
        return 0;               /* continuation byte, C0, C1, F5..FF */

    if (n - i < len)
        return 0;
    for (apr_size_t k = 1; k < len; k++) {
        unsigned b = s[i + k];
        if (b < lo || b > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return len;
}

int portal_utf8_valid(const char *s, apr_size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;
    unsigned long cp;

    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        apr_size_t len = sequence(u, i, n, &cp);
        if (len == 0)
            return 0;
        i += len;
    }
    return 1;
}

int portal_text_valid(const char *s, apr_size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    apr_size_t i = 0;
    unsigned long cp;

    while (i < n) {
        apr_size_t len = sequence(u, i, n, &cp);
        if (len == 0)
            return 0;
        if ((cp < 0x20 && cp != '\t' && cp != '\r' && cp != '\n')
            || (cp >= 0x7F && cp <= 0x9F))
            return 0;
        i += len;
    }
    return 1;
}

apr_size_t portal_utf8_decode(const char *s, apr_size_t n, unsigned long *cp)
{
    return n ? sequence((const unsigned char *)s, 0, n, cp) : 0;
}

int portal_is_tchar(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

const char *portal_text_trim(apr_pool_t *p, const char *s)
{
    if (!s)
        return "";
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    apr_size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'
                     || s[n - 1] == '\n'))
        n--;
    return apr_pstrmemdup(p, s, n);
}
