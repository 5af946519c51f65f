/* Mail as bytes and the rules around it: addresses, RFC 2047 headers, the
 * MIME message read back by a strict parser, rendering in four languages,
 * the SMTP outcome of each server answer, the backoff schedule, the auth
 * file. */
#include "check.h"
#include "jobs.h"
#include "mime.h"
#include "outbox.h"
#include "smtp.h"
#include "tmpldir.h"
#include "utf8.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <curl/curl.h>

static apr_pool_t *p;

static int b64_value(char c)
{
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *at = c ? strchr(alphabet, c) : NULL;
    return at ? (int)(at - alphabet) : -1;
}

/* Strict base64: groups of four, padding only at the end; NULL otherwise. */
static char *b64_decode(const char *s, apr_size_t n, apr_size_t *out_len)
{
    if (n % 4)
        return NULL;
    char *out = apr_palloc(p, n / 4 * 3 + 1), *o = out;
    for (apr_size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            v[k] = s[i + k] == '=' && i + 4 == n && k >= 2 ? 0 : b64_value(s[i + k]);
            if (v[k] < 0)
                return NULL;
        }
        unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | v[3];
        *o++ = (char)(w >> 16);
        if (s[i + 2] != '=')
            *o++ = (char)(w >> 8 & 255);
        if (s[i + 3] != '=')
            *o++ = (char)(w & 255);
    }
    *o = '\0';
    *out_len = (apr_size_t)(o - out);
    return out;
}

/* Decodes a header value made of "=?UTF-8?B?...?=" words separated by
 * folding (CRLF SP): the text, or NULL if any piece is not such a word or
 * a word's text is not whole UTF-8 characters. Plain text is returned as
 * it is. */
static const char *decode_header(const char *v)
{
    if (strncmp(v, "=?", 2) != 0)
        return v;
    const char *text = "";
    while (*v) {
        if (strncmp(v, "=?UTF-8?B?", 10) != 0)
            return NULL;
        const char *end = strstr(v + 10, "?=");
        if (!end)
            return NULL;
        apr_size_t n;
        char *part = b64_decode(v + 10, (apr_size_t)(end - v - 10), &n);
        if (!part || !portal_utf8_valid(part, n) || end + 2 - v > 75)
            return NULL;
        text = apr_pstrcat(p, text, part, NULL);
        v = end + 2;
        if (strncmp(v, "\r\n ", 3) == 0)
            v += 3;
        else if (*v)
            return NULL;
    }
    return text;
}

static void test_addresses(void)
{
    CHECK(portal_mail_address_valid("alice@example.com"));
    CHECK(portal_mail_address_valid("a.b+tag@sub.example-domain.az"));
    CHECK(portal_mail_address_valid("o'brien@example.co.uk"));
    CHECK(!portal_mail_address_valid(NULL));
    CHECK(!portal_mail_address_valid(""));
    CHECK(!portal_mail_address_valid("alice@example.com\r\nBcc: eve@example.com"));
    CHECK(!portal_mail_address_valid("alice@example.com\n"));
    CHECK(!portal_mail_address_valid("alice@example.com, eve@example.com"));
    CHECK(!portal_mail_address_valid("alice@example.com,eve@example.com"));
    CHECK(!portal_mail_address_valid("alice@example.com;eve@example.com"));
    CHECK(!portal_mail_address_valid("Alice <alice@example.com>"));
    CHECK(!portal_mail_address_valid("alice @example.com"));
    CHECK(!portal_mail_address_valid("alice@eve@example.com"));
    CHECK(!portal_mail_address_valid("\"alice\"@example.com"));
    CHECK(!portal_mail_address_valid(".alice@example.com"));
    CHECK(!portal_mail_address_valid("al..ice@example.com"));
    CHECK(!portal_mail_address_valid("alice.@example.com"));
    CHECK(!portal_mail_address_valid("alice@localhost"));
    CHECK(!portal_mail_address_valid("alice@-example.com"));
    CHECK(!portal_mail_address_valid("alice@example.com."));
    CHECK(!portal_mail_address_valid("alice@exa_mple.com"));
    CHECK(!portal_mail_address_valid("алиса@example.com"));
    CHECK(!portal_mail_address_valid("@example.com"));
    char local[70];
    memset(local, 'a', 65);
    local[65] = '\0';
    CHECK(!portal_mail_address_valid(apr_pstrcat(p, local, "@example.com", NULL)));
    local[64] = '\0';
    CHECK(portal_mail_address_valid(apr_pstrcat(p, local, "@example.com", NULL)));
    CHECK_STR(portal_mail_domain(p, "noreply@portal.example.com"), "portal.example.com");
}

static void test_headers(void)
{
    CHECK_STR(portal_mime_header_text(p, "Your portal can send e-mail"),
              "Your portal can send e-mail");
    /* A line break in a value never reaches the header. */
    CHECK_STR(portal_mime_header_text(p, "Hi\r\nBcc: eve@example.com"),
              "Hi  Bcc: eve@example.com");
    /* Something that looks like an encoded word is encoded itself. */
    CHECK(strncmp(portal_mime_header_text(p, "=?UTF-8?B?QQ==?="), "=?UTF-8?B?", 10) == 0);
    CHECK_STR(decode_header(portal_mime_header_text(p, "=?UTF-8?B?QQ==?=")),
              "=?UTF-8?B?QQ==?=");
    const char *subjects[] = {
        "Tabula ERP: тестовое письмо с клиентского портала",
        "Tabula ERP: müştəri portalından sınaq məktubu",
        "Tabula ERP: müşteri portalından deneme iletisi",
        "😀 emoji and long ASCII text that goes on and on past sixty characters, to fold",
        "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé",
    };
    for (size_t i = 0; i < sizeof(subjects) / sizeof(subjects[0]); i++) {
        const char *h = portal_mime_header_text(p, subjects[i]);
        CHECK_STR(decode_header(h), subjects[i]);
        const char *line = apr_pstrcat(p, "Subject: ", h, NULL);
        for (const char *l = line; l;) {
            const char *eol = strstr(l, "\r\n");
            apr_size_t n = eol ? (apr_size_t)(eol - l) : strlen(l);
            if (!CHECK(n <= 78))
                fprintf(stderr, "  line of %zu: %.*s\n", n, (int)n, l);
            l = eol ? eol + 2 : NULL;
        }
        CHECK(!strchr(h, '\n') || strstr(h, "\r\n "));
    }
    CHECK_STR(portal_mime_display_name(p, "Tabula ERP"), "Tabula ERP");
    CHECK_STR(portal_mime_display_name(p, "Tabula, Inc. \"ERP\""), "\"Tabula, Inc. \\\"ERP\\\"\"");
    CHECK_STR(decode_header(portal_mime_display_name(p, "Табула")), "Табула");
    apr_time_t t = apr_time_from_sec(1795510800);   /* 2026-11-24 09:00:00 UTC */
    CHECK_STR(portal_mime_date(p, t), "Tue, 24 Nov 2026 09:00:00 +0000");
    const char *id = portal_mime_message_id(p, "portal.example.com");
    CHECK(id && strlen(id) == 1 + 32 + 1 + 18 + 1 && id[0] == '<' && strchr(id, '@'));
    CHECK(strcmp(id, portal_mime_message_id(p, "portal.example.com")) != 0);
}

/* A strict reading of what portal_mime_build wrote: CRLF lines of at most
 * 78 characters, each header once, one multipart/alternative body of two
 * base64 parts and the closing delimiter. Returns the number of problems;
 * *text and *html get the decoded parts. */
static int read_back(const char *msg, apr_size_t len, apr_table_t *headers, const char **text,
                     const char **html)
{
    int bad = 0;
    for (apr_size_t i = 0; i < len; i++)
        if ((msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
            || (msg[i] == '\r' && msg[i + 1] != '\n'))
            return 1000;   /* a bare CR or LF */
    if (len < 2 || strcmp(msg + len - 2, "\r\n") != 0)
        return 1000;
    apr_array_header_t *lines = apr_array_make(p, 64, sizeof(char *));
    for (const char *l = msg; *l;) {
        const char *eol = strstr(l, "\r\n");
        if ((apr_size_t)(eol - l) > 78)
            bad++;
        APR_ARRAY_PUSH(lines, char *) = apr_pstrmemdup(p, l, (apr_size_t)(eol - l));
        l = eol + 2;
    }
    int i = 0;
    char **L = (char **)lines->elts;
    for (; i < lines->nelts && *L[i]; i++) {
        char *colon = strchr(L[i], ':');
        if (L[i][0] == ' ') {   /* folded */
            const apr_array_header_t *arr = apr_table_elts(headers);
            apr_table_entry_t *last = &APR_ARRAY_IDX(arr, arr->nelts - 1, apr_table_entry_t);
            last->val = apr_pstrcat(p, last->val, "\r\n", L[i], NULL);
            continue;
        }
        if (!colon || colon[1] != ' ')
            return bad + 100;
        *colon = '\0';
        if (apr_table_get(headers, L[i]))
            bad++;   /* twice */
        apr_table_add(headers, L[i], colon + 2);
    }
    const char *ct = apr_table_get(headers, "Content-Type");
    const char *bq = ct ? strstr(ct, "boundary=\"") : NULL;
    if (!ct || strncmp(ct, "multipart/alternative;", 22) != 0 || !bq)
        return bad + 100;
    const char *boundary = apr_pstrmemdup(p, bq + 10, strcspn(bq + 10, "\""));
    const char *delim = apr_pstrcat(p, "--", boundary, NULL);
    const char *types[] = { "text/plain; charset=utf-8", "text/html; charset=utf-8" };
    const char **outs[] = { text, html };
    i++;   /* the empty line */
    for (int part = 0; part < 2; part++) {
        if (i >= lines->nelts || strcmp(L[i++], delim) != 0)
            return bad + 100;
        if (i + 2 >= lines->nelts || strcmp(L[i], apr_pstrcat(p, "Content-Type: ", types[part],
                                                              NULL)) != 0
            || strcmp(L[i + 1], "Content-Transfer-Encoding: base64") != 0 || *L[i + 2])
            return bad + 100;
        i += 3;
        const char *b64 = "";
        for (; i < lines->nelts && strncmp(L[i], "--", 2) != 0; i++) {
            if (strlen(L[i]) > 76)
                bad++;
            b64 = apr_pstrcat(p, b64, L[i], NULL);
        }
        apr_size_t n;
        *outs[part] = b64_decode(b64, strlen(b64), &n);
        if (!*outs[part] || !portal_utf8_valid(*outs[part], n))
            return bad + 100;
    }
    if (i != lines->nelts - 1 || strcmp(L[i], apr_pstrcat(p, delim, "--", NULL)) != 0)
        return bad + 100;
    return bad;
}

static void test_message(void)
{
    portal_mime_mail m = {
        .from_addr = "noreply@portal.example.com", .from_name = "Tabula ERP",
        .to = "alice@example.com", .subject = "Ваш портал может отправлять почту",
        .message_id = "<0123@portal.example.com>", .language = "ru",
        .date = apr_time_from_sec(1795510800),
        .text = "Здравствуйте!\nA long line of the text part that does not fit into seventy-six "
                "characters of base64, so the encoding has to wrap it.\n\n-- \nTabula ERP",
        .html = "<!DOCTYPE html>\r\n<p>Здравствуйте, &lt;Alice&gt;</p>",
    };
    apr_size_t len;
    const char *msg = portal_mime_build(p, &m, &len);
    CHECK(msg != NULL && len == strlen(msg));
    apr_table_t *h = apr_table_make(p, 16);
    const char *text = NULL, *html = NULL;
    CHECK_INT(read_back(msg, len, h, &text, &html), 0);
    CHECK_STR(apr_table_get(h, "Date"), "Tue, 24 Nov 2026 09:00:00 +0000");
    CHECK_STR(apr_table_get(h, "From"), "Tabula ERP <noreply@portal.example.com>");
    CHECK_STR(apr_table_get(h, "To"), "alice@example.com");
    CHECK_STR(apr_table_get(h, "Message-ID"), "<0123@portal.example.com>");
    CHECK_STR(apr_table_get(h, "MIME-Version"), "1.0");
    CHECK_STR(apr_table_get(h, "Content-Language"), "ru");
    CHECK_STR(apr_table_get(h, "Auto-Submitted"), "auto-generated");
    CHECK_STR(decode_header(apr_table_get(h, "Subject")), m.subject);
    /* The parts come back in canonical form: CRLF line ends. */
    CHECK_STR(text, "Здравствуйте!\r\nA long line of the text part that does not fit into "
                    "seventy-six characters of base64, so the encoding has to wrap it.\r\n\r\n"
                    "-- \r\nTabula ERP\r\n");
    CHECK_STR(html, "<!DOCTYPE html>\r\n<p>Здравствуйте, &lt;Alice&gt;</p>\r\n");

    /* What would break the message is refused, not written. */
    portal_mime_mail bad = m;
    bad.to = "alice@example.com\r\nBcc: eve@example.com";
    CHECK(portal_mime_build(p, &bad, &len) == NULL);
    bad = m;
    bad.from_addr = "nobody";
    CHECK(portal_mime_build(p, &bad, &len) == NULL);
    bad = m;
    bad.subject = NULL;
    CHECK(portal_mime_build(p, &bad, &len) == NULL);
    /* A subject with a line break stays one header. */
    bad = m;
    bad.subject = "Hello\r\nBcc: eve@example.com";
    msg = portal_mime_build(p, &bad, &len);
    h = apr_table_make(p, 16);
    CHECK_INT(read_back(msg, len, h, &text, &html), 0);
    CHECK(apr_table_get(h, "Bcc") == NULL);
}

static void test_render(void)
{
    portal_mustache_set *set = portal_mustache_set_make(p);
    portal_i18n *i18n = NULL;
    const char *err = NULL;
    if (!CHECK(portal_tmpldir_load(set, "templates", p, &err) == APR_SUCCESS
               && portal_i18n_load(p, "templates/i18n", &i18n, &err) == APR_SUCCESS)) {
        fprintf(stderr, "  %s\n", err);
        return;
    }
    portal_mail_ctx ctx = { set, i18n, "https://portal.example.com", "en",
                            "noreply@portal.example.com" };
    json_t *vars = json_pack("{s:s, s:s}", "host", "<b>web1</b> & co", "time", "09:00");
    const char *subjects[4];
    for (int i = 0; i < portal_locale_count; i++) {
        const char *code = portal_locales[i].code;
        portal_mail_rendered r;
        const char *why = NULL;
        if (!CHECK(portal_mail_render(p, &ctx, code, "test", vars, &r, &why) == APR_SUCCESS)) {
            fprintf(stderr, "  %s: %s\n", code, why);
            continue;
        }
        CHECK_STR(r.locale, code);
        subjects[i] = r.subject;
        /* The subject's own Mustache ran: the product name, no tag left. */
        CHECK(strncmp(r.subject, "Tabula ERP: ", 12) == 0 && !strstr(r.subject, "{{"));
        CHECK(strstr(r.text, portal_i18n_get(i18n, code, "email.test.title")) != NULL);
        CHECK(strstr(r.html, portal_i18n_get(i18n, code, "email.test.title")) != NULL);
        CHECK(strstr(r.html, apr_pstrcat(p, "<html lang=\"", code, "\"", NULL)) != NULL);
        /* The text part is plain text, the HTML part escapes. */
        CHECK(strstr(r.text, "<b>web1</b> & co") != NULL);
        CHECK(strstr(r.html, "&lt;b&gt;web1&lt;/b&gt; &amp; co") != NULL);
        CHECK(strstr(r.html, "<b>web1") == NULL);
    }
    for (int i = 0; i < portal_locale_count; i++)
        for (int k = i + 1; k < portal_locale_count; k++)
            CHECK(strcmp(subjects[i], subjects[k]) != 0);
    portal_mail_rendered r;
    const char *why = NULL;
    CHECK(portal_mail_render(p, &ctx, "de", "test", vars, &r, &why) == APR_SUCCESS
          && strcmp(r.locale, "en") == 0);
    CHECK(portal_mail_render(p, &ctx, "en", "no_such_mail", vars, &r, &why) == APR_NOTFOUND);
    CHECK(portal_mail_render(p, &ctx, "en", "../public/home", vars, &r, &why) == APR_EINVAL);
    json_decref(vars);
}

static void test_outcomes(void)
{
    CHECK_INT(portal_smtp_classify(CURLE_OK, 250), PORTAL_SMTP_SENT);
    CHECK_INT(portal_smtp_classify(CURLE_SEND_ERROR, 550), PORTAL_SMTP_PERMANENT);
    CHECK_INT(portal_smtp_classify(CURLE_WEIRD_SERVER_REPLY, 552), PORTAL_SMTP_PERMANENT);
    CHECK_INT(portal_smtp_classify(CURLE_SEND_ERROR, 451), PORTAL_SMTP_TEMPORARY);
    CHECK_INT(portal_smtp_classify(CURLE_WEIRD_SERVER_REPLY, 452), PORTAL_SMTP_TEMPORARY);
    CHECK_INT(portal_smtp_classify(CURLE_OPERATION_TIMEDOUT, 354), PORTAL_SMTP_TEMPORARY);
    CHECK_INT(portal_smtp_classify(CURLE_COULDNT_CONNECT, 0), PORTAL_SMTP_UNAVAILABLE);
    CHECK_INT(portal_smtp_classify(CURLE_OPERATION_TIMEDOUT, 0), PORTAL_SMTP_UNAVAILABLE);
    CHECK_INT(portal_smtp_classify(CURLE_LOGIN_DENIED, 535), PORTAL_SMTP_UNAVAILABLE);
    CHECK_INT(portal_smtp_classify(CURLE_USE_SSL_FAILED, 250), PORTAL_SMTP_UNAVAILABLE);
    CHECK_INT(portal_smtp_classify(CURLE_WEIRD_SERVER_REPLY, 421), PORTAL_SMTP_UNAVAILABLE);
    CHECK_INT(portal_smtp_classify(CURLE_SEND_ERROR, 530), PORTAL_SMTP_UNAVAILABLE);

    CHECK(portal_smtp_url_problem(p, "smtp://mail.example.com:587") == NULL);
    CHECK(portal_smtp_url_problem(p, "smtps://mail.example.com:465") == NULL);
    CHECK(portal_smtp_url_problem(p, "SMTP://127.0.0.1:2525") == NULL);
    CHECK(portal_smtp_url_problem(p, "http://mail.example.com") != NULL);
    CHECK(portal_smtp_url_problem(p, "smtp://user:secret@mail.example.com") != NULL);
    CHECK(portal_smtp_url_problem(p, "smtp://") != NULL);
    CHECK(portal_smtp_url_problem(p, "mail.example.com") != NULL);
    CHECK(portal_smtp_url_is_loopback(p, "smtp://127.0.0.1:2525"));
    CHECK(portal_smtp_url_is_loopback(p, "smtp://localhost"));
    CHECK(!portal_smtp_url_is_loopback(p, "smtp://mail.example.com"));

    CHECK_INT(portal_backoff_seconds(1), 60);
    CHECK_INT(portal_backoff_seconds(2), 300);
    CHECK_INT(portal_backoff_seconds(3), 1800);
    CHECK_INT(portal_backoff_seconds(4), 7200);
    CHECK_INT(portal_backoff_seconds(5), 21600);
    CHECK_INT(portal_backoff_seconds(6), 43200);
    CHECK_INT(portal_backoff_seconds(PORTAL_MAIL_MAX_ATTEMPTS), 43200);
    CHECK_INT(portal_backoff_seconds(0), 60);
    int total = 0;
    for (int a = 1; a < PORTAL_MAIL_MAX_ATTEMPTS; a++)
        total += portal_backoff_seconds(a);
    CHECK(total > 86400 && total < 2 * 86400);   /* outbox.h: about a day and a half */
}

static void test_auth_file(void)
{
    char path[] = "/tmp/portal-test-auth-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "mailer:s3cret:with:colons\n", 26) == 26);
    close(fd);
    const char *user = NULL, *pw = NULL, *why = NULL;
    chmod(path, 0600);
    CHECK(portal_smtp_read_auth_file(p, path, &user, &pw, &why) == APR_SUCCESS);
    CHECK_STR(user, "mailer");
    CHECK_STR(pw, "s3cret:with:colons");
    chmod(path, 0640);
    CHECK(portal_smtp_read_auth_file(p, path, &user, &pw, &why) != APR_SUCCESS);
    CHECK(why && strstr(why, "chmod 600"));
    FILE *f = fopen(path, "w");
    fputs("no colon here\n", f);
    fclose(f);
    chmod(path, 0600);
    CHECK(portal_smtp_read_auth_file(p, path, &user, &pw, &why) != APR_SUCCESS);
    unlink(path);
    CHECK(portal_smtp_read_auth_file(p, path, &user, &pw, &why) == APR_ENOENT);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&p, NULL);
    test_addresses();
    test_headers();
    test_message();
    test_render();
    test_outcomes();
    test_auth_file();
    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("mail");
}
