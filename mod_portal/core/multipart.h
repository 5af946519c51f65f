/* A streaming multipart/form-data parser (RFC 7578, RFC 2046 §5.1).
 *
 * Fed the request body in chunks of any size (a delimiter may be split
 * across any two feeds, down to one byte per feed), it calls back once per
 * part with its headers, then with its data in pieces, then at its end.
 * Memory is one header buffer of PORTAL_MULTIPART_MAX_HEADER bytes plus the
 * current part's header strings, whatever the size of the parts.
 *
 * What it accepts:
 *  - The body is preamble, delimiters "--boundary", parts, close delimiter
 *    "--boundary--", epilogue. Preamble and epilogue are ignored; the first
 *    delimiter may open the body or follow a CRLF.
 *  - Lines end in CRLF; a delimiter line may carry trailing spaces/tabs
 *    (transport padding). A line that starts with the delimiter and goes on
 *    with anything else ("--boundaryX") is refused as "malformed".
 *  - Each part's header block (up to the empty line) is at most
 *    PORTAL_MULTIPART_MAX_HEADER bytes; a body holds at most
 *    PORTAL_MULTIPART_MAX_PARTS parts. Header lines are "Name: value",
 *    names are tokens matched case-insensitively, no obs-fold continuation
 *    lines, no control characters other than TAB, valid UTF-8.
 *  - Every part has exactly one Content-Disposition: form-data with a
 *    "name" parameter; "filename" makes it a file part. Parameter values are
 *    tokens or quoted strings; inside quotes \" and \\ are escapes and a
 *    backslash before any other character stays literal (old browsers send
 *    "C:\dir\file.txt" unescaped). Browsers' percent-encoding of '"', CR, LF
 *    (%22 %0D %0A) is not undone. filename*=UTF-8''pct-encoded (RFC 5987)
 *    is ACCEPTED and takes precedence over filename; any other charset is
 *    "malformed". Parameters other than these three are ignored; repeated
 *    ones are "malformed".
 *  - The file name is handed over AS SENT, not safe: escapes and percent-
 *    encoding undone, path and all ("C:\dir\f.txt", "../x"). It is valid
 *    UTF-8 with no NUL, and may hold every other character: a TAB or '"'
 *    from filename=, and from filename* anything at all, CR, LF, DEL, C1
 *    controls, U+202E. Never store or show it as it is: portal_upload,
 *    which every area's upload goes through, takes its basename and makes
 *    it safe (filename.h).
 *  - Content-Type is handed over as written (trimmed); other headers
 *    (Content-Transfer-Encoding, ...) are ignored.
 *
 * Error codes (portal_multipart_error): "malformed" (also for a raw control
 * byte other than TAB in a header line, whatever parameter holds it),
 * "header_too_large", "too_many_parts", "bad_utf8" (a part header that is
 * not UTF-8, or a filename* that decodes to invalid UTF-8 or holds a NUL),
 * or what a callback set with portal_multipart_set_error ("callback" if it
 * set nothing). */
#ifndef PORTAL_MULTIPART_H
#define PORTAL_MULTIPART_H

#include <apr_pools.h>

#define PORTAL_MULTIPART_MAX_HEADER 8192
#define PORTAL_MULTIPART_MAX_PARTS 100

typedef struct {
    /* name is never NULL (it may be ""); filename is NULL for a plain field
     * and may be "" (an empty file input), else the raw name (above);
     * content_type is the client's claim as written, NULL if absent.
     * The strings live until the next part begins: copy what you keep. */
    apr_status_t (*part_begin)(void *baton, const char *name,
                               const char *filename, const char *content_type);
    /* Called with len > 0 only. */
    apr_status_t (*part_data)(void *baton, const char *data, apr_size_t len);
    /* Called once the line of the delimiter after the part is complete
     * (its CRLF, or the "--" of the close delimiter, has been seen); never
     * for a part cut short by an error or a truncated body. */
    apr_status_t (*part_end)(void *baton);
} portal_multipart_callbacks;

typedef struct portal_multipart portal_multipart;

/* Extracts the boundary from a Content-Type header value. Returns
 * APR_EINVAL unless the media type is multipart/form-data (any case) with
 * exactly one boundary parameter of 1..70 RFC 2046 bchars (a space only
 * inside quotes and not last), quoted or not. *boundary is a copy in p. */
apr_status_t portal_multipart_boundary(apr_pool_t *p,
                                       const char *content_type_header,
                                       const char **boundary);

/* A parser allocating from p (and a subpool of it). Any callback may be
 * NULL. Returns NULL if boundary is not 1..70 bchars. */
portal_multipart *portal_multipart_make(apr_pool_t *p, const char *boundary,
                                        const portal_multipart_callbacks *cb,
                                        void *baton);

/* Consumes data[0..len). Returns APR_SUCCESS, APR_EINVAL on malformed input,
 * or the status a callback returned; after a failure every further feed and
 * finish returns the same status. Data after the close delimiter is
 * ignored. */
apr_status_t portal_multipart_feed(portal_multipart *m, const char *data,
                                   apr_size_t len);

/* APR_SUCCESS if the close delimiter was seen; APR_EINVAL ("malformed") for
 * a truncated body; or the earlier failure. */
apr_status_t portal_multipart_finish(portal_multipart *m);

/* NULL while all is well, else the stable code of the first failure. */
const char *portal_multipart_error(const portal_multipart *m);

/* For a callback (which keeps m in its baton) about to fail: the code that
 * portal_multipart_error will report. The first code set wins. */
void portal_multipart_set_error(portal_multipart *m, const char *code);

#endif
