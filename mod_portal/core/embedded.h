/* Files compiled into the binaries at build time (tools/embed.c). */
#ifndef PORTAL_EMBEDDED_H
#define PORTAL_EMBEDDED_H

typedef struct {
    const char *name;   /* base name: "cabinet.sql", "001_init.sql" */
    const char *text;
    long len;
} portal_embedded_file;

/* The files sql/NAME.sql: the named queries of every area; ends with a NULL name. */
extern const portal_embedded_file portal_sql_files[];
/* sql/migrations/NNN_*.sql, in order; ends with a NULL name. */
extern const portal_embedded_file portal_migration_files[];
/* data/NAME.txt: data the library reads (common-passwords.txt); ends with a NULL name. */
extern const portal_embedded_file portal_data_files[];

/* conf/roles.json: the permission matrix; ends with a NULL name. */
extern const portal_embedded_file portal_conf_files[];

#endif
