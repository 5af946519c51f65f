/* Prints portal_qr_svg(TEXT, TITLE) to stdout, for tests/integration/
 * test_qr_decode.py to render and read back with a real QR reader.
 *
 *   qr_svg_render TEXT [TITLE]
 *
 * Status 1 when portal_qr_svg returns NULL. */
#include <stdio.h>
#include <apr_general.h>
#include "qr_svg.h"

int main(int argc, char **argv)
{
    apr_pool_t *p;
    if (argc < 2) {
        fprintf(stderr, "usage: qr_svg_render TEXT [TITLE]\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&p, NULL);
    const char *svg = portal_qr_svg(p, argv[1], argc > 2 ? argv[2] : NULL);
    if (svg)
        fputs(svg, stdout);
    apr_pool_destroy(p);
    apr_terminate();
    return svg ? 0 : 1;
}
