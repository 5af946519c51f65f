#include "outbox.h"

#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "buf.h"
#include "jobs.h"
#include "json.h"
#include "mime.h"

/* How long one claimed mail stays ours: longer than one SMTP transaction
 * may take, so a live runner never loses it, short enough that a killed
 * one's mail goes out soon after. */
#define LEASE_MARGIN 30

static int name_valid(const char *s)
{
    apr_size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* Mustache escapes & < > " ' for HTML; a text part and a subject are not
 * HTML, so exactly those entities are turned back. */
static const char *plain_text(apr_pool_t *p, const char *s)
{
    static const struct { const char *entity; char c; } map[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' },
    };
    portal_buf b;
    portal_buf_init(&b, p, strlen(s) + 1);
    while (*s) {
        int done = 0;
        if (*s == '&')
            for (apr_size_t i = 0; i < sizeof(map) / sizeof(map[0]) && !done; i++) {
                apr_size_t n = strlen(map[i].entity);
                if (strncmp(s, map[i].entity, n) == 0) {
                    portal_buf_putc(&b, map[i].c);
                    s += n;
                    done = 1;
                }
            }
        if (!done)
            portal_buf_putc(&b, *s++);
    }
    return b.data;
}

/* The subject as one trimmed line. */
static const char *one_line(apr_pool_t *p, const char *s)
{
    char *out = apr_pstrdup(p, s);
    for (char *c = out; *c; c++)
        if (*c == '\r' || *c == '\n' || *c == '\t')
            *c = ' ';
    while (*out == ' ')
        out++;
    apr_size_t n = strlen(out);
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
    return out;
}

static apr_status_t render_one(const portal_mustache_set *set, const char *name, json_t *view,
                               apr_pool_t *p, const char **out, const char **why)
{
    portal_buf b;
    portal_buf_init(&b, p, 4096);
    apr_status_t rv = portal_mustache_render(set, name, view, &b);
    if (rv != APR_SUCCESS) {
        *why = apr_psprintf(p, rv == APR_NOTFOUND ? "template %s.mustache is missing"
                                                  : "template %s did not render", name);
        return rv;
    }
    *out = b.data;
    return APR_SUCCESS;
}

apr_status_t portal_mail_render(apr_pool_t *p, const portal_mail_ctx *ctx, const char *locale,
                                const char *template_name, json_t *vars,
                                portal_mail_rendered *out, const char **why)
{
    if (!name_valid(template_name)) {
        *why = "a mail template is named by lowercase letters, digits and '_'";
        return APR_EINVAL;
    }
    if (!ctx || !ctx->templates || !ctx->i18n) {
        *why = "no templates loaded (PortalTemplateDir)";
        return APR_EINVAL;
    }
    const char *loc = portal_i18n_supported(locale);
    if (!loc)
        loc = portal_i18n_supported(ctx->default_locale) ? ctx->default_locale : "en";
    json_t *view = portal_json_owned(p, json_object());
    if (json_is_object(vars))
        json_object_update(view, vars);
    json_object_set(view, "t", portal_i18n_catalog(ctx->i18n, loc));
    json_object_set_new(view, "lang", json_string(loc));
    json_object_set_new(view, "base_url", json_string(ctx->base_url ? ctx->base_url : ""));

    const char *key = apr_pstrcat(p, "email.", template_name, ".subject", NULL);
    const char *subject_src = portal_i18n_get(ctx->i18n, loc, key);
    if (strcmp(subject_src, key) == 0) {
        *why = apr_psprintf(p, "the catalogs have no %s", key);
        return APR_NOTFOUND;
    }
    portal_mustache_set *subject_set = portal_mustache_set_make(p);
    const char *perr = NULL, *subject, *text, *html;
    if (portal_mustache_set_add(subject_set, "subject", subject_src, strlen(subject_src), &perr)
        != APR_SUCCESS) {
        *why = apr_psprintf(p, "%s (%s): %s", key, loc, perr);
        return APR_EINVAL;
    }
    apr_status_t rv = render_one(subject_set, "subject", view, p, &subject, why);
    if (rv == APR_SUCCESS)
        rv = render_one(ctx->templates, apr_pstrcat(p, "email/", template_name, ".text", NULL),
                        view, p, &text, why);
    if (rv == APR_SUCCESS)
        rv = render_one(ctx->templates, apr_pstrcat(p, "email/", template_name, ".html", NULL),
                        view, p, &html, why);
    if (rv != APR_SUCCESS)
        return rv;
    out->locale = loc;
    out->subject = one_line(p, plain_text(p, subject));
    out->text = plain_text(p, text);
    out->html = html;
    if (!*out->subject) {
        *why = apr_psprintf(p, "%s renders empty", key);
        return APR_EINVAL;
    }
    return APR_SUCCESS;
}

static apr_status_t refuse(portal_db_error *err, const char *message)
{
    err->kind = PORTAL_DB_FAILED;
    err->sqlstate[0] = '\0';
    err->constraint = NULL;
    err->message = message;
    return APR_EINVAL;
}

apr_status_t portal_mail_enqueue(portal_db *db, apr_pool_t *p, const portal_mail_ctx *ctx,
                                 const char *to, const char *locale,
                                 const char *template_name, json_t *vars,
                                 portal_db_error *err)
{
    if (!portal_mail_address_valid(to))
        return refuse(err, "the recipient is not one plain e-mail address");
    portal_mail_rendered m;
    const char *why = NULL;
    if (portal_mail_render(p, ctx, locale, template_name, vars, &m, &why) != APR_SUCCESS)
        return refuse(err, apr_psprintf(p, "mail %s: %s", template_name ? template_name : "",
                                        why));
    const char *id = portal_mime_message_id(p, portal_mail_domain(p, ctx->from));
    if (!id)
        return refuse(err, "no randomness for a Message-ID");
    const char *params[] = { to, m.locale, template_name, m.subject, m.text, m.html, id,
                             apr_itoa(p, PORTAL_MAIL_MAX_ATTEMPTS) };
    portal_db_result *res;
    return portal_db_query(db, p, "outbox.insert", 8, params, &res, err);
}

/* What the server's answer does to the row; the row is ours by the lease. */
static apr_status_t record(portal_db *db, apr_pool_t *p, const portal_db_result *row,
                           const char *worker, const portal_smtp_result *r,
                           portal_deliver_report *rep, portal_db_error *err)
{
    const char *id = portal_db_get(row, 0, "id");
    int attempts = (int)portal_db_get_int(row, 0, "attempts");
    int max = (int)portal_db_get_int(row, 0, "max_attempts");
    portal_db_result *res;
    if (r->outcome == PORTAL_SMTP_SENT) {
        rep->sent++;
        const char *params[] = { id, worker };
        return portal_db_query(db, p, "outbox.sent", 2, params, &res, err);
    }
    rep->last_error = apr_pstrdup(p, r->error ? r->error : "unknown error");
    if (r->outcome == PORTAL_SMTP_UNAVAILABLE) {
        rep->unavailable = 1;
        rep->reason = apr_pstrdup(p, r->reason ? r->reason : rep->last_error);
        const char *params[] = { id, worker, rep->last_error };
        return portal_db_query(db, p, "outbox.release", 3, params, &res, err);
    }
    if (r->outcome == PORTAL_SMTP_TEMPORARY && attempts < max) {
        rep->retrying++;
        const char *params[] = { id, worker, rep->last_error,
                                 apr_itoa(p, portal_backoff_seconds(attempts)) };
        return portal_db_query(db, p, "outbox.retry", 4, params, &res, err);
    }
    rep->failed++;
    const char *why = r->outcome == PORTAL_SMTP_PERMANENT
                    ? rep->last_error
                    : apr_psprintf(p, "gave up after %d attempts: %s", attempts, rep->last_error);
    const char *params[] = { id, worker, why };
    return portal_db_query(db, p, "outbox.fail", 3, params, &res, err);
}

apr_status_t portal_outbox_deliver(portal_db *db, apr_pool_t *p, const portal_smtp_cfg *smtp,
                                   const portal_i18n *i18n, const char *worker,
                                   apr_time_t budget_end, portal_deliver_report *rep,
                                   portal_db_error *err)
{
    memset(rep, 0, sizeof(*rep));
    portal_smtp *conn = portal_smtp_open(p, smtp);
    if (!conn) {
        rep->unavailable = 1;
        rep->last_error = "libcurl made no handle";
        return APR_SUCCESS;
    }
    int timeout = smtp->timeout > 0 ? smtp->timeout : PORTAL_SMTP_TIMEOUT;
    const char *lease = apr_itoa(p, PORTAL_SMTP_CONNECT_TIMEOUT + timeout + LEASE_MARGIN);
    apr_pool_t *each;
    apr_pool_create(&each, p);
    apr_status_t rv = APR_SUCCESS;
    while (!rep->unavailable && apr_time_now() < budget_end) {
        apr_pool_clear(each);
        portal_db_result *row;
        const char *params[] = { worker, lease };
        if ((rv = portal_db_query(db, each, "outbox.claim", 2, params, &row, err))
            != APR_SUCCESS)
            break;
        if (portal_db_nrows(row) == 0)
            break;
        const char *locale = portal_db_get(row, 0, "locale");
        portal_mime_mail m = {
            .from_addr = smtp->from,
            .from_name = i18n ? portal_i18n_get(i18n, locale, "brand.product") : NULL,
            .to = portal_db_get(row, 0, "recipient"),
            .subject = portal_db_get(row, 0, "subject"),
            .message_id = portal_db_get(row, 0, "message_id"),
            .language = locale,
            .date = apr_time_from_sec(portal_db_get_int(row, 0, "created_epoch")),
            .text = portal_db_get(row, 0, "body_text"),
            .html = portal_db_get(row, 0, "body_html"),
        };
        apr_size_t len;
        const char *message = portal_mime_build(each, &m, &len);
        portal_smtp_result r;
        if (!message)
            r = (portal_smtp_result){ PORTAL_SMTP_PERMANENT, 0,
                                      "cannot be written as a message (check PortalMailFrom "
                                      "and the recipient)", "a mail that cannot be written" };
        else
            portal_smtp_send(conn, m.to, message, len, &r);
        rv = record(db, each, row, worker, &r, rep, err);
        if (rep->last_error)
            rep->last_error = apr_pstrdup(p, rep->last_error);   /* each is cleared */
        if (rep->reason)
            rep->reason = apr_pstrdup(p, rep->reason);
        if (rv != APR_SUCCESS)
            break;
    }
    if (rv != APR_SUCCESS) {
        err->message = apr_pstrdup(p, err->message ? err->message : "");
        err->constraint = err->constraint ? apr_pstrdup(p, err->constraint) : NULL;
    }
    apr_pool_destroy(each);
    return rv;
}
