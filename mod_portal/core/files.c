#include "files.h"

#include <sys/stat.h>
#include <apr_file_info.h>
#include <apr_file_io.h>

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
