#include "files.h"

#include <sys/stat.h>

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
