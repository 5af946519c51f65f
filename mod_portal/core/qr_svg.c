#include "qr_svg.h"
#include "buf.h"

#include <string.h>
#include <qrencode.h>

#define QUIET 4   /* modules of white around the code, as ISO/IEC 18004 asks */

const char *portal_qr_svg(apr_pool_t *p, const char *text, const char *title)
{
    if (!text)
        return NULL;
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    int w = qr->width, size = w + 2 * QUIET;
    portal_buf b;
    /* About 10 bytes a run, and a 29-module code has ~200 runs. */
    portal_buf_init(&b, p, 1024 + (apr_size_t)w * (apr_size_t)w * 3);
    portal_buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
                      " class=\"qr\" role=\"img\" shape-rendering=\"crispEdges\"><title>",
                      size, size);
    if (!title)
        title = "QR code";
    portal_buf_html_escape(&b, title, strlen(title));
    portal_buf_printf(&b, "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                      "<path fill=\"#000\" d=\"", size, size);
    for (int y = 0; y < w; y++) {
        const unsigned char *row = qr->data + (apr_size_t)y * (apr_size_t)w;
        for (int x = 0; x < w;) {
            if (!(row[x] & 1)) {   /* bit 0 of each module: 1 is dark */
                x++;
                continue;
            }
            int run = 1;
            while (x + run < w && (row[x + run] & 1))
                run++;
            /* A run is a 1-module-high rectangle: move, right, down, left, close. */
            portal_buf_printf(&b, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
            x += run;
        }
    }
    QRcode_free(qr);   /* libqrencode's own malloc: freed right after use */
    portal_buf_puts(&b, "\"/></svg>");
    return b.data;
}
