#include "files.h"

#include <sys/stat.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <string.h>

int portal_dir_writable_by(const char *dir, uid_t uid, gid_t gid)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    if (uid == 0)
        return 1;
    if (st.st_uid == uid)
        return (st.st_mode & S_IWUSR) && (st.st_mode & S_IXUSR);
    if (st.st_gid == gid)
        return (st.st_mode & S_IWGRP) && (st.st_mode & S_IXGRP);
    return (st.st_mode & S_IWOTH) && (st.st_mode & S_IXOTH);
}

apr_status_t portal_private_dir(const char *dir, apr_pool_t *p)
{
    apr_status_t rv = apr_dir_make_recursive(dir, APR_FPROT_UREAD | APR_FPROT_UWRITE
                                             | APR_FPROT_UEXECUTE, p);
    return APR_STATUS_IS_EEXIST(rv) ? APR_SUCCESS : rv;
}

int portal_sweep_dir(const char *dir, const char *prefix, apr_time_t before, apr_pool_t *p)
{
    apr_dir_t *d;
    apr_finfo_t fi;
    int removed = 0;
    if (apr_dir_open(&d, dir, p) != APR_SUCCESS)
        return 0;
    apr_size_t n = strlen(prefix);
    while (apr_dir_read(&fi, APR_FINFO_NAME | APR_FINFO_TYPE | APR_FINFO_MTIME, d)
           == APR_SUCCESS) {
        if (fi.filetype != APR_REG || strncmp(fi.name, prefix, n) != 0 || fi.mtime >= before)
            continue;
        if (apr_file_remove(apr_pstrcat(p, dir, "/", fi.name, NULL), p) == APR_SUCCESS)
            removed++;
    }
    apr_dir_close(d);
    return removed;
}
