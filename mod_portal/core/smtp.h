/* Sending one message to an SMTP server through libcurl, and what the
 * server's answer means for the message: sent, try again later (4xx, no
 * connection, a timeout), or refused for good (5xx). No httpd: the module's
 * jobs and portalctl share it. */
#ifndef PORTAL_SMTP_H
#define PORTAL_SMTP_H

#include <apr_pools.h>

/* Seconds; a slow or silent server never holds a job longer than this. */
#define PORTAL_SMTP_CONNECT_TIMEOUT 10
#define PORTAL_SMTP_TIMEOUT 30

typedef struct {
    const char *url;        /* PortalSMTPURL: smtp://host[:port] or smtps://...; NULL: mail off */
    int starttls;           /* PortalSMTPStartTLS: smtp:// must upgrade with STARTTLS */
    const char *auth_file;  /* PortalSMTPAuthFile, or NULL */
    const char *user;       /* ... its "user:password", read when configured */
    const char *password;
    const char *from;       /* PortalMailFrom: envelope sender and From: address */
    int timeout;            /* total seconds for one message; 0: PORTAL_SMTP_TIMEOUT */
} portal_smtp_cfg;

typedef enum {
    PORTAL_SMTP_SENT = 0,
    PORTAL_SMTP_TEMPORARY,  /* this message, later: a 4xx, a timeout mid-transaction */
    PORTAL_SMTP_PERMANENT,  /* the server refused this message for good: a 5xx */
    PORTAL_SMTP_UNAVAILABLE /* the server took no mail at all: no connection, no TLS,
                             * login refused, 421; nothing to do with the message */
} portal_smtp_outcome;

typedef struct {
    portal_smtp_outcome outcome;
    long code;              /* the server's last reply code, 0 if none */
    const char *error;      /* one line for the outbox's last_error */
    const char *reason;     /* the same without details that change from one try to
                             * the next ("Couldn't connect to server"): for logs */
} portal_smtp_result;

/* NULL when url is an address mod_portal can send through, else why not
 * (for apache2 -t and portalctl): smtp:// or smtps://, a host, no user or
 * password in it (they belong in PortalSMTPAuthFile), no query. */
const char *portal_smtp_url_problem(apr_pool_t *p, const char *url);

/* 1 when url's host is the loopback interface (127.0.0.0/8, ::1, localhost):
 * the only place a password may travel without TLS. */
int portal_smtp_url_is_loopback(apr_pool_t *p, const char *url);

/* Reads "user:password" from the first line of path, which must be a
 * regular file that neither group nor others may read. APR_SUCCESS, or a
 * status and *why as one line with the fix. */
apr_status_t portal_smtp_read_auth_file(apr_pool_t *p, const char *path, const char **user,
                                        const char **password, const char **why);

/* One connection's worth of sending: a libcurl handle, reused for several
 * messages so they share a connection; freed with p. NULL if libcurl
 * cannot make a handle. */
typedef struct portal_smtp portal_smtp;
portal_smtp *portal_smtp_open(apr_pool_t *p, const portal_smtp_cfg *cfg);

/* Sends message (len bytes, CRLF lines, as portal_mime_build made it) from
 * cfg->from to one recipient. */
void portal_smtp_send(portal_smtp *s, const char *to, const char *message, apr_size_t len,
                      portal_smtp_result *out);

/* Connects (with STARTTLS and login as configured) and says NOOP: whether
 * the server answers, for portalctl doctor. */
void portal_smtp_probe(apr_pool_t *p, const portal_smtp_cfg *cfg, portal_smtp_result *out);

/* The outcome a libcurl code and reply code mean (exposed for unit tests). */
portal_smtp_outcome portal_smtp_classify(int curl_code, long reply_code);

#endif
