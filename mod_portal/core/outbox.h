/* The mail outbox: a request never talks to an SMTP server, it queues a row
 * (portal_mail_enqueue), rendered there and then in the recipient's
 * language; the mail.deliver job (portal_outbox_deliver) sends due rows with
 * retry and backoff. Plain data, a portal_db and a pool. */
#ifndef PORTAL_OUTBOX_H
#define PORTAL_OUTBOX_H

#include <apr_pools.h>
#include <apr_time.h>
#include <jansson.h>
#include "db.h"
#include "i18n.h"
#include "mustache.h"
#include "smtp.h"

/* Tries of one mail before it is marked failed (the backoff between them is
 * portal_backoff_seconds: 1 min, 5 min, 30 min,
 * 2 h, 6 h, 12 h, 12 h, about a day and a half in all). */
#define PORTAL_MAIL_MAX_ATTEMPTS 8

/* What rendering a mail needs; the module keeps one per server in its
 * configuration (pr->cfg->mail), portalctl builds its own. */
typedef struct {
    const portal_mustache_set *templates;  /* with email/<name>.{text,html} */
    const portal_i18n *i18n;
    const char *base_url;                  /* PortalBaseURL: links in mails */
    const char *default_locale;            /* for a locale that is not shipped */
    const char *from;                      /* PortalMailFrom: Message-IDs' domain */
} portal_mail_ctx;

typedef struct {
    const char *locale;   /* the shipped locale it was rendered in */
    const char *subject;  /* one line */
    const char *text;
    const char *html;
} portal_mail_rendered;

/* Renders template_name (lowercase letters, digits, '_') in locale:
 * email/<name>.text and email/<name>.html with the view vars (borrowed) plus
 * t (the locale's catalog), lang and base_url, and the subject from the
 * catalog key email.<name>.subject, rendered as Mustache with the same view.
 * The text part and the subject are plain text: the five HTML entities
 * Mustache escapes with are decoded again (only the HTML part is HTML).
 * APR_SUCCESS, or APR_NOTFOUND / APR_EINVAL with *why. */
apr_status_t portal_mail_render(apr_pool_t *p, const portal_mail_ctx *ctx, const char *locale,
                                const char *template_name, json_t *vars,
                                portal_mail_rendered *out, const char **why);

/* Renders the mail and queues it for `to` (one address, checked with
 * portal_mail_address_valid). Runs on db as it is: inside the caller's
 * transaction if one is open, so a mail and the row that caused it commit
 * together. A bad address or template is PORTAL_DB_FAILED with err->message
 * saying which, and nothing is queued. */
apr_status_t portal_mail_enqueue(portal_db *db, apr_pool_t *p, const portal_mail_ctx *ctx,
                                 const char *to, const char *locale,
                                 const char *template_name, json_t *vars /* borrowed */,
                                 portal_db_error *err);

typedef struct {
    int sent, retrying, failed;
    int unavailable;           /* the server took no mail: the run stopped there */
    const char *reason;        /* ... why, in words that stay the same while it lasts */
    const char *last_error;    /* of the last mail that was not sent */
} portal_deliver_report;

/* Sends due outbox rows one at a time until none is due or budget_end has
 * passed, each leased to `worker`. A 4xx is tried again after
 * portal_backoff_seconds(attempts); a 5xx, or a temporary failure on the
 * last attempt, marks the row failed; a server that takes no mail at all
 * stops the run and leaves the row as it was (its attempt not counted).
 * i18n (may be NULL) gives the From: display name, brand.product. An error
 * is a database failure; what was done until then is in rep. */
apr_status_t portal_outbox_deliver(portal_db *db, apr_pool_t *p, const portal_smtp_cfg *smtp,
                                   const portal_i18n *i18n, const char *worker,
                                   apr_time_t budget_end, portal_deliver_report *rep,
                                   portal_db_error *err);

#endif
