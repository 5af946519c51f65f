/* File-system questions the module and portalctl both ask. */
#ifndef PORTAL_FILES_H
#define PORTAL_FILES_H

#include <sys/types.h>

/* 1 when uid (primary group gid) may create files in directory dir. */
int portal_dir_writable_by(const char *dir, uid_t uid, gid_t gid);

#endif
