/* File-system questions the module and portalctl both ask. */
#ifndef PORTAL_FILES_H
#define PORTAL_FILES_H

#include <sys/types.h>

#include <apr_pools.h>

/* 1 when uid (primary group gid) may create files in directory dir. */
int portal_dir_writable_by(const char *dir, uid_t uid, gid_t gid);

/* Creates dir and its parents, mode 0700, unless it exists. */
apr_status_t portal_private_dir(const char *dir, apr_pool_t *p);

/* Removes the regular files of dir whose names start with prefix and that
 * were last modified before `before`: what a killed child left behind.
 * Returns how many were removed. */
int portal_sweep_dir(const char *dir, const char *prefix, apr_time_t before, apr_pool_t *p);

#endif
