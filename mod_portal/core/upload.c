#include "upload.h"
#include "multipart.h"
#include "filename.h"
#include "utf8.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/evp.h>

enum { K_NONE, K_FIELD, K_FILE, K_EMPTY_FILE };

/* A temporary file this sink made: removed by the cleanup unless kept. */
typedef struct {
    const char *tmp;    /* NULL once removed */
    int idx;            /* index in files, -1 while being written */
} tracked;

struct portal_upload_sink {
    apr_pool_t *pool;
    portal_upload_limits lim;
    portal_multipart *mp;
    portal_upload *up;
    apr_array_header_t *tracked;
    EVP_MD_CTX *md;
    apr_size_t fields_total;
    apr_off_t files_total;
    int nfiles;
    /* the current part */
    int kind;
    const char *field_name;
    char *fbuf;
    apr_size_t flen, fcap;
    portal_upload_file cur;
    apr_pool_t *fpool;  /* the open temporary file's pool */
    apr_file_t *fd;
};

static apr_status_t free_md(void *md)
{
    EVP_MD_CTX_free(md);
    return APR_SUCCESS;
}

/* Removes the temporary files that were not kept. */
static apr_status_t remove_files(void *data)
{
    portal_upload_sink *s = data;
    for (int i = 0; i < s->tracked->nelts; i++) {
        tracked *t = &APR_ARRAY_IDX(s->tracked, i, tracked);
        if (!t->tmp)
            continue;
        if (t->idx >= 0
            && APR_ARRAY_IDX(s->up->files, t->idx, portal_upload_file).path != t->tmp)
            continue;   /* kept: portal_upload_keep changed its path */
        apr_file_remove(t->tmp, s->pool);
        t->tmp = NULL;
    }
    return APR_SUCCESS;
}

/* The upload failed: close the open file and remove every temporary one. */
static void purge(portal_upload_sink *s)
{
    if (s->fpool) {
        apr_pool_destroy(s->fpool);
        s->fpool = NULL;
        s->fd = NULL;
    }
    remove_files(s);
    s->kind = K_NONE;
}

static apr_status_t refuse(portal_upload_sink *s, apr_status_t rv,
                           const char *code)
{
    portal_multipart_set_error(s->mp, code);
    return rv;
}

/* The one place every uploaded file's name passes: it is stored and handed
 * on only in its safe form (filename.h), which replaces what could split a
 * header or a path, so the visitor's upload goes through whatever the name
 * holds. A name with nothing left ("dir/", "..") names no file. */
static apr_status_t open_file(portal_upload_sink *s, const char *name,
                              const char *filename, const char *ctype)
{
    const char *safe = portal_filename_safe(s->pool, filename);
    apr_status_t rv;
    char *templ;

    if (!*safe)
        return refuse(s, APR_EINVAL, "malformed");
    if (++s->nfiles > s->lim.max_files)
        return refuse(s, APR_EINVAL, "too_large");
    if ((rv = apr_pool_create(&s->fpool, s->pool)) != APR_SUCCESS)
        return refuse(s, rv, "storage");
    templ = apr_pstrcat(s->pool, s->lim.tmp_dir, "/upload-XXXXXX", NULL);
    rv = apr_file_mktemp(&s->fd, templ,
                         APR_FOPEN_CREATE | APR_FOPEN_WRITE | APR_FOPEN_EXCL
                         | APR_FOPEN_BUFFERED | APR_FOPEN_BINARY, s->fpool);
    if (rv != APR_SUCCESS)
        return refuse(s, rv, "storage");
    tracked *t = apr_array_push(s->tracked);
    t->tmp = templ;
    t->idx = -1;
    if (EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
        return refuse(s, APR_EGENERAL, "storage");
    memset(&s->cur, 0, sizeof(s->cur));
    s->cur.field = apr_pstrdup(s->pool, name);
    s->cur.filename = safe;
    s->cur.claimed_type = ctype ? apr_pstrdup(s->pool, ctype) : NULL;
    s->cur.path = templ;
    s->kind = K_FILE;
    return APR_SUCCESS;
}

static apr_status_t on_begin(void *baton, const char *name,
                             const char *filename, const char *ctype)
{
    portal_upload_sink *s = baton;

    if (!portal_text_valid(name, strlen(name)))
        return refuse(s, APR_EINVAL, "bad_utf8");
    if (!filename) {
        s->kind = K_FIELD;
        s->field_name = apr_pstrdup(s->pool, name);
        s->flen = 0;
        return APR_SUCCESS;
    }
    /* Text, not necessarily safe text: open_file makes it safe. */
    if (!portal_utf8_valid(filename, strlen(filename)))
        return refuse(s, APR_EINVAL, "bad_utf8");
    if (!*filename) {
        s->kind = K_EMPTY_FILE;
        return APR_SUCCESS;
    }
    return open_file(s, name, filename, ctype);
}

static apr_status_t field_data(portal_upload_sink *s, const char *data,
                               apr_size_t len)
{
    if (len > s->lim.max_field - s->flen
        || len > s->lim.max_fields - s->fields_total)
        return refuse(s, APR_EINVAL, "too_large");
    if (s->flen + len > s->fcap) {
        apr_size_t cap = s->fcap ? s->fcap : 256;
        while (cap < s->flen + len)
            cap *= 2;
        char *b = apr_palloc(s->pool, cap);
        if (s->flen)
            memcpy(b, s->fbuf, s->flen);
        s->fbuf = b;
        s->fcap = cap;
    }
    memcpy(s->fbuf + s->flen, data, len);
    s->flen += len;
    s->fields_total += len;
    return APR_SUCCESS;
}

static apr_status_t on_data(void *baton, const char *data, apr_size_t len)
{
    portal_upload_sink *s = baton;
    apr_status_t rv;

    switch (s->kind) {
    case K_FIELD:
        return field_data(s, data, len);
    case K_EMPTY_FILE:
        return refuse(s, APR_EINVAL, "malformed");  /* bytes, no name */
    case K_FILE:
        if ((apr_off_t)len > s->lim.max_file - s->cur.size
            || (apr_off_t)len > s->lim.max_total - s->files_total)
            return refuse(s, APR_EINVAL, "too_large");
        if ((rv = apr_file_write_full(s->fd, data, len, NULL)) != APR_SUCCESS)
            return refuse(s, rv, "storage");
        if (EVP_DigestUpdate(s->md, data, len) != 1)
            return refuse(s, APR_EGENERAL, "storage");
        s->cur.size += (apr_off_t)len;
        s->files_total += (apr_off_t)len;
        return APR_SUCCESS;
    default:
        return APR_SUCCESS;
    }
}

static apr_status_t close_file(portal_upload_sink *s)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    apr_status_t rv = apr_file_close(s->fd);

    apr_pool_destroy(s->fpool);
    s->fpool = NULL;
    s->fd = NULL;
    if (rv != APR_SUCCESS)
        return refuse(s, rv, "storage");
    if (EVP_DigestFinal_ex(s->md, md, &mdlen) != 1 || mdlen != 32)
        return refuse(s, APR_EGENERAL, "storage");
    for (unsigned int i = 0; i < mdlen; i++) {
        s->cur.sha256_hex[2 * i] = hex[md[i] >> 4];
        s->cur.sha256_hex[2 * i + 1] = hex[md[i] & 15];
    }
    s->cur.sha256_hex[64] = '\0';
    APR_ARRAY_PUSH(s->up->files, portal_upload_file) = s->cur;
    APR_ARRAY_IDX(s->tracked, s->tracked->nelts - 1, tracked).idx =
        s->up->files->nelts - 1;
    return APR_SUCCESS;
}

static apr_status_t on_end(void *baton)
{
    portal_upload_sink *s = baton;
    int kind = s->kind;

    s->kind = K_NONE;
    if (kind == K_FIELD) {
        if (!portal_text_valid(s->fbuf, s->flen))
            return refuse(s, APR_EINVAL, "bad_utf8");
        apr_table_addn(s->up->fields, s->field_name,
                       apr_pstrmemdup(s->pool, s->flen ? s->fbuf : "", s->flen));
    }
    else if (kind == K_FILE)
        return close_file(s);
    return APR_SUCCESS;
}

portal_upload_sink *portal_upload_make(apr_pool_t *p, const char *boundary,
                                       const portal_upload_limits *lim)
{
    static const portal_multipart_callbacks cb = { on_begin, on_data, on_end };
    portal_upload_sink *s;

    if (!lim || !lim->tmp_dir)
        return NULL;
    s = apr_pcalloc(p, sizeof(*s));
    s->pool = p;
    s->lim = *lim;
    s->lim.tmp_dir = apr_pstrdup(p, lim->tmp_dir);
    s->mp = portal_multipart_make(p, boundary, &cb, s);
    if (!s->mp)
        return NULL;
    s->md = EVP_MD_CTX_new();
    if (!s->md)
        return NULL;
    apr_pool_cleanup_register(p, s->md, free_md, apr_pool_cleanup_null);
    s->up = apr_pcalloc(p, sizeof(*s->up));
    s->up->fields = apr_table_make(p, 8);
    s->up->files = apr_array_make(p, 4, sizeof(portal_upload_file));
    s->tracked = apr_array_make(p, 4, sizeof(tracked));
    apr_pool_cleanup_register(p, s, remove_files, apr_pool_cleanup_null);
    return s;
}

apr_status_t portal_upload_feed(portal_upload_sink *s, const char *data,
                                apr_size_t len)
{
    apr_status_t rv = portal_multipart_feed(s->mp, data, len);
    if (rv != APR_SUCCESS)
        purge(s);
    return rv;
}

apr_status_t portal_upload_finish(portal_upload_sink *s, portal_upload **out)
{
    apr_status_t rv = portal_multipart_finish(s->mp);
    *out = NULL;
    if (rv != APR_SUCCESS) {
        purge(s);
        return rv;
    }
    *out = s->up;
    return APR_SUCCESS;
}

const char *portal_upload_error(const portal_upload_sink *s)
{
    return portal_multipart_error(s->mp);
}

apr_status_t portal_upload_keep(portal_upload_file *f, const char *dest_path,
                                apr_pool_t *p)
{
    apr_status_t rv = apr_file_rename(f->path, dest_path, p);
    if (rv == APR_SUCCESS)
        f->path = apr_pstrdup(p, dest_path);
    return rv;
}

void portal_upload_discard(portal_upload_sink *s)
{
    remove_files(s);
}
