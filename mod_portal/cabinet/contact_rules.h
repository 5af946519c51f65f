/* What the Contact form accepts. Plain data and a pool: the page's glue
 * and the unit tests call the same rules. */
#ifndef PORTAL_CONTACT_RULES_H
#define PORTAL_CONTACT_RULES_H

#include <apr_pools.h>
#include <apr_tables.h>

#define PORTAL_CONTACT_MAX_FILE (5 * 1024 * 1024)

/* The topics a visitor can pick, in form order; NULL-ended. */
extern const char *const portal_contact_topics[];

typedef struct {
    const char *name, *email, *company, *topic, *message;
} portal_contact_input;

typedef struct {
    const char *filename;        /* the upload's safe name (filename.h) */
    apr_off_t size;
    const unsigned char *head;   /* the file's first bytes */
    apr_size_t head_len;
} portal_contact_file;

/* Trims the fields of in (in place), checks them and the optional file,
 * and records each problem in errors as field -> catalog key
 * ("name" -> "contact.errors.name"). Returns the number of problems.
 * *file_type gets the attachment's media type when it is acceptable: the
 * type its bytes show, and its name's extension agrees with; the client's
 * Content-Type plays no part. */
int portal_contact_validate(apr_pool_t *p, portal_contact_input *in,
                            const portal_contact_file *file, apr_table_t *errors,
                            const char **file_type);

/* 1 if s looks like an address mail can be sent to. */
int portal_email_plausible(const char *s);

#endif
