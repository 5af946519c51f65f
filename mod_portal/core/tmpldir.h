/* The template folder: every *.mustache file of a directory tree, parsed
 * once into a portal_mustache_set at configuration time. */
#ifndef PORTAL_TMPLDIR_H
#define PORTAL_TMPLDIR_H

#include <apr_pools.h>

#include "mustache.h"

/* Loads every *.mustache file below dir into set, named by its path relative
 * to dir without the extension ("layouts/base", "public/home",
 * "partials/header"). Files are read with APR file I/O; symbolic links are
 * followed (at most PORTAL_TMPLDIR_MAX_DEPTH folders deep); names starting
 * with '.' are skipped; files load in name order. Returns APR_SUCCESS, or an
 * error status with *err a one-line message naming the file (unreadable file,
 * syntax error as "/dir/public/home.mustache:12: unclosed section 'plans'",
 * missing directory). Files loaded before an error stay in the set. */
apr_status_t portal_tmpldir_load(portal_mustache_set *set, const char *dir, apr_pool_t *p,
                                 const char **err);

#define PORTAL_TMPLDIR_MAX_DEPTH 16
#define PORTAL_TMPLDIR_MAX_FILE (8 * 1024 * 1024)

#endif
