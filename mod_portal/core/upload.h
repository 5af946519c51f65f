/* The collector for multipart/form-data posts: text fields into a table,
 * file parts streamed to temporary files with their SHA-256, every limit
 * enforced while the bytes arrive. Built on portal_multipart. Every area's
 * upload passes through here, so this is where a file's name is made safe
 * (filename.h) and its claimed type is kept apart from anything trusted. */
#ifndef PORTAL_UPLOAD_H
#define PORTAL_UPLOAD_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_file_io.h>

typedef struct {
    apr_size_t max_field;      /* bytes of one text field, e.g. 64 KiB */
    apr_size_t max_fields;     /* bytes of all text field values together */
    apr_off_t  max_file;       /* bytes of one file */
    apr_off_t  max_total;      /* bytes of all files */
    int        max_files;      /* file parts (empty file inputs not counted) */
    const char *tmp_dir;       /* where file parts are streamed (exists; the caller made it) */
} portal_upload_limits;        /* every limit is hard: 0 allows nothing */

typedef struct {
    const char *field;
    /* The name the client gave, made safe by portal_filename_safe: its
     * basename, every control character, '"', bidi or invisible format
     * character replaced by '_', at most PORTAL_FILENAME_MAX bytes with its
     * extension kept, never "" (see filename.h). Fit to store, to show
     * escaped, and for portal_content_disposition; still the client's
     * choice of words, so never a path: files are stored under ids. */
    const char *filename;
    /* The part's Content-Type header as the client wrote it, or NULL: a
     * CLAIM, not a fact. A browser guesses it from the name's extension,
     * anyone else writes what they like. Never store it, serve it or decide
     * on it: a file's type comes from its bytes (as the contact form's
     * rules do, contact_rules.c), and downloads send the type mod_portal
     * decided. Named so that every use reads as what it is. */
    const char *claimed_type;
    const char *path;          /* temporary file while the request lives */
    apr_off_t size;
    char sha256_hex[65];       /* lower-case */
} portal_upload_file;

typedef struct {
    apr_table_t *fields;       /* text parts, validated with portal_text_valid */
    apr_array_header_t *files; /* of portal_upload_file; a file input left empty (filename "" and no bytes) is skipped */
} portal_upload;

typedef struct portal_upload_sink portal_upload_sink;

/* A collector allocating from p. Registers a cleanup on p that removes every
 * temporary file not passed to portal_upload_keep. Returns NULL if boundary
 * is invalid (see portal_multipart_make) or lim or lim->tmp_dir is NULL. */
portal_upload_sink *portal_upload_make(apr_pool_t *p, const char *boundary,
                                       const portal_upload_limits *lim);

/* Consumes the next piece of the body. On failure (see portal_upload_error)
 * every temporary file is removed at once and every later call returns the
 * same status. */
apr_status_t portal_upload_feed(portal_upload_sink *s, const char *data,
                                apr_size_t len);

/* Ends the body: APR_SUCCESS and *out (allocated in p) if the close
 * delimiter was seen; else the failure (a truncated body is "malformed"),
 * *out NULL and no temporary file left. */
apr_status_t portal_upload_finish(portal_upload_sink *s, portal_upload **out);

/* NULL while all is well, else the stable code of the failure:
 *   "too_large"        a limit of portal_upload_limits was passed
 *   "malformed"        broken multipart syntax, a truncated body, or a file
 *                      name that is empty (with bytes), or is empty, "." or
 *                      ".." once reduced to its basename ("dir/", "x/..")
 *   "bad_utf8"         a field name, field value or part header that is not
 *                      valid text (portal_text_valid), or a file name that is
 *                      not UTF-8 or holds a NUL (filename*=UTF-8''a%00b).
 *                      Any other character in a file name is not refused
 *                      but replaced (portal_upload_file.filename).
 *   "too_many_parts"   more than PORTAL_MULTIPART_MAX_PARTS parts
 *   "header_too_large" a part header block over PORTAL_MULTIPART_MAX_HEADER
 *   "storage"          a temporary file could not be created or written
 *                      (the status returned says why: ENOSPC, EACCES, ...) */
const char *portal_upload_error(const portal_upload_sink *s);

/* Renames f's temporary file to dest_path (same filesystem: rename(2)) and
 * makes the cleanup forget it; f->path becomes a copy of dest_path in p.
 * f must be an element of the files array portal_upload_finish returned.
 * On failure the file stays temporary (and is removed with the pool). */
apr_status_t portal_upload_keep(portal_upload_file *f, const char *dest_path,
                                apr_pool_t *p);

/* Removes, now, every temporary file not kept (the pool cleanup would do it
 * only after the response): a refused form leaves nothing behind even
 * before its answer reaches the client. */
void portal_upload_discard(portal_upload_sink *s);

#endif
