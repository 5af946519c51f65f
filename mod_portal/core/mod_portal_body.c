/* Request bodies: urlencoded forms, multipart uploads streamed to disk, and
 * JSON documents, each within its limit, each refusal answered here. */
#include "portal_req.h"

#include <apr_file_info.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include "buf.h"
#include "files.h"
#include "form.h"
#include "json.h"
#include "multipart.h"

#define MAX_FILE_PARTS     10

typedef apr_status_t (*chunk_fn)(void *baton, const char *data, apr_size_t len);

/* read_body's answer when fn refused a chunk: the caller knows why, and
 * answers. */
#define CHUNK_REFUSED HTTP_BAD_REQUEST

/* Reads the whole body in chunks, refusing it (413) past max bytes. OK,
 * PORTAL_ANSWERED, or CHUNK_REFUSED. */
static int read_body(portal_req *pr, apr_off_t max, chunk_fn fn, void *baton)
{
    request_rec *r = pr->r;
    apr_off_t apache_limit = ap_get_limit_req_body(r);   /* LimitRequestBody */
    if (apache_limit > 0 && apache_limit < max)
        max = apache_limit;
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    if (cl && apr_atoi64(cl) > max)
        return portal_fail(pr, HTTP_REQUEST_ENTITY_TOO_LARGE, "payload_too_large");
    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK)
        return portal_fail(pr, HTTP_BAD_REQUEST, "bad_request");
    if (!ap_should_client_block(r))
        return OK;
    char chunk[16384];
    apr_off_t total = 0;
    long n;
    while ((n = ap_get_client_block(r, chunk, sizeof(chunk))) > 0) {
        total += n;
        if (total > max)
            return portal_fail(pr, HTTP_REQUEST_ENTITY_TOO_LARGE, "payload_too_large");
        if (fn(baton, chunk, (apr_size_t)n) != APR_SUCCESS)
            return CHUNK_REFUSED;
    }
    if (n < 0)
        return portal_fail(pr, HTTP_BAD_REQUEST, "bad_request");
    return OK;
}

static apr_status_t append_chunk(void *baton, const char *data, apr_size_t len)
{
    portal_buf_append(baton, data, len);
    return APR_SUCCESS;
}

static const char *media_type(portal_req *pr)
{
    const char *ct = apr_table_get(pr->r->headers_in, "Content-Type");
    if (!ct)
        return "";
    return apr_pstrmemdup(pr->r->pool, ct, strcspn(ct, "; \t"));
}

static int read_urlencoded(portal_req *pr)
{
    portal_buf body;
    portal_buf_init(&body, pr->r->pool, 1024);
    int rc = read_body(pr, pr->cfg->max_form, append_chunk, &body);
    if (rc != OK)
        return rc;
    const char *why = NULL;
    if (portal_form_parse(pr->r->pool, body.data, body.len, &pr->form, &why) != APR_SUCCESS)
        return portal_fail(pr, HTTP_BAD_REQUEST,
                           strcmp(why, "bad_utf8") == 0 ? "bad_utf8" : "bad_request");
    pr->files = apr_array_make(pr->r->pool, 0, sizeof(portal_upload_file));
    return OK;
}

static apr_status_t feed_upload(void *baton, const char *data, apr_size_t len)
{
    return portal_upload_feed(baton, data, len);
}

static int upload_failure(portal_req *pr, const char *why)
{
    if (strcmp(why, "too_large") == 0)
        return portal_fail(pr, HTTP_REQUEST_ENTITY_TOO_LARGE, "payload_too_large");
    if (strcmp(why, "bad_utf8") == 0)
        return portal_fail(pr, HTTP_BAD_REQUEST, "bad_utf8");
    if (strcmp(why, "storage") == 0) {
        portal_log_error(pr, 0, "cannot write an upload under %s/tmp (disk full?)",
                         pr->cfg->storage_dir);
        return portal_fail(pr, HTTP_INSUFFICIENT_STORAGE, "storage_full");
    }
    return portal_fail(pr, HTTP_BAD_REQUEST, "bad_request");
}

static int read_multipart(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    const char *boundary;
    if (portal_multipart_boundary(p, apr_table_get(pr->r->headers_in, "Content-Type"),
                                  &boundary) != APR_SUCCESS)
        return portal_fail(pr, HTTP_BAD_REQUEST, "bad_request");
    apr_off_t max = pr->cfg->max_upload, max_form = pr->cfg->max_form;
    const char *tmp = apr_pstrcat(p, pr->cfg->storage_dir, "/tmp", NULL);
    apr_status_t rv = portal_private_dir(tmp, p);
    if (rv != APR_SUCCESS) {
        portal_log_error(pr, rv, "cannot create %s", tmp);
        return portal_fail(pr, HTTP_INSUFFICIENT_STORAGE, "storage_full");
    }
    portal_upload_limits lim = {
        .max_field = (apr_size_t)max_form, .max_fields = (apr_size_t)max_form,
        .max_file = max, .max_total = max, .max_files = MAX_FILE_PARTS, .tmp_dir = tmp,
    };
    portal_upload_sink *sink = portal_upload_make(p, boundary, &lim);
    if (!sink)
        return portal_fail(pr, HTTP_BAD_REQUEST, "bad_request");
    pr->uploads = sink;
    /* The body may carry a little framing beyond the files themselves. */
    int rc = read_body(pr, max + max_form, feed_upload, sink);
    if (rc == CHUNK_REFUSED)
        return upload_failure(pr, portal_upload_error(sink));
    if (rc != OK)
        return rc;
    portal_upload *up;
    if (portal_upload_finish(sink, &up) != APR_SUCCESS)
        return upload_failure(pr, portal_upload_error(sink));
    pr->form = up->fields;
    pr->files = up->files;
    return OK;
}

int portal_read_browser_body(portal_req *pr)
{
    const char *type = media_type(pr);
    if (strcasecmp(type, "application/x-www-form-urlencoded") == 0)
        return read_urlencoded(pr);
    if (strcasecmp(type, "multipart/form-data") == 0)
        return read_multipart(pr);
    return portal_fail(pr, HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
}

int portal_read_json(portal_req *pr, apr_size_t max, portal_json_body *out)
{
    if (strcasecmp(media_type(pr), "application/json") != 0)
        return portal_fail(pr, HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    portal_buf body;
    portal_buf_init(&body, pr->r->pool, 1024);
    int rc = read_body(pr, (apr_off_t)max, append_chunk, &body);
    if (rc != OK)
        return rc;
    const char *why;
    if (portal_json_parse_body(pr->r->pool, body.data, body.len, out, &why) != APR_SUCCESS)
        return portal_fail(pr, HTTP_BAD_REQUEST, "bad_request");
    return OK;
}
