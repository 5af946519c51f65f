#include "smtp.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include <curl/curl.h>

#define MAX_AUTH_LINE 1024

struct portal_smtp {
    apr_pool_t *pool;
    const portal_smtp_cfg *cfg;
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
    char reply[512];          /* the server's last refusal (4xx, 5xx), in its own words */
};

typedef struct {
    const char *data;
    apr_size_t len, off;
} reader;

const char *portal_smtp_url_problem(apr_pool_t *p, const char *url)
{
    apr_uri_t u;
    if (!url || apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.scheme || !u.hostname
        || !*u.hostname)
        return "give smtp://host[:port] (STARTTLS, see PortalSMTPStartTLS) or "
               "smtps://host[:port] (TLS from the start)";
    if (strcasecmp(u.scheme, "smtp") != 0 && strcasecmp(u.scheme, "smtps") != 0)
        return apr_psprintf(p, "the scheme is %s; use smtp:// or smtps://", u.scheme);
    if (u.user || u.password)
        return "a user or password in the URL would be readable in the configuration; put "
               "\"user:password\" in a file of mode 0600 and name it in PortalSMTPAuthFile";
    if (u.query || u.fragment)
        return "the URL takes no query or fragment";
    return NULL;
}

int portal_smtp_url_is_loopback(apr_pool_t *p, const char *url)
{
    apr_uri_t u;
    if (!url || apr_uri_parse(p, url, &u) != APR_SUCCESS || !u.hostname)
        return 0;
    return strcasecmp(u.hostname, "localhost") == 0 || strncmp(u.hostname, "127.", 4) == 0
        || strcmp(u.hostname, "::1") == 0;
}

apr_status_t portal_smtp_read_auth_file(apr_pool_t *p, const char *path, const char **user,
                                        const char **password, const char **why)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *why = apr_psprintf(p, "%s; create it with one line \"user:password\" and chmod 600",
                            strerror(errno));
        return APR_ENOENT;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "not a regular file";
        return APR_EINVAL;
    }
    if (st.st_mode & 077) {
        *why = apr_psprintf(p, "readable by group or others (mode %04o); run chmod 600 %s",
                            (unsigned)(st.st_mode & 07777), path);
        return APR_EINVAL;
    }
    apr_file_t *f;
    char line[MAX_AUTH_LINE + 1];
    apr_size_t n = MAX_AUTH_LINE;
    if (apr_file_open(&f, path, APR_FOPEN_READ, 0, p) != APR_SUCCESS) {
        *why = "cannot be read by the user Apache starts as";
        return APR_EACCES;
    }
    apr_status_t rv = apr_file_read_full(f, line, n, &n);
    apr_file_close(f);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EOF(rv)) {
        *why = "cannot be read";
        return rv;
    }
    line[n] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    char *colon = strchr(line, ':');
    if (!colon || colon == line || !colon[1]) {
        *why = "its first line must be \"user:password\"";
        return APR_EINVAL;
    }
    *colon = '\0';
    *user = apr_pstrdup(p, line);
    *password = apr_pstrdup(p, colon + 1);
    return APR_SUCCESS;
}

static apr_status_t cleanup_curl(void *data)
{
    curl_easy_cleanup(data);
    return APR_SUCCESS;
}

/* Keeps the server's last refusal line ("451 4.7.1 Greylisted"), not the
 * "221 Bye" that follows it; what we send (AUTH carries the password) is
 * never looked at. */
static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *baton)
{
    (void)c;
    portal_smtp *s = baton;
    if (type != CURLINFO_HEADER_IN || size == 0 || (data[0] != '4' && data[0] != '5'))
        return 0;
    size_t n = size < sizeof(s->reply) - 1 ? size : sizeof(s->reply) - 1;
    memcpy(s->reply, data, n);
    s->reply[n] = '\0';
    for (char *c2 = s->reply; *c2; c2++)
        if (*c2 == '\r' || *c2 == '\n' || (unsigned char)*c2 < 0x20)
            *c2 = *c2 == '\r' || *c2 == '\n' ? '\0' : ' ';
    return 0;
}

static size_t discard(char *data, size_t size, size_t n, void *baton)
{
    (void)data;
    (void)baton;
    return size * n;
}

static size_t read_message(char *buf, size_t size, size_t nitems, void *baton)
{
    reader *r = baton;
    size_t room = size * nitems, left = r->len - r->off;
    size_t n = left < room ? left : room;
    memcpy(buf, r->data + r->off, n);
    r->off += n;
    return n;
}

static int is_plain_smtp(const char *url)
{
    return strncasecmp(url, "smtp://", 7) == 0;
}

static void common_options(portal_smtp *s)
{
    CURL *c = s->curl;
    const portal_smtp_cfg *cfg = s->cfg;
    curl_easy_setopt(c, CURLOPT_URL, cfg->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    /* Threads of an Apache child: no signals, so no SIGALRM for timeouts. */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)PORTAL_SMTP_CONNECT_TIMEOUT);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(cfg->timeout > 0 ? cfg->timeout
                                                                 : PORTAL_SMTP_TIMEOUT));
    if (cfg->starttls && is_plain_smtp(cfg->url))
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (cfg->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password);
    }
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
}

portal_smtp *portal_smtp_open(apr_pool_t *p, const portal_smtp_cfg *cfg)
{
    portal_smtp *s = apr_pcalloc(p, sizeof(*s));
    s->pool = p;
    s->cfg = cfg;
    s->curl = curl_easy_init();
    if (!s->curl)
        return NULL;
    apr_pool_cleanup_register(p, s->curl, cleanup_curl, apr_pool_cleanup_null);
    common_options(s);
    return s;
}

portal_smtp_outcome portal_smtp_classify(int curl_code, long reply)
{
    if (curl_code == CURLE_OK)
        return PORTAL_SMTP_SENT;
    /* A refused login or TLS is our configuration, and a server that never
     * answered, or said 421, is down: no message is to blame, so none is
     * charged an attempt or dropped while the operator fixes it. */
    switch (curl_code) {
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        return PORTAL_SMTP_UNAVAILABLE;
    default:
        break;
    }
    if (reply == 0 || reply == 421 || reply == 530 || reply == 534 || reply == 535
        || reply == 538)
        return PORTAL_SMTP_UNAVAILABLE;
    if (reply >= 500 && reply <= 599)
        return PORTAL_SMTP_PERMANENT;
    return PORTAL_SMTP_TEMPORARY;
}

static void result_of(portal_smtp *s, CURLcode rc, portal_smtp_result *out)
{
    long code = 0;
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
    out->code = code;
    out->outcome = portal_smtp_classify(rc, code);
    if (rc == CURLE_OK) {
        out->error = out->reason = NULL;
        return;
    }
    out->reason = code >= 400 ? apr_psprintf(s->pool, "%s (reply %ld)", curl_easy_strerror(rc),
                                             code)
                              : curl_easy_strerror(rc);
    const char *what = s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
    /* The server's reply when it gave one ("451 4.7.1 Greylisted"), with
     * what libcurl was doing ("RCPT failed: 451"). */
    out->error = code >= 400 && s->reply[0]
               ? apr_psprintf(s->pool, "%s (%s)", s->reply, what)
               : apr_pstrdup(s->pool, what);
}

void portal_smtp_send(portal_smtp *s, const char *to, const char *message, apr_size_t len,
                      portal_smtp_result *out)
{
    reader r = { message, len, 0 };
    struct curl_slist *rcpt = curl_slist_append(NULL, apr_pstrcat(s->pool, "<", to, ">", NULL));
    if (!rcpt) {
        *out = (portal_smtp_result){ PORTAL_SMTP_TEMPORARY, 0, "out of memory", "out of memory" };
        return;
    }
    s->errbuf[0] = '\0';
    s->reply[0] = '\0';
    curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM,
                     apr_pstrcat(s->pool, "<", s->cfg->from, ">", NULL));
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(s->curl, CURLOPT_READDATA, &r);
    CURLcode rc = curl_easy_perform(s->curl);
    curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
    curl_easy_setopt(s->curl, CURLOPT_READDATA, NULL);
    curl_slist_free_all(rcpt);
    result_of(s, rc, out);
}

void portal_smtp_probe(apr_pool_t *p, const portal_smtp_cfg *cfg, portal_smtp_result *out)
{
    portal_smtp *s = portal_smtp_open(p, cfg);
    if (!s) {
        *out = (portal_smtp_result){ PORTAL_SMTP_UNAVAILABLE, 0, "libcurl made no handle",
                                     "libcurl made no handle" };
        return;
    }
    curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, "NOOP");
    result_of(s, curl_easy_perform(s->curl), out);
}
