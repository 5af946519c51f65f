/* Reads the directives portalctl needs out of an Apache configuration:
 * follows Include/IncludeOptional, expands ${VAR} from Define and the
 * environment, ignores section nesting (the last value wins, as in Apache
 * for the single-valued directives read here). */
#ifndef PORTAL_APACHE_CONF_H
#define PORTAL_APACHE_CONF_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Directive name (case-insensitive) -> first argument string (quotes
 * removed). On a missing or unreadable file *err says so. */
apr_status_t portal_apache_conf_read(apr_pool_t *p, const char *path, apr_table_t **out,
                                     const char **err);

#endif
