/* Content-Disposition (RFC 6266) for files mod_portal sends: what a browser
 * reads from it is the safe name, and nothing in it can end the header. */
#include "check.h"
#include "disposition.h"
#include "filename.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;   /* upper case only */
}

/* Reads h as a client would and checks it against the safe form of name:
 * printable ASCII only, a quoted fallback with no quote or backslash inside
 * and one character per character of the name, a filename* of attr-chars
 * and %XX that decodes to the safe name. */
static int well_formed(const char *h, const char *kind, const char *name)
{
    const char *safe = portal_filename_safe(pool, name);
    for (const unsigned char *c = (const unsigned char *)h; *c; c++)
        if (*c < 0x20 || *c > 0x7E)
            return 0;
    apr_size_t k = strlen(kind);
    if (strncmp(h, kind, k) != 0)
        return 0;
    h += k;
    if (!*safe)
        return *h == '\0';
    if (strncmp(h, "; filename=\"", 12) != 0)
        return 0;
    h += 12;
    const char *q = strchr(h, '"');
    if (!q || memchr(h, '\\', (apr_size_t)(q - h)) || memchr(h, '%', (apr_size_t)(q - h))
        || memchr(h, ';', (apr_size_t)(q - h)))
        return 0;
    apr_size_t chars = 0;
    for (const char *c = safe; *c; c++)
        chars += ((unsigned char)*c & 0xC0) != 0x80;
    if ((apr_size_t)(q - h) != chars)
        return 0;
    h = q + 1;
    if (strncmp(h, "; filename*=UTF-8''", 19) != 0)
        return 0;
    h += 19;
    char *dec = apr_palloc(pool, strlen(h) + 1), *d = dec;
    for (; *h; h++) {
        if (*h == '%') {
            int hi = hexval(h[1]), lo = hi < 0 ? -1 : hexval(h[2]);
            if (lo < 0)
                return 0;
            *d++ = (char)(hi * 16 + lo);
            h += 2;
        }
        else if (strchr("!#$&+-.^_`|~", *h) || (*h >= 'A' && *h <= 'Z')
                 || (*h >= 'a' && *h <= 'z') || (*h >= '0' && *h <= '9'))
            *d++ = *h;
        else
            return 0;
    }
    *d = '\0';
    return strcmp(dec, safe) == 0;
}

static void expect(const char *type, const char *name, const char *want, int line)
{
    const char *got = portal_content_disposition(pool, type, name);
    const char *kind = type && strcmp(type, "inline") == 0 ? "inline" : "attachment";
    int ok = CHECK_STR(got, want);
    ok &= CHECK(well_formed(got, kind, name));
    if (!ok)
        fprintf(stderr, "  (case at line %d)\n", line);
}
#define CD(type, name, want) expect(type, name, want, __LINE__)

static void test_names(void)
{
    CD("attachment", "report.pdf",
       "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    CD("inline", "screen shot.png",
       "inline; filename=\"screen shot.png\"; filename*=UTF-8''screen%20shot.png");
    /* Issue 12: nothing of the name can end the header or its quotes. */
    CD("attachment", "evil\r\nSet-Cookie: x=1\";.txt",
       "attachment; filename=\"evil__Set-Cookie: x=1__.txt\"; "
       "filename*=UTF-8''evil__Set-Cookie%3A%20x%3D1_%3B.txt");
    CD("attachment", "a\"b\\c.txt",
       "attachment; filename=\"c.txt\"; filename*=UTF-8''c.txt");
    CD("attachment", "say \"hi\".txt",
       "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20_hi_.txt");
    CD("attachment", "C:\\dir\\x.txt", "attachment; filename=\"x.txt\"; filename*=UTF-8''x.txt");
    CD("attachment", "tab\there.txt",
       "attachment; filename=\"tab_here.txt\"; filename*=UTF-8''tab_here.txt");
    CD("attachment", "a;b=c; filename=evil.exe",
       "attachment; filename=\"a_b=c_ filename=evil.exe\"; "
       "filename*=UTF-8''a%3Bb%3Dc%3B%20filename%3Devil.exe");
    CD("attachment", "100% done.txt",
       "attachment; filename=\"100_ done.txt\"; filename*=UTF-8''100%25%20done.txt");
    CD("attachment", "%0D%0A.txt",
       "attachment; filename=\"_0D_0A.txt\"; filename*=UTF-8''%250D%250A.txt");
    CD("attachment", "it's (v2) [final] {x} <y> a,b @c ?d *e.txt",
       "attachment; filename=\"it's (v2) [final] {x} <y> a,b @c ?d *e.txt\"; "
       "filename*=UTF-8''it%27s%20%28v2%29%20%5Bfinal%5D%20%7Bx%7D%20%3Cy%3E%20a%2Cb%20%40c%20%3Fd%20%2Ae.txt");
    CD("attachment", "!#$&+-.^_`|~", "attachment; filename=\"!#$&+-.^_`|~\"; filename*=UTF-8''!#$&+-.^_`|~");
    /* Non-ASCII: filename* carries it, the fallback keeps what it can. */
    CD("attachment", "Hesab-faktur\xD0\xB0 \xE2\x84\x96" "5 \xC4\x9F\xC3\xBC\xC5\x9F\xC4\xB1\xC3\xB6\xC3\xA7.pdf",
       "attachment; filename=\"Hesab-faktur_ _5 gusioc.pdf\"; "
       "filename*=UTF-8''Hesab-faktur%D0%B0%20%E2%84%965%20%C4%9F%C3%BC%C5%9F%C4%B1%C3%B6%C3%A7.pdf");
    CD("attachment", "\xC3\x87\xC4\x9E\xC4\xB0\xC3\x96\xC5\x9E\xC3\x9C \xC6\x8F\xC9\x99.txt",
       "attachment; filename=\"CGIOSU Ee.txt\"; "
       "filename*=UTF-8''%C3%87%C4%9E%C4%B0%C3%96%C5%9E%C3%9C%20%C6%8F%C9%99.txt");
    CD("attachment", "\xD0\xA1\xD1\x87\xD1\x91\xD1\x82.pdf",
       "attachment; filename=\"____.pdf\"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82.pdf");
    CD("attachment", "invoice\xE2\x80\xAE" "fdp.exe",
       "attachment; filename=\"invoice_fdp.exe\"; filename*=UTF-8''invoice_fdp.exe");
    CD("attachment", "\xF0\x9F\x98\x80.png",
       "attachment; filename=\"_.png\"; filename*=UTF-8''%F0%9F%98%80.png");
    CD("attachment", "bad\xFF" "byte\xC3.txt",
       "attachment; filename=\"bad_byte_.txt\"; filename*=UTF-8''bad_byte_.txt");
    CD("attachment", "nel\xC2\x85.txt",
       "attachment; filename=\"nel_.txt\"; filename*=UTF-8''nel_.txt");
}

static void test_no_name(void)
{
    CD("attachment", "", "attachment");
    CD("attachment", NULL, "attachment");
    CD("inline", "..", "inline");
    CD("attachment", "dir/", "attachment");
    CD("attachment", "../.", "attachment");
}

static void test_type(void)
{
    /* Only "inline" is inline: the unknown is saved, never rendered. */
    CD(NULL, "a.txt", "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt");
    CD("INLINE", "a.txt", "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt");
    CD("inline\r\nX-Evil: 1", "a.txt", "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt");
    CD("", "a.txt", "attachment; filename=\"a.txt\"; filename*=UTF-8''a.txt");
}

static void test_long(void)
{
    char s[700];
    const char *h;

    /* 300 two-byte letters: cut to the safe name's 255 bytes first. */
    for (int i = 0; i < 300; i++)
        memcpy(s + 2 * i, "\xC4\x9F", 2);
    strcpy(s + 600, ".pdf");
    h = portal_content_disposition(pool, "attachment", s);
    CHECK(well_formed(h, "attachment", s));
    CHECK(strstr(h, "; filename=\"") != NULL);
    const char *fb = strstr(h, "filename=\"") + 10;
    CHECK(strncmp(fb + 125, ".pdf\"", 5) == 0 && strspn(fb, "g") == 125);
    CHECK(strlen(h) < 1100);

    /* Every byte value once, in a name: still one printable line. */
    for (int i = 1; i < 256; i++)
        s[i - 1] = (char)i;
    s[255] = '\0';
    h = portal_content_disposition(pool, "attachment", s);
    CHECK(well_formed(h, "attachment", s));
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_names();
    test_no_name();
    test_type();
    test_long();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("disposition");
}
