/* The Content-Disposition header of every response that carries a file
 * (RFC 6266): downloads, attachments of tickets and contact messages,
 * exports. Built here and nowhere else, so that no area writes a file name
 * into a header by hand. Plain data and a pool, no httpd. */
#ifndef PORTAL_DISPOSITION_H
#define PORTAL_DISPOSITION_H

#include <apr_pools.h>

/* The header value, allocated in p:
 *
 *   attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded
 *
 * type "inline" gives inline; anything else (NULL included) gives
 * attachment, the choice that never lets a browser render a file it was
 * only meant to save.
 *
 * filename may be any bytes (NULL is ""): a name from a form, a row stored
 * before names were made safe, an admin's release name. It goes through
 * portal_filename_safe first; the two parameters carry that safe name:
 *  - filename* (RFC 8187, which modern browsers use): its UTF-8 with every
 *    byte outside RFC 8187's attr-char (ALPHA DIGIT !#$&+-.^_`|~)
 *    percent-encoded as %XX, upper-case hex; it decodes to the safe name
 *    exactly.
 *  - filename, for clients that know only RFC 2616: a quoted-string of
 *    printable ASCII, one character for each character of the name. Turkish
 *    and Azerbaijani letters lose their marks (ç ğ ı İ ö ş ü ə: c g i I o s
 *    u e); every other non-ASCII character becomes '_', and so do '%' (some
 *    browsers percent-decode this parameter, which would bring back what
 *    filename* encoded) and ';' (for parsers that split the header on ';'
 *    without minding quotes). '"' and '\' cannot occur in a safe name, so
 *    the string needs no escapes.
 * When the safe name is "" (no name, "dir/", ".."), the value is the type
 * alone and the client picks a name.
 *
 * The value never holds a control character, a byte over 0x7E or a line
 * break: it is as safe in a mail header as in an HTTP one. */
const char *portal_content_disposition(apr_pool_t *p, const char *type,
                                       const char *filename);

#endif
