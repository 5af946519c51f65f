/* QR codes (Debian's libqrencode) drawn as one inline SVG element, for the
 * TOTP enrolment page. */
#ifndef PORTAL_QR_SVG_H
#define PORTAL_QR_SVG_H

#include <apr_pools.h>

/* text as a QR code (ECC level M, 8-bit mode, the smallest version that
 * holds it) in one <svg> element:
 *   <svg xmlns=... viewBox="0 0 S S" class="qr" role="img" ...>
 *   <title>TITLE</title><rect .../><path fill="#000" d="..."/></svg>
 * with a 4-module quiet zone (white rect beneath, so it scans on a dark
 * page), and one path made of the rows' runs of dark modules. The page may
 * write it unescaped: it is built only from the modules' coordinates and
 * the HTML-escaped title (NULL: "QR code"), with no script, no style
 * attribute (the portal's CSP forbids inline style) and nothing fetched.
 * Size it with CSS on the class "qr". NULL when text is NULL or too long
 * for a QR code. */
const char *portal_qr_svg(apr_pool_t *p, const char *text, const char *title);

#endif
