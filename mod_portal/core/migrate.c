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

static apr_status_t apply_one(portal_db *db, apr_pool_t *p, const portal_migration *m,
                              const char **err)
{
    portal_db_error e;
    portal_db_result *r;
    if (portal_db_begin(db, p, &e) != APR_SUCCESS)
        return db_fail(p, "BEGIN", &e, err);
    if (portal_db_exec(db, p, m->text, &e) != APR_SUCCESS) {
        portal_db_rollback(db);
        return db_fail(p, apr_psprintf(p, "migration %s failed and was rolled back", m->name),
                       &e, err);
    }
    const char *params[] = { m->version, m->name, m->checksum };
    if (portal_db_query(db, p, "migrate.record", 3, params, &r, &e) != APR_SUCCESS) {
        portal_db_rollback(db);
        return db_fail(p, apr_psprintf(p, "recording migration %s", m->name), &e, err);
    }
    if (portal_db_commit(db, p, &e) != APR_SUCCESS)
        return db_fail(p, apr_psprintf(p, "committing migration %s", m->name), &e, err);
    return APR_SUCCESS;
}

apr_status_t portal_migrate_run(portal_db *db, apr_pool_t *p, const apr_array_header_t *known,
                                void (*report)(void *baton, const portal_migration *m),
                                void *baton, int *count, const char **err)
{
    portal_db_error e;
    portal_db_result *r;
    *count = 0;
    if (portal_db_query(db, p, "migrate.bookkeeping", 0, NULL, &r, &e) != APR_SUCCESS)
        return db_fail(p, "creating portal_schema_migrations", &e, err);
    if (portal_db_query(db, p, "migrate.lock", 0, NULL, &r, &e) != APR_SUCCESS)
        return db_fail(p, "taking the migration lock", &e, err);
    apr_array_header_t *applied, *todo;
    apr_status_t rv = portal_migrate_applied(db, p, &applied, err);
    if (rv == APR_SUCCESS)
        rv = portal_migrate_plan(p, known, applied, &todo, err);
    for (int i = 0; rv == APR_SUCCESS && i < todo->nelts; i++) {
        const portal_migration *m = APR_ARRAY_IDX(todo, i, const portal_migration *);
        rv = apply_one(db, p, m, err);
        if (rv == APR_SUCCESS) {
            (*count)++;
            if (report)
                report(baton, m);
        }
    }
    portal_db_query(db, p, "migrate.unlock", 0, NULL, &r, &e);
    return rv;
}
