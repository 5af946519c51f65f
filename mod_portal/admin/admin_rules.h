/* The admin area's decisions on plain data: reasons, pages of a list, the
 * audit page's filters, and which changes to admin accounts are refused. */
#ifndef PORTAL_ADMIN_RULES_H
#define PORTAL_ADMIN_RULES_H

#include <apr_pools.h>

#define PORTAL_ADMIN_REASON_MAX 500     /* characters of a reason */
#define PORTAL_ADMIN_PAGE_SIZE 25
#define PORTAL_ADMIN_MAX_PAGE 10000

/* The reason an action needs, trimmed, or NULL with *problem "missing"
 * (empty after trimming) or "too_long" (more than 500 code points). */
const char *portal_admin_reason(apr_pool_t *p, const char *raw, const char **problem);

/* ?page=N: 1 for absent, empty or anything but 1..10000. */
int portal_admin_page(const char *raw);

/* A time filter of the audit page as PostgreSQL reads it: "YYYY-MM-DD" (the
 * day's start) or "YYYY-MM-DDTHH:MM" (an <input type=datetime-local>),
 * both UTC, returned as "YYYY-MM-DD HH:MM+00"; "" for absent or empty;
 * NULL for anything else (the page says the filter is wrong). */
const char *portal_admin_time_filter(apr_pool_t *p, const char *raw);

/* Whether actor may set the admin target (currently target_role, active or
 * not) to new_role / new_status; other_supers counts the active super
 * admins besides target. NULL when allowed, else "self" (an admin cannot
 * disable themself or lower their own role) or "last_super" (the last
 * active super admin stays one). */
const char *portal_admin_change_problem(const char *actor_id, const char *target_id,
                                        const char *target_role, const char *target_status,
                                        const char *new_role, const char *new_status,
                                        long long other_supers);

#endif
