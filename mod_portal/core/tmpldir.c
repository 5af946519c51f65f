/* Loads a template folder into a Mustache set: walk, sort, read, parse. */
#include "tmpldir.h"

#include <stdlib.h>
#include <string.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_tables.h>

#define EXT ".mustache"
#define EXT_LEN (sizeof EXT - 1)

typedef struct {
    apr_pool_t *pool;
    const char *root;
    apr_array_header_t *names;   /* relative paths without the extension */
    const char **err;
} walk;

static apr_status_t failed(walk *w, apr_status_t rv, const char *path, const char *what)
{
    char buf[120];
    *w->err = apr_psprintf(w->pool, "%s: %s", path,
                           what ? what : apr_strerror(rv, buf, sizeof buf));
    return rv;
}

static const char *join(apr_pool_t *p, const char *dir, const char *name)
{
    return *dir ? apr_pstrcat(p, dir, "/", name, NULL) : apr_pstrdup(p, name);
}

static apr_status_t scan(walk *w, const char *rel, int depth)
{
    const char *path = *rel ? apr_pstrcat(w->pool, w->root, "/", rel, NULL) : w->root;
    apr_dir_t *d;
    apr_finfo_t fi;
    apr_status_t rv;

    if (depth > PORTAL_TMPLDIR_MAX_DEPTH)
        return failed(w, APR_EINVAL, path, "folders nested too deep (a symbolic link loop?)");
    if ((rv = apr_dir_open(&d, path, w->pool)) != APR_SUCCESS)
        return failed(w, rv, path, NULL);
    while ((rv = apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE, d)) == APR_SUCCESS
           || rv == APR_INCOMPLETE) {
        if (!fi.name || fi.name[0] == '.')
            continue;
        const char *sub = join(w->pool, rel, fi.name);
        apr_filetype_e type = fi.filetype;
        if (rv == APR_INCOMPLETE || type == APR_LNK || type == APR_UNKFILE || type == APR_NOFILE) {
            const char *full = apr_pstrcat(w->pool, w->root, "/", sub, NULL);
            apr_status_t srv = apr_stat(&fi, full, APR_FINFO_TYPE, w->pool);
            if (srv != APR_SUCCESS && srv != APR_INCOMPLETE) {
                apr_size_t n = strlen(sub);
                if (n > EXT_LEN && strcmp(sub + n - EXT_LEN, EXT) == 0) {
                    apr_dir_close(d);
                    return failed(w, srv, full, NULL);   /* e.g. a dangling link */
                }
                continue;
            }
            type = fi.filetype;
        }
        if (type == APR_DIR) {
            if ((rv = scan(w, sub, depth + 1)) != APR_SUCCESS) {
                apr_dir_close(d);
                return rv;
            }
            continue;
        }
        apr_size_t n = strlen(sub);
        if (type == APR_REG && n > EXT_LEN && strcmp(sub + n - EXT_LEN, EXT) == 0)
            APR_ARRAY_PUSH(w->names, const char *) = apr_pstrmemdup(w->pool, sub, n - EXT_LEN);
    }
    apr_dir_close(d);
    return APR_STATUS_IS_ENOENT(rv) ? APR_SUCCESS : failed(w, rv, path, NULL);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static apr_status_t read_all(apr_pool_t *p, const char *path, char **data, apr_size_t *len,
                             const char **why)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);
    if (rv != APR_SUCCESS)
        return rv;
    rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (rv == APR_SUCCESS && fi.size > PORTAL_TMPLDIR_MAX_FILE) {
        *why = "file too large for a template";
        rv = APR_EINVAL;
    }
    if (rv == APR_SUCCESS) {
        *len = (apr_size_t)fi.size;
        *data = apr_palloc(p, *len + 1);
        apr_size_t got = 0;
        if (*len)
            rv = apr_file_read_full(f, *data, *len, &got);
        if (rv == APR_SUCCESS && got != *len)
            rv = APR_EOF;   /* shrank while we read it */
    }
    apr_file_close(f);
    return rv;
}

apr_status_t portal_tmpldir_load(portal_mustache_set *set, const char *dir, apr_pool_t *p,
                                 const char **err)
{
    const char *dummy;
    walk w = { NULL, dir, NULL, err ? err : &dummy };
    apr_finfo_t fi;
    apr_status_t rv;

    *w.err = NULL;
    if (!dir || !*dir) {
        *w.err = "template directory: no path given";
        return APR_EINVAL;
    }
    apr_pool_create(&w.pool, p);
    w.names = apr_array_make(w.pool, 64, sizeof(const char *));
    if ((rv = apr_stat(&fi, dir, APR_FINFO_TYPE, w.pool)) != APR_SUCCESS)
        rv = failed(&w, rv, dir, NULL);
    else if (fi.filetype != APR_DIR)
        rv = failed(&w, APR_ENOTDIR, dir, "not a directory");
    else
        rv = scan(&w, "", 0);

    if (rv == APR_SUCCESS)
        qsort(w.names->elts, (size_t)w.names->nelts, sizeof(const char *), by_name);
    apr_pool_t *file_pool;
    apr_pool_create(&file_pool, w.pool);
    for (int i = 0; rv == APR_SUCCESS && i < w.names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(w.names, i, const char *);
        const char *path = apr_pstrcat(w.pool, dir, "/", name, EXT, NULL);
        const char *why = NULL, *perr = NULL;
        char *data = NULL;
        apr_size_t len = 0;
        apr_pool_clear(file_pool);
        rv = read_all(file_pool, path, &data, &len, &why);
        if (rv != APR_SUCCESS) {
            failed(&w, rv, path, why);
            break;
        }
        rv = portal_mustache_set_add(set, name, data, len, &perr);
        if (rv != APR_SUCCESS) {
            /* perr is "name:line: message": name the file instead */
            apr_size_t n = strlen(name);
            const char *rest = perr && strncmp(perr, name, n) == 0 ? perr + n : "";
            *w.err = apr_pstrcat(w.pool, path, *rest == ':' ? "" : ": ",
                                 *rest ? rest : "syntax error", NULL);
        }
    }
    if (*w.err)
        *w.err = apr_pstrdup(p, *w.err);
    apr_pool_destroy(w.pool);
    return rv;
}
