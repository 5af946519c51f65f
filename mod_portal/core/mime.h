/* Internet mail as bytes: the rules a message must follow before it goes to
 * an SMTP server (RFC 5322 headers, RFC 2045-2047 MIME and encoded words).
 * Plain data and pools; used by the outbox when it queues a mail and by the
 * mail.deliver job when it sends one. */
#ifndef PORTAL_MIME_H
#define PORTAL_MIME_H

#include <apr_pools.h>
#include <apr_time.h>

/* 1 when addr is one plain mailbox "local@domain" we can put into an SMTP
 * envelope and a To: header unquoted: at most 254 bytes, a dot-atom local
 * part (RFC 5322 atext, at most 64 bytes) and a domain of LDH labels with a
 * dot (or an IPv4 literal in brackets). Refuses everything that could split
 * a header or name a second recipient: CR, LF, spaces, commas, angle
 * brackets, quotes, non-ASCII (no SMTPUTF8). */
int portal_mail_address_valid(const char *addr);

/* The domain part of a valid address (after the last '@'). */
const char *portal_mail_domain(apr_pool_t *p, const char *addr);

/* text as the value of an unstructured header (Subject) or a display name:
 * printable ASCII of at most 60 bytes stays as it is (a display name made
 * of more than atext and spaces is quoted); anything else becomes RFC 2047
 * "=?UTF-8?B?...?=" words of whole characters, folded with CRLF SP so no
 * line passes 78 characters after a header name of up to 12. CR, LF and
 * other control characters become spaces first: a header value never
 * carries a line break of its own. */
const char *portal_mime_header_text(apr_pool_t *p, const char *text);
const char *portal_mime_display_name(apr_pool_t *p, const char *name);

/* RFC 5322 date-time in UTC: "Tue, 24 Nov 2026 09:00:00 +0000". */
const char *portal_mime_date(apr_pool_t *p, apr_time_t t);

/* A fresh Message-ID "<32 hex digits@domain>"; NULL without randomness. */
const char *portal_mime_message_id(apr_pool_t *p, const char *domain);

/* Standard base64 of data, lines of 76 characters each ending in CRLF. */
const char *portal_mime_base64_lines(apr_pool_t *p, const char *data, apr_size_t n);

typedef struct {
    const char *from_addr;    /* envelope and From: address */
    const char *from_name;    /* display name (UTF-8), or NULL */
    const char *to;           /* one address */
    const char *subject;      /* UTF-8, one line */
    const char *message_id;   /* "<...@...>" */
    const char *language;     /* Content-Language, e.g. "ru", or NULL */
    apr_time_t date;
    const char *text;         /* the text/plain part, UTF-8, LF or CRLF */
    const char *html;         /* the text/html part, UTF-8 */
    const char *boundary;     /* NULL: a random one */
} portal_mime_mail;

/* The whole message, CRLF line ends: headers, then a multipart/alternative
 * body of the text and the HTML part, each UTF-8 in base64 (so the boundary
 * can never occur in a part). NULL when a field is missing or an address
 * is not valid. */
const char *portal_mime_build(apr_pool_t *p, const portal_mime_mail *m, apr_size_t *len);

#endif
