/* Schema migrations: sql/migrations/NNN_name.sql applied in order, each in
 * its own transaction (which its text must not end), under a lock held by
 * that transaction, recorded with a SHA-256 checksum; an applied file that
 * was edited afterwards stops every later run. */
#ifndef PORTAL_MIGRATE_H
#define PORTAL_MIGRATE_H

#include <apr_pools.h>
#include <apr_tables.h>
#include "db.h"
#include "embedded.h"

typedef struct {
    const char *version;    /* "001" */
    const char *name;       /* "001_init.sql" */
    const char *text;
    const char *checksum;   /* sha256 hex of text */
} portal_migration;

typedef struct {
    const char *version;
    const char *name;
    const char *checksum;
} portal_applied_migration;

/* The migrations of files (NULL-name ended), validated: names NNN_word.sql,
 * numbers strictly increasing. */
apr_status_t portal_migrations_load(apr_pool_t *p, const portal_embedded_file *files,
                                    apr_array_header_t **out, const char **err);

/* Which migrations of known (portal_migration) are still to apply given the
 * applied ones (portal_applied_migration), in order. Refuses with *err when
 * an applied file was edited or the database has one this build lacks. */
apr_status_t portal_migrate_plan(apr_pool_t *p, const apr_array_header_t *known,
                                 const apr_array_header_t *applied,
                                 apr_array_header_t **todo, const char **err);

/* Reads the applied migrations from the database (none if the bookkeeping
 * table does not exist yet). */
apr_status_t portal_migrate_applied(portal_db *db, apr_pool_t *p,
                                    apr_array_header_t **applied, const char **err);

/* Applies migration m in a transaction of its own that holds the migration
 * lock (a transaction-level advisory lock) and records it there, in the
 * bookkeeping table portal_migrate_run creates. *applied is 0 when another
 * migrator applied it while this one waited for the lock: nothing is done.
 * The text runs inside that transaction and must leave it open: text that
 * commits, rolls back or begins a transaction of its own is refused, rolled
 * back and not recorded. */
apr_status_t portal_migrate_apply(portal_db *db, apr_pool_t *p, const portal_migration *m,
                                  int *applied, const char **err);

/* Applies every pending migration with portal_migrate_apply; report(baton,
 * name) is called after each. *count receives how many were applied. */
apr_status_t portal_migrate_run(portal_db *db, apr_pool_t *p, const apr_array_header_t *known,
                                void (*report)(void *baton, const portal_migration *m),
                                void *baton, int *count, const char **err);

#endif
