#include "disposition.h"
#include "filename.h"
#include "utf8.h"

#include <string.h>
#include <apr_strings.h>

/* The letters of Turkish and Azerbaijani (the portal's own languages in
 * Latin script) with their base letters: "Ödeme özeti.pdf" should reach an
 * old client as "Odeme ozeti.pdf", not "_deme _zeti.pdf". Cyrillic has no
 * one obvious spelling in ASCII; it becomes '_' like every other script. */
static const struct { unsigned long cp; char ascii; } folds[] = {
    { 0x00C2, 'A' }, { 0x00C7, 'C' }, { 0x00CE, 'I' }, { 0x00D6, 'O' },
    { 0x00DB, 'U' }, { 0x00DC, 'U' }, { 0x00E2, 'a' }, { 0x00E7, 'c' },
    { 0x00EE, 'i' }, { 0x00F6, 'o' }, { 0x00FB, 'u' }, { 0x00FC, 'u' },
    { 0x011E, 'G' }, { 0x011F, 'g' }, { 0x0130, 'I' }, { 0x0131, 'i' },
    { 0x015E, 'S' }, { 0x015F, 's' }, { 0x018F, 'E' }, { 0x0259, 'e' },
};

static char fallback_char(unsigned long cp)
{
    if (cp >= 0x20 && cp < 0x7F)
        return cp == '%' || cp == ';' || cp == '"' || cp == '\\' ? '_' : (char)cp;
    for (apr_size_t i = 0; i < sizeof(folds) / sizeof(folds[0]); i++)
        if (folds[i].cp == cp)
            return folds[i].ascii;
    return '_';
}

/* RFC 8187 attr-char: what filename* may carry without percent-encoding. */
static int attr_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || (c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL);
}

const char *portal_content_disposition(apr_pool_t *p, const char *type,
                                       const char *filename)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *kind = type && strcmp(type, "inline") == 0 ? "inline" : "attachment";
    const char *name = portal_filename_safe(p, filename);
    apr_size_t n = strlen(name), f = 0, e = 0;

    if (n == 0)
        return kind;
    /* At most one fallback byte and three encoded bytes per name byte. */
    char *fb = apr_palloc(p, n + 1), *enc = apr_palloc(p, 3 * n + 1);
    for (apr_size_t i = 0; i < n;) {
        unsigned long cp = '_';
        apr_size_t k = portal_utf8_decode(name + i, n - i, &cp);
        if (k == 0)
            k = 1;      /* cannot happen: a safe name is valid UTF-8 */
        fb[f++] = fallback_char(cp);
        for (apr_size_t j = i; j < i + k; j++) {
            unsigned char c = (unsigned char)name[j];
            if (attr_char(c))
                enc[e++] = (char)c;
            else {
                enc[e++] = '%';
                enc[e++] = hex[c >> 4];
                enc[e++] = hex[c & 15];
            }
        }
        i += k;
    }
    fb[f] = '\0';
    enc[e] = '\0';
    return apr_pstrcat(p, kind, "; filename=\"", fb, "\"; filename*=UTF-8''", enc, NULL);
}
