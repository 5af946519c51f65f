/* The QR code as inline SVG: one element, nothing active or fetched, the
 * title escaped, and a path that paints exactly libqrencode's dark modules
 * (read back from the path and compared module by module). Decoding the
 * image with a real reader is tests/integration/test_qr_decode.py. */
#include "check.h"
#include "qr_svg.h"

#include <stdlib.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <qrencode.h>

static apr_pool_t *pool;

static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Paints the path's "MX Yh N v1h-Nz" runs into grid[size*size]; 0 if the
 * path holds anything else or leaves the picture. */
static int paint(const char *d, int size, unsigned char *grid)
{
    while (*d && *d != '"') {
        int x, y, n, n2, used = 0;
        if (sscanf(d, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used) != 4 || used == 0
            || n != n2 || n < 1 || x < 0 || y < 0 || x + n > size || y >= size)
            return 0;
        for (int i = 0; i < n; i++) {
            if (grid[y * size + x + i])
                return 0;    /* runs never overlap */
            grid[y * size + x + i] = 1;
        }
        d += used;
    }
    return *d == '"';
}

static void test_modules(const char *text)
{
    const char *svg = portal_qr_svg(pool, text, "Scan me");
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!CHECK(svg != NULL) || !CHECK(qr != NULL)) {
        QRcode_free(qr);
        return;
    }
    int w = qr->width, size = w + 8;
    char vb[64];
    snprintf(vb, sizeof(vb), "viewBox=\"0 0 %d %d\"", size, size);
    CHECK(strstr(svg, vb) != NULL);
    const char *d = strstr(svg, " d=\"");
    unsigned char *grid = apr_pcalloc(pool, (apr_size_t)(size * size));
    CHECK(d && paint(d + 4, size, grid));
    int same = 1, quiet = 1;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
            int in = x >= 4 && y >= 4 && x < w + 4 && y < w + 4;
            int dark = in && (qr->data[(y - 4) * w + (x - 4)] & 1);
            same &= grid[y * size + x] == dark;
            quiet &= in || !grid[y * size + x];
        }
    CHECK(same);
    CHECK(quiet);   /* 4 white modules all round */
    QRcode_free(qr);
}

static void test_shape(void)
{
    const char *svg = portal_qr_svg(pool,
        "otpauth://totp/Acme%20ERP:ana%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20ERP"
        "&algorithm=SHA1&digits=6&period=30", "Scan with your <authenticator> & \"app\"");
    if (!CHECK(svg != NULL))
        return;
    CHECK(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 53) == 0);
    CHECK(strcmp(svg + strlen(svg) - 6, "</svg>") == 0);
    CHECK_INT(count(svg, "<svg"), 1);
    CHECK_INT(count(svg, "</svg>"), 1);
    CHECK_INT(count(svg, "<path"), 1);
    CHECK_INT(count(svg, "<title>"), 1);
    CHECK(strstr(svg, "role=\"img\"") != NULL);
    CHECK(strstr(svg, "<title>Scan with your &lt;authenticator&gt; &amp; &quot;app&quot;"
                      "</title>") != NULL);
    /* Nothing the CSP forbids or the page could be made to run or fetch. */
    CHECK(strstr(svg, "<script") == NULL);
    CHECK(strstr(svg, "style") == NULL);
    CHECK(strstr(svg, "href") == NULL);
    CHECK(strstr(svg, " on") == NULL);
    CHECK(strstr(svg, "url(") == NULL);
    /* The encoded text is nowhere in the markup: only coordinates. */
    CHECK(strstr(svg, "otpauth") == NULL && strstr(svg, "JBSWY3DP") == NULL);
    /* Every character after the title is from the fixed markup or the path. */
    const char *after = strstr(svg, "</title>") + 8;
    CHECK(strspn(after, "<>/=\" #0123456789Mhvzfilrectwdgpas-") == strlen(after));
    printf("qr_svg: an otpauth URI is %zu bytes of SVG\n", strlen(svg));

    CHECK(strstr(portal_qr_svg(pool, "x", NULL), "<title>QR code</title>") != NULL);
}

static void test_limits(void)
{
    CHECK(portal_qr_svg(pool, NULL, "t") == NULL);
    /* Beyond version 40 at level M (2,331 bytes): no code, no crash. */
    char *big = apr_palloc(pool, 3001);
    memset(big, 'a', 3000);
    big[3000] = '\0';
    CHECK(portal_qr_svg(pool, big, "t") == NULL);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_shape();
    test_modules("otpauth://totp/Acme:ana%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme");
    test_modules("x");
    test_modules("\xC5\x9E\x69rk\xC9\x99t \xD0\x96 8-bit text");
    test_limits();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("qr_svg");
}
