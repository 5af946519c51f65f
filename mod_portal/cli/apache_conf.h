/* Reads the directives portalctl needs out of an Apache configuration:
 * follows Include/IncludeOptional, expands ${VAR} from Define and the
 * environment, ignores section nesting (the last value wins, as in Apache
 * for the single-valued directives read here). */
#ifndef PORTAL_APACHE_CONF_H
#define PORTAL_APACHE_CONF_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Directive name (case-insensitive) -> first argument string (quotes
 * removed); and PORTAL_CONF_MOUNT_OF "portal-admin" (any handler) -> the
 * path of the <Location> that sets it. On a missing or unreadable file
 * *err says so. */
#define PORTAL_CONF_MOUNT_OF " mount of "

apr_status_t portal_apache_conf_read(apr_pool_t *p, const char *path, apr_table_t **out,
                                     const char **err);

#endif
