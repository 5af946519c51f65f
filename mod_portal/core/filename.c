#include "filename.h"
#include "utf8.h"

#include <string.h>
#include <apr_strings.h>

/* Code points replaced beyond the controls and '"': Unicode 15.1's format
 * characters (Cf) less ZWNJ and ZWJ, the line and paragraph separators and
 * the noncharacters of the BMP's block. Ascending, for a binary search. */
static const struct { unsigned long lo, hi; } unsafe_ranges[] = {
    { 0x00AD, 0x00AD },     /* soft hyphen */
    { 0x0600, 0x0605 },     /* Arabic number signs */
    { 0x061C, 0x061C },     /* ALM */
    { 0x06DD, 0x06DD },
    { 0x070F, 0x070F },
    { 0x0890, 0x0891 },
    { 0x08E2, 0x08E2 },
    { 0x180E, 0x180E },     /* Mongolian vowel separator */
    { 0x200B, 0x200B },     /* zero-width space */
    { 0x200E, 0x200F },     /* LRM, RLM */
    { 0x2028, 0x202E },     /* line/paragraph separators; LRE RLE PDF LRO RLO */
    { 0x2060, 0x2064 },     /* word joiner, invisible operators */
    { 0x2066, 0x206F },     /* isolates, deprecated format characters */
    { 0xFDD0, 0xFDEF },     /* noncharacters */
    { 0xFEFF, 0xFEFF },     /* BOM, zero-width no-break space */
    { 0xFFF9, 0xFFFB },     /* interlinear annotation */
    { 0x110BD, 0x110BD },
    { 0x110CD, 0x110CD },
    { 0x13430, 0x1343F },   /* Egyptian hieroglyph format controls */
    { 0x1BCA0, 0x1BCA3 },   /* shorthand format controls */
    { 0x1D173, 0x1D17A },   /* musical symbol format controls */
    { 0xE0001, 0xE0001 },   /* language tag */
    { 0xE0020, 0xE007F },   /* tags: invisible ASCII */
};

static int unsafe(unsigned long cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == '"')
        return 1;
    if ((cp & 0xFFFE) == 0xFFFE)
        return 1;           /* U+xxFFFE, U+xxFFFF */
    apr_size_t lo = 0, hi = sizeof(unsafe_ranges) / sizeof(unsafe_ranges[0]);
    while (lo < hi) {
        apr_size_t mid = (lo + hi) / 2;
        if (cp < unsafe_ranges[mid].lo)
            hi = mid;
        else if (cp > unsafe_ranges[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* Cuts s (n bytes of valid UTF-8, n > PORTAL_FILENAME_MAX) to fit, keeping
 * its extension; s has room for n + 1 bytes. */
static void cut(char *s, apr_size_t n)
{
    const char *dot = strrchr(s, '.');
    apr_size_t ext = dot && dot > s && (apr_size_t)(s + n - dot) <= PORTAL_FILENAME_MAX_EXT
                   ? (apr_size_t)(s + n - dot) : 0;
    apr_size_t stem = PORTAL_FILENAME_MAX - ext;

    /* Back to the first byte of the character the cut would split. */
    while (stem > 0 && ((unsigned char)s[stem] & 0xC0) == 0x80)
        stem--;
    memmove(s + stem, s + n - ext, ext);
    s[stem + ext] = '\0';
}

const char *portal_filename_safe(apr_pool_t *p, const char *raw)
{
    const char *base = raw ? raw : "";
    for (const char *c = base; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;

    /* Every replacement is one byte for one or more: out never grows. */
    apr_size_t len = strlen(base), n = 0;
    char *out = apr_palloc(p, len + 1);
    for (apr_size_t i = 0; i < len;) {
        unsigned long cp = 0;
        apr_size_t k = portal_utf8_decode(base + i, len - i, &cp);
        if (k == 0 || unsafe(cp)) {
            out[n++] = '_';
            i += k ? k : 1;
        }
        else {
            memcpy(out + n, base + i, k);
            n += k;
            i += k;
        }
    }
    out[n] = '\0';
    if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        return "";
    if (n > PORTAL_FILENAME_MAX)
        cut(out, n);
    return out;
}
