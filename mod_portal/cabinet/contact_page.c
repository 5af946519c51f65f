/* The Contact page: a form that reaches the vendor's sales and support
 * people, with an optional screenshot or PDF. A message is stored in
 * PostgreSQL and its attachment under PortalStorageDir/contact/. */
#include "cabinet.h"

#include <stdlib.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include "../core/crypto.h"
#include "../core/files.h"
#include "../core/format.h"
#include "../core/i18n.h"
#include "../core/ratelimit.h"
#include "contact_rules.h"

#define HEAD_BYTES 512
/* Messages one address may send in an hour: enough for a person, not for a
 * script filling the inbox and the disk. */
#define MAX_MESSAGES_PER_HOUR 5

static json_t *topic_options(portal_req *pr, const char *selected)
{
    json_t *list = json_array();
    for (const char *const *t = portal_contact_topics; *t; t++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", *t,
            "label", portal_text(pr, apr_pstrcat(pr->r->pool, "contact.topics.", *t, NULL)),
            "selected", selected && strcmp(selected, *t) == 0));
    return list;
}

/* The form's view: values to show again, and the messages of errors. */
static int show_form(portal_req *pr, int status, const portal_contact_input *in,
                     apr_table_t *errors)
{
    apr_pool_t *p = pr->r->pool;
    json_t *view = portal_view(pr, "contact");
    const char *size_vars[] = { "size", portal_format_size(p, PORTAL_CONTACT_MAX_FILE), NULL };
    json_object_set_new(view, "action", json_string(portal_url(pr, "/contact")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "max_upload", json_string(
        portal_i18n_format(p, portal_text(pr, "contact.max_upload"), size_vars)));
    json_object_set_new(view, "form", json_pack("{s:s, s:s, s:s, s:s, s:o}",
        "name", in->name, "email", in->email, "company", in->company,
        "message", in->message, "topics", topic_options(pr, in->topic)));
    json_t *messages = json_object();
    const apr_array_header_t *arr = apr_table_elts(errors);
    for (int i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        json_object_set_new(messages, e->key, json_string(portal_text(pr, e->val)));
    }
    if (arr->nelts)
        json_object_set_new(messages, "form", json_string(portal_text(pr,
                                                          "contact.errors.form")));
    json_object_set_new(view, "errors", messages);
    json_object_set_new(view, "has_errors", json_boolean(arr->nelts > 0));
    return portal_render(pr, status, "public/contact");
}

int portal_cabinet_contact(portal_req *pr)
{
    if (apr_table_get(pr->query, "sent")) {
        json_t *view = portal_view(pr, "contact");
        json_object_set_new(view, "sent", json_true());
        return portal_render(pr, HTTP_OK, "public/contact");
    }
    portal_contact_input in = { "", "", "", "", "" };
    const char *topic = apr_table_get(pr->query, "topic");
    in.topic = topic ? topic : "sales";
    const char *months = apr_table_get(pr->query, "months");
    int n = months ? atoi(months) : 0;
    if (n == 1 || n == 3 || n == 6 || n == 12) {
        const char *vars[] = { "duration", portal_i18n_count(pr->r->pool, pr->cfg->i18n,
                                                             pr->locale, "pricing.months", n),
                               NULL };
        in.message = portal_i18n_format(pr->r->pool, portal_text(pr, "contact.plan_interest"),
                                        vars);
    }
    return show_form(pr, HTTP_OK, &in, apr_table_make(pr->r->pool, 1));
}

static apr_status_t read_head(apr_pool_t *p, const char *path, unsigned char *buf,
                              apr_size_t *len)
{
    apr_file_t *f;
    apr_status_t rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (rv != APR_SUCCESS)
        return rv;
    rv = apr_file_read_full(f, buf, *len, len);
    apr_file_close(f);
    return APR_STATUS_IS_EOF(rv) ? APR_SUCCESS : rv;
}

/* The one attachment of the form, if the visitor chose a file. */
static portal_upload_file *attachment_of(portal_req *pr)
{
    for (int i = 0; i < pr->files->nelts; i++) {
        portal_upload_file *f = &APR_ARRAY_IDX(pr->files, i, portal_upload_file);
        if (strcmp(f->field, "attachment") == 0)
            return f;
    }
    return NULL;
}

/* Moves the attachment to storage/contact/<id>. */
static apr_status_t store_attachment(portal_req *pr, portal_upload_file *f, const char *id,
                                     const char **path)
{
    apr_pool_t *p = pr->r->pool;
    const char *dir = apr_pstrcat(p, pr->cfg->storage_dir, "/contact", NULL);
    apr_status_t rv = portal_private_dir(dir, p);
    if (rv != APR_SUCCESS)
        return rv;
    *path = apr_pstrcat(p, dir, "/", id, NULL);
    return portal_upload_keep(f, *path, p);
}

/* The row and its file together: the file is moved into place inside the
 * transaction that inserts the row, and stays only if the commit's fate is
 * unknown (the session ended under the COMMIT: the row may exist); otherwise
 * neither survives a failure. */
static int store_message(portal_req *pr, const portal_contact_input *in,
                         portal_upload_file *upload, const char *file_type)
{
    apr_pool_t *p = pr->r->pool;
    portal_db_error err;
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "storing a contact message", &err);
    const char *file_id = NULL, *file_path = NULL;
    if (upload) {
        unsigned char raw[16];
        if (portal_random_bytes(raw, sizeof(raw)) != APR_SUCCESS) {
            portal_db_rollback(db);
            return portal_fail(pr, HTTP_INTERNAL_SERVER_ERROR, "internal");
        }
        file_id = portal_hex_encode(p, raw, sizeof(raw));
    }
    /* The name is the upload layer's safe form of the client's (upload.h);
     * the type is what the file's bytes showed (contact_rules.c), never the
     * client's claimed_type. */
    const char *params[] = {
        pr->locale, in->name, in->email, *in->company ? in->company : NULL, in->topic,
        in->message, pr->request_id, pr->r->useragent_ip, file_id,
        upload ? upload->filename : NULL, file_type,
        upload ? apr_off_t_toa(p, upload->size) : NULL,
        upload ? upload->sha256_hex : NULL,
    };
    portal_db_result *res;
    if (portal_db_query(db, p, "cabinet.contact_insert", 13, params, &res, &err) != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "storing a contact message", &err);
    }
    if (upload) {
        apr_status_t rv = store_attachment(pr, upload, file_id, &file_path);
        if (rv != APR_SUCCESS) {
            portal_db_rollback(db);
            portal_log_error(pr, rv, "cannot store a contact attachment under %s/contact",
                             pr->cfg->storage_dir);
            return portal_fail(pr, HTTP_INSUFFICIENT_STORAGE, "storage_full");
        }
    }
    if (portal_db_commit(db, p, &err) != APR_SUCCESS) {
        /* Kept only when the row may exist: a COMMIT never sent (its session
         * had ended) or refused by the server (40001 at commit) stored
         * nothing, and a file no row names would stay for good. */
        if (file_path && err.fate != PORTAL_DB_FATE_UNKNOWN)
            apr_file_remove(file_path, p);
        else if (file_path)
            portal_log_error(pr, 0, "kept %s: its message may have been stored", file_path);
        return portal_fail_db(pr, "committing a contact message", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER,
                           apr_pstrcat(p, portal_url(pr, "/contact"), "?sent=1", NULL));
}

int portal_cabinet_contact_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    portal_contact_input in = {
        apr_table_get(pr->form, "name"), apr_table_get(pr->form, "email"),
        apr_table_get(pr->form, "company"), apr_table_get(pr->form, "topic"),
        apr_table_get(pr->form, "message"),
    };
    portal_upload_file *upload = attachment_of(pr);
    portal_contact_file file = { 0 }, *filep = NULL;
    unsigned char head[HEAD_BYTES];
    if (upload) {
        apr_size_t len = sizeof(head);
        if (read_head(p, upload->path, head, &len) != APR_SUCCESS) {
            portal_log_error(pr, 0, "cannot read back upload %s", upload->path);
            return portal_fail(pr, HTTP_INTERNAL_SERVER_ERROR, "internal");
        }
        file = (portal_contact_file){ upload->filename, upload->size, head, len };
        filep = &file;
    }
    apr_table_t *errors = apr_table_make(p, 4);
    const char *file_type;
    if (portal_contact_validate(p, &in, filep, errors, &file_type) > 0)
        return show_form(pr, HTTP_UNPROCESSABLE_ENTITY, &in, errors);

    /* Counted after validation (a form sent back with its errors costs
     * nothing), before the transaction that stores the message. */
    int rc = portal_limit_as(pr, "contact_rate_limited", "contact.ip",
                             portal_rate_key_ip(p, pr->r->useragent_ip),
                             MAX_MESSAGES_PER_HOUR, 3600);
    if (rc != OK)
        return rc;
    return store_message(pr, &in, upload, file_type);
}
