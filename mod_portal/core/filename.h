/* What a file name from outside becomes before mod_portal keeps or shows it.
 *
 * A name arrives in a form upload (filename= or RFC 5987 filename*=, which
 * can carry any byte percent-encoded) and later goes into Content-
 * Disposition headers, mail headers, admin pages, tickets and log lines.
 * portal_upload stores only names made by portal_filename_safe, and
 * portal_content_disposition passes whatever it is given through it again,
 * so a name stored before this rule existed is made safe on the way out.
 *
 * The contract is REPLACE, not refuse: a file's name is the one thing in a
 * form the visitor did not type and cannot easily change (it comes from
 * their disk, their mail client, their scanner), so a character we cannot
 * carry is no reason to lose the upload. The unsafe character becomes '_',
 * visibly, instead of vanishing: "invoice<U+202E>fdp.exe" must show as
 * "invoice_fdp.exe", not as a different-looking "invoicefdp.exe". */
#ifndef PORTAL_FILENAME_H
#define PORTAL_FILENAME_H

#include <apr_pools.h>

/* Bytes of a safe name: the common file-system limit (NAME_MAX). */
#define PORTAL_FILENAME_MAX 255
/* The longest ending (the last '.' and what follows) kept whole when a
 * name is cut; a longer one is not an extension but text after a dot. */
#define PORTAL_FILENAME_MAX_EXT 32

/* The safe form of raw, which may be any bytes (NULL is taken as ""):
 *  1. The basename: what follows the last '/' or '\'. Old browsers send
 *     "C:\dir\file.txt"; "../../etc/passwd" names "passwd", not a path.
 *  2. Each of these becomes one '_':
 *     - a byte that does not begin well-formed UTF-8;
 *     - every control character: C0 U+0000..U+001F (TAB, CR and LF
 *       included), DEL, C1 U+0080..U+009F (U+0085 is a line break too);
 *     - '"', which ends a quoted-string in every header;
 *     - Unicode format characters (category Cf): the bidi embeddings,
 *       overrides and isolates (U+202A..U+202E, U+2066..U+2069, LRM, RLM,
 *       ALM) that make a name read otherwise than it is, the zero-width
 *       and invisible ones (U+200B, U+2060..U+2064, U+FEFF, soft hyphen,
 *       tags U+E0000..U+E007F, ...), except ZWNJ U+200C and ZWJ U+200D,
 *       which Persian and Indic writing and emoji need and which reorder
 *       nothing;
 *     - the line and paragraph separators U+2028 and U+2029;
 *     - noncharacters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF).
 *  3. "." and ".." become "": they name directories, not files.
 *  4. A name over PORTAL_FILENAME_MAX bytes is cut at a character boundary
 *     to fit, keeping its extension (the last '.', not the first byte, and
 *     at most PORTAL_FILENAME_MAX_EXT bytes from it to the end).
 * Everything else is left as it is: letters of every script, spaces, and
 * ';', '%', '\'', which are ordinary in file names and which whoever puts
 * the name in a header quotes or encodes (portal_content_disposition).
 *
 * So the result is valid UTF-8 of at most PORTAL_FILENAME_MAX bytes with no
 * control character, no '"', '\' or '/'; "" when nothing is left (never
 * NULL); and portal_filename_safe of a safe name is that name. */
const char *portal_filename_safe(apr_pool_t *p, const char *raw);

#endif
