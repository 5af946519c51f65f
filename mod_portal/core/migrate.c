#include "migrate.h"

#include <ctype.h>
#include <string.h>
#include <apr_strings.h>
#include "crypto.h"


static int name_valid(const char *name)
{
    apr_size_t n = strlen(name);
    if (n < 9 || strcmp(name + n - 4, ".sql") != 0)
        return 0;
    for (int i = 0; i < 3; i++)
        if (!isdigit((unsigned char)name[i]))
            return 0;
    if (name[3] != '_')
        return 0;
    for (apr_size_t i = 4; i < n - 4; i++)
        if (!(islower((unsigned char)name[i]) || isdigit((unsigned char)name[i])
              || name[i] == '_'))
            return 0;
    return 1;
}

apr_status_t portal_migrations_load(apr_pool_t *p, const portal_embedded_file *files,
                                    apr_array_header_t **out, const char **err)
{
    apr_array_header_t *list = apr_array_make(p, 8, sizeof(portal_migration));
    const char *previous = "";
    for (const portal_embedded_file *f = files; f->name; f++) {
        if (!name_valid(f->name)) {
            *err = apr_psprintf(p, "migration file %s: name it NNN_words.sql "
                                "(three digits, lowercase words)", f->name);
            return APR_EINVAL;
        }
        portal_migration *m = apr_array_push(list);
        m->version = apr_pstrmemdup(p, f->name, 3);
        m->name = f->name;
        m->text = f->text;
        m->checksum = portal_sha256_hex(p, f->text, (apr_size_t)f->len);
        if (strcmp(m->version, previous) <= 0) {
            *err = apr_psprintf(p, "migration %s: its number must be higher than "
                                "the one before (%s)", f->name, previous);
            return APR_EINVAL;
        }
        previous = m->version;
    }
    *out = list;
    return APR_SUCCESS;
}

static const portal_migration *find_known(const apr_array_header_t *known, const char *version)
{
    for (int i = 0; i < known->nelts; i++) {
        const portal_migration *m = &APR_ARRAY_IDX(known, i, portal_migration);
        if (strcmp(m->version, version) == 0)
            return m;
    }
    return NULL;
}

static int is_applied(const apr_array_header_t *applied, const char *version)
{
    for (int i = 0; i < applied->nelts; i++)
        if (strcmp(APR_ARRAY_IDX(applied, i, portal_applied_migration).version, version) == 0)
            return 1;
    return 0;
}

apr_status_t portal_migrate_plan(apr_pool_t *p, const apr_array_header_t *known,
                                 const apr_array_header_t *applied,
                                 apr_array_header_t **todo, const char **err)
{
    for (int i = 0; i < applied->nelts; i++) {
        const portal_applied_migration *a = &APR_ARRAY_IDX(applied, i, portal_applied_migration);
        const portal_migration *m = find_known(known, a->version);
        if (!m) {
            *err = apr_psprintf(p, "the database has migration %s (%s), which this build "
                                "does not know: install the matching or a newer mod_portal",
                                a->version, a->name);
            return APR_EINVAL;
        }
        if (strcmp(m->checksum, a->checksum) != 0) {
            *err = apr_psprintf(p, "migration %s was edited after it was applied "
                                "(checksum %.12s in the database, %.12s now): restore it "
                                "and put the change in a new migration", m->name,
                                a->checksum, m->checksum);
            return APR_EINVAL;
        }
    }
    apr_array_header_t *list = apr_array_make(p, 4, sizeof(const portal_migration *));
    for (int i = 0; i < known->nelts; i++) {
        const portal_migration *m = &APR_ARRAY_IDX(known, i, portal_migration);
        if (!is_applied(applied, m->version))
            APR_ARRAY_PUSH(list, const portal_migration *) = m;
    }
    *todo = list;
    return APR_SUCCESS;
}

static apr_status_t db_fail(apr_pool_t *p, const char *what, const portal_db_error *e,
                            const char **err)
{
    *err = apr_psprintf(p, "%s: %s", what, portal_db_error_line(p, e));
    return APR_EGENERAL;
}

apr_status_t portal_migrate_applied(portal_db *db, apr_pool_t *p,
                                    apr_array_header_t **applied, const char **err)
{
    portal_db_error e;
    portal_db_result *r;
    apr_array_header_t *list = apr_array_make(p, 8, sizeof(portal_applied_migration));
    if (portal_db_query(db, p, "migrate.table_exists", 0, NULL, &r, &e) != APR_SUCCESS)
        return db_fail(p, "reading the schema", &e, err);
    if (portal_db_get_bool(r, 0, "present")) {
        if (portal_db_query(db, p, "migrate.applied", 0, NULL, &r, &e) != APR_SUCCESS)
            return db_fail(p, "reading applied migrations", &e, err);
        for (int i = 0; i < portal_db_nrows(r); i++) {
            portal_applied_migration *a = apr_array_push(list);
            a->version = portal_db_get(r, i, "version");
            a->name = portal_db_get(r, i, "name");
            a->checksum = portal_db_get(r, i, "checksum");
        }
    }
    *applied = list;
    return APR_SUCCESS;
}

/* Ends the migrator's transaction after a failed statement. */
static apr_status_t rollback_fail(portal_db *db, apr_pool_t *p, const char *what,
                                  const portal_db_error *e, const char **err)
{
    portal_db_rollback(db);
    return db_fail(p, what, e, err);
}

/* Opens a transaction and takes the migration lock in it. The lock is
 * transaction-level on purpose: a session-level one is lost without a word
 * when the session ends between two migrations (a PostgreSQL restart; the db
 * layer then resets the connection outside a transaction and carries on),
 * and a second migrator could run beside this one. Held by the transaction,
 * it is there for every statement that needs it or the transaction fails. */
static apr_status_t begin_locked(portal_db *db, apr_pool_t *p, const char **err)
{
    portal_db_error e;
    portal_db_result *r;
    if (portal_db_begin(db, p, &e) != APR_SUCCESS)
        return db_fail(p, "BEGIN", &e, err);
    if (portal_db_query(db, p, "migrate.lock", 0, NULL, &r, &e) != APR_SUCCESS)
        return rollback_fail(db, p, "taking the migration lock", &e, err);
    return APR_SUCCESS;
}

static apr_status_t current_txid(portal_db *db, apr_pool_t *p, const char **txid,
                                 portal_db_error *e)
{
    portal_db_result *r;
    apr_status_t rv = portal_db_query(db, p, "migrate.txid", 0, NULL, &r, e);
    if (rv == APR_SUCCESS)
        *txid = portal_db_get(r, 0, "txid");
    return rv;
}

apr_status_t portal_migrate_apply(portal_db *db, apr_pool_t *p, const portal_migration *m,
                                  int *applied, const char **err)
{
    portal_db_error e;
    portal_db_result *r;
    *applied = 0;
    apr_status_t rv = begin_locked(db, p, err);
    if (rv != APR_SUCCESS)
        return rv;
    /* Re-checked under the lock, in a statement after the one that waited
     * for it: its snapshot sees what the migrator we waited for committed. */
    const char *version[] = { m->version };
    if (portal_db_query(db, p, "migrate.recorded", 1, version, &r, &e) != APR_SUCCESS)
        return rollback_fail(db, p, "reading applied migrations", &e, err);
    if (portal_db_nrows(r) > 0) {
        const char *sum = apr_pstrdup(p, portal_db_get(r, 0, "checksum"));
        portal_db_rollback(db);
        if (strcmp(sum, m->checksum) == 0)
            return APR_SUCCESS;   /* another migrator applied it meanwhile */
        *err = apr_psprintf(p, "migration %s was applied meanwhile with other text "
                            "(checksum %.12s in the database, %.12s here): another build "
                            "is migrating this database", m->name, sum, m->checksum);
        return APR_EINVAL;
    }
    const char *before, *after;
    if (current_txid(db, p, &before, &e) != APR_SUCCESS)
        return rollback_fail(db, p, "reading the transaction id", &e, err);
    if (portal_db_exec(db, p, m->text, &e) != APR_SUCCESS)
        return rollback_fail(db, p, apr_psprintf(p, "migration %s failed and was rolled back",
                                                 m->name), &e, err);
    /* The text must end inside the transaction it began in: after a COMMIT
     * of its own the record below would commit by itself (and the migration
     * count as applied whatever followed), and after "COMMIT; ...; BEGIN" it
     * would go into a transaction the lock and the checks above never saw.
     * Being in a transaction is not enough; being in the same one is. */
    int same = portal_db_in_transaction(db);
    if (same) {
        if (current_txid(db, p, &after, &e) != APR_SUCCESS)
            return rollback_fail(db, p, "reading the transaction id", &e, err);
        same = strcmp(before, after) == 0;
    }
    if (!same) {
        portal_db_rollback(db);
        *err = apr_psprintf(p, "migration %s ended the migrator's transaction itself (a "
                            "COMMIT, ROLLBACK or BEGIN in its text): it is not recorded as "
                            "applied, and what it ran outside that transaction may be "
                            "committed; a migration runs inside the one transaction the "
                            "migrator opens and must not contain COMMIT, ROLLBACK or BEGIN",
                            m->name);
        return APR_EINVAL;
    }
    const char *params[] = { m->version, m->name, m->checksum };
    if (portal_db_query(db, p, "migrate.record", 3, params, &r, &e) != APR_SUCCESS)
        return rollback_fail(db, p, apr_psprintf(p, "recording migration %s", m->name), &e,
                             err);
    if (portal_db_commit(db, p, &e) != APR_SUCCESS)
        return db_fail(p, apr_psprintf(p, "committing migration %s", m->name), &e, err);
    *applied = 1;
    return APR_SUCCESS;
}

apr_status_t portal_migrate_run(portal_db *db, apr_pool_t *p, const apr_array_header_t *known,
                                void (*report)(void *baton, const portal_migration *m),
                                void *baton, int *count, const char **err)
{
    portal_db_error e;
    portal_db_result *r;
    *count = 0;
    /* Under the lock too: two first runs at once would both try CREATE
     * TABLE IF NOT EXISTS, and one fail on the catalog's unique index. */
    apr_status_t rv = begin_locked(db, p, err);
    if (rv != APR_SUCCESS)
        return rv;
    if (portal_db_query(db, p, "migrate.bookkeeping", 0, NULL, &r, &e) != APR_SUCCESS)
        return rollback_fail(db, p, "creating portal_schema_migrations", &e, err);
    if (portal_db_commit(db, p, &e) != APR_SUCCESS)
        return db_fail(p, "creating portal_schema_migrations", &e, err);
    /* Read without the lock: the plan only says what to try, and refuses
     * edited history; each migration is checked again under the lock. */
    apr_array_header_t *applied, *todo;
    rv = portal_migrate_applied(db, p, &applied, err);
    if (rv == APR_SUCCESS)
        rv = portal_migrate_plan(p, known, applied, &todo, err);
    for (int i = 0; rv == APR_SUCCESS && i < todo->nelts; i++) {
        const portal_migration *m = APR_ARRAY_IDX(todo, i, const portal_migration *);
        int done = 0;
        rv = portal_migrate_apply(db, p, m, &done, err);
        if (rv == APR_SUCCESS && done) {
            (*count)++;
            if (report)
                report(baton, m);
        }
    }
    return rv;
}
