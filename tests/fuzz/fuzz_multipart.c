/* libFuzzer target: the multipart parser and the upload sink.
 *
 * Input: byte 0 bounds the chunk size (1..64), byte 1 seeds the chunk
 * sizes, the rest is the body (boundary "fuzzB"). Checks that
 *  - chunked feeding gives the same events and outcome as one feed;
 *  - the upload sink, fed the same chunks, writes files whose sizes on disk
 *    match, whose names are safe (filename.h), and leaves tmp_dir empty
 *    once its pool is gone (or at once when it fails).
 * Also runs portal_multipart_boundary on the body's first line. */
#include "multipart.h"
#include "upload.h"
#include "buf.h"
#include "filename.h"
#include "utf8.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_strings.h>

#define BOUNDARY "fuzzB"

static char tmp_dir[] = "/tmp/portal-fuzz-multipart-XXXXXX";

static void remove_tmp_dir(void)
{
    rmdir(tmp_dir);
}

static int dir_entries(void)
{
    DIR *d = opendir(tmp_dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        abort();
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* A stored file name is safe (filename.h): not empty, no separator, no
 * control character or quote, not too long, and its own safe form. */
static int safe_name(apr_pool_t *p, const char *name)
{
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7F || *c == '"' || *c == '/' || *c == '\\')
            return 0;
    return *name && strlen(name) <= PORTAL_FILENAME_MAX
        && portal_text_valid(name, strlen(name))
        && strcmp(portal_filename_safe(p, name), name) == 0;
}

typedef struct {
    portal_buf log;
} recorder;

static apr_status_t rec_begin(void *baton, const char *name,
                              const char *filename, const char *ct)
{
    recorder *r = baton;
    if (!name)
        abort();
    portal_buf_printf(&r->log, "{B:%s|%s|%s}", name, filename ? filename : "(none)",
                      ct ? ct : "(none)");
    return APR_SUCCESS;
}

static apr_status_t rec_data(void *baton, const char *data, apr_size_t len)
{
    recorder *r = baton;
    if (len == 0)
        abort();
    portal_buf_append(&r->log, data, len);
    return APR_SUCCESS;
}

static apr_status_t rec_end(void *baton)
{
    portal_buf_puts(&((recorder *)baton)->log, "{E}");
    return APR_SUCCESS;
}

static const portal_multipart_callbacks cb = { rec_begin, rec_data, rec_end };

/* Chunk sizes: a small LCG seeded by the input. */
typedef struct {
    unsigned state, max;
} chunker;

static apr_size_t next_chunk(chunker *c)
{
    c->state = c->state * 1103515245u + 12345u;
    return 1 + (c->state >> 16) % c->max;
}

typedef struct {
    apr_status_t feed, finish;
    const char *error;
} outcome;

static outcome parse(apr_pool_t *p, const char *body, apr_size_t len,
                     chunker *c, recorder *r)
{
    outcome o = { APR_SUCCESS, APR_SUCCESS, NULL };
    portal_multipart *m = portal_multipart_make(p, BOUNDARY, &cb, r);
    portal_buf_init(&r->log, p, 256);
    for (apr_size_t at = 0; at < len && o.feed == APR_SUCCESS;) {
        apr_size_t n = c ? next_chunk(c) : len;
        if (n > len - at)
            n = len - at;
        o.feed = portal_multipart_feed(m, body + at, n);
        at += n;
    }
    o.finish = portal_multipart_finish(m);
    o.error = portal_multipart_error(m);
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *p;

    if (!initialized) {
        apr_initialize();
        if (!mkdtemp(tmp_dir))
            abort();
        atexit(remove_tmp_dir);
        initialized = 1;
    }
    if (size < 2)
        return 0;
    const char *body = (const char *)data + 2;
    apr_size_t len = size - 2;
    chunker c = { data[1], 1u + (data[0] & 63u) };
    apr_pool_create(&p, NULL);

    /* One feed and chunked feeds agree. */
    recorder whole, chunked;
    outcome a = parse(p, body, len, NULL, &whole);
    outcome b = parse(p, body, len, &c, &chunked);
    if (a.feed != b.feed || a.finish != b.finish
        || (a.error == NULL) != (b.error == NULL)
        || (a.error && strcmp(a.error, b.error) != 0)
        || whole.log.len != chunked.log.len
        || memcmp(whole.log.data, chunked.log.data, whole.log.len) != 0)
        abort();
    if ((a.feed == APR_SUCCESS && a.finish == APR_SUCCESS) != (a.error == NULL))
        abort();

    /* The upload sink on the same chunks. */
    apr_pool_t *up;
    apr_pool_create(&up, p);
    portal_upload_limits lim = { 300, 600, 400, 700, 3, tmp_dir };
    portal_upload_sink *s = portal_upload_make(up, BOUNDARY, &lim);
    portal_upload *u = NULL;
    apr_status_t rv = APR_SUCCESS;
    c.state = data[1];
    for (apr_size_t at = 0; at < len && rv == APR_SUCCESS;) {
        apr_size_t n = next_chunk(&c);
        if (n > len - at)
            n = len - at;
        rv = portal_upload_feed(s, body + at, n);
        at += n;
    }
    if (rv == APR_SUCCESS)
        rv = portal_upload_finish(s, &u);
    if (rv == APR_SUCCESS) {
        if (!u || portal_upload_error(s) != NULL || a.error != NULL)
            abort();    /* the sink is stricter than the parser, never looser */
        if (u->files->nelts > lim.max_files || dir_entries() != u->files->nelts)
            abort();
        apr_off_t total = 0;
        for (int i = 0; i < u->files->nelts; i++) {
            portal_upload_file *f = &APR_ARRAY_IDX(u->files, i, portal_upload_file);
            struct stat st;
            if (stat(f->path, &st) != 0 || st.st_size != f->size
                || f->size > lim.max_file || (st.st_mode & 0777) != 0600
                || strlen(f->sha256_hex) != 64 || !safe_name(p, f->filename))
                abort();
            total += f->size;
        }
        if (total > lim.max_total)
            abort();
    }
    else {
        if (u != NULL || portal_upload_error(s) == NULL || dir_entries() != 0)
            abort();
    }
    apr_pool_destroy(up);
    if (dir_entries() != 0)
        abort();

    /* The first line as a Content-Type header. */
    const char *nl = memchr(body, '\n', len);
    const char *ct = apr_pstrmemdup(p, body, nl ? (apr_size_t)(nl - body) : len);
    const char *bd;
    if (portal_multipart_boundary(p, ct, &bd) == APR_SUCCESS) {
        apr_size_t n = strlen(bd);
        if (n < 1 || n > 70 || !portal_multipart_make(p, bd, NULL, NULL))
            abort();
    }
    apr_pool_destroy(p);
    return 0;
}
