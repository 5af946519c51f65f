/* The streaming multipart/form-data parser: same events at every split
 * point, delimiters hidden in data, CRLF edges, truncation, limits. */
#include "check.h"
#include "multipart.h"
#include "buf.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

#define B "----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define CD "Content-Disposition: form-data; "

/* What the callbacks saw, as text: {name|filename|ct}data{end} ... */
typedef struct {
    portal_buf log;
    int zero_len_data;      /* part_data called with len 0 */
    int fail_begin_at;      /* part number whose begin fails, 0: none */
    int parts;
    portal_multipart *m;
} recorder;

static apr_status_t rec_begin(void *baton, const char *name,
                              const char *filename, const char *ct)
{
    recorder *r = baton;
    if (++r->parts == r->fail_begin_at) {
        portal_multipart_set_error(r->m, "refused");
        return APR_EGENERAL;
    }
    portal_buf_printf(&r->log, "{%s|%s|%s}", name, filename ? filename : "-",
                      ct ? ct : "-");
    return APR_SUCCESS;
}

static apr_status_t rec_data(void *baton, const char *data, apr_size_t len)
{
    recorder *r = baton;
    if (len == 0)
        r->zero_len_data = 1;
    portal_buf_append(&r->log, data, len);
    return APR_SUCCESS;
}

static apr_status_t rec_end(void *baton)
{
    portal_buf_puts(&((recorder *)baton)->log, "{end}");
    return APR_SUCCESS;
}

static const portal_multipart_callbacks rec_cb = { rec_begin, rec_data, rec_end };

typedef struct {
    apr_status_t feed, finish;
    const char *error;
    const char *log;
    apr_size_t log_len;     /* the log may hold NULs from part data */
} result;

/* Feeds body in pieces: cuts[] are ascending split offsets. */
static result run_cuts_in(apr_pool_t *rp, const char *body, apr_size_t len,
                          const apr_size_t *cuts, int ncuts, int fail_begin_at)
{
    recorder r;
    result res = { APR_SUCCESS, APR_SUCCESS, NULL, NULL, 0 };
    apr_size_t at = 0;

    memset(&r, 0, sizeof(r));
    portal_buf_init(&r.log, rp, 256);
    r.fail_begin_at = fail_begin_at;
    r.m = portal_multipart_make(rp, B, &rec_cb, &r);
    for (int i = 0; i <= ncuts && res.feed == APR_SUCCESS; i++) {
        apr_size_t to = i < ncuts ? cuts[i] : len;
        res.feed = portal_multipart_feed(r.m, body + at, to - at);
        at = to;
    }
    res.finish = portal_multipart_finish(r.m);
    res.error = portal_multipart_error(r.m);
    res.log = r.log.data;
    res.log_len = r.log.len;
    if (r.zero_len_data) {
        res.log = "zero-length part_data";
        res.log_len = strlen(res.log);
    }
    return res;
}

static result run_cuts(const char *body, apr_size_t len, const apr_size_t *cuts,
                       int ncuts, int fail_begin_at)
{
    return run_cuts_in(pool, body, len, cuts, ncuts, fail_begin_at);
}

static result run1(const char *body)
{
    return run_cuts(body, strlen(body), NULL, 0, 0);
}

static int same(result a, result b)
{
    return a.feed == b.feed && a.finish == b.finish
        && ((!a.error && !b.error) || (a.error && b.error && !strcmp(a.error, b.error)))
        && a.log_len == b.log_len && memcmp(a.log, b.log, a.log_len) == 0;
}

/* Every single split point, every pair of split points (for short bodies)
 * and one byte per feed give the events and outcome of one feed. */
static void check_all_splits(const char *body, apr_size_t len)
{
    result whole = run_cuts(body, len, NULL, 0, 0);
    apr_size_t cuts[2];
    int bad = 0;
    apr_pool_t *scratch;

    apr_pool_create(&scratch, pool);
#define run_cuts(b, l, c, n, f) (apr_pool_clear(scratch), run_cuts_in(scratch, b, l, c, n, f))

    for (apr_size_t i = 0; i <= len && !bad; i++) {
        cuts[0] = i;
        if (!same(whole, run_cuts(body, len, cuts, 1, 0))) {
            fprintf(stderr, "  split at %zu differs\n", i);
            bad = 1;
        }
    }
    for (apr_size_t i = 0; len <= 400 && i <= len && !bad; i++)
        for (apr_size_t j = i; j <= len && !bad; j++) {
            cuts[0] = i;
            cuts[1] = j;
            if (!same(whole, run_cuts(body, len, cuts, 2, 0))) {
                fprintf(stderr, "  splits at %zu,%zu differ\n", i, j);
                bad = 1;
            }
        }
    apr_size_t *every = apr_palloc(pool, (len + 1) * sizeof(*every));
    for (apr_size_t i = 0; i < len; i++)
        every[i] = i + 1;
    if (!bad && !same(whole, run_cuts(body, len, every, (int)len, 0))) {
        fprintf(stderr, "  one byte per feed differs\n");
        bad = 1;
    }
#undef run_cuts
    apr_pool_destroy(scratch);
    CHECK(!bad);
}

static const char browser_body[] =
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"company\"\r\n"
    "\r\n"
    "Acme \xC3\x9Cr\xC3\xBCnleri\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"note\"\r\n"
    "\r\n"
    "line1\r\nline2\r\n\r\n"
    "--" B "\r\n"
    "Content-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\n"
    "Content-Type: image/png\r\n"
    "\r\n"
    "\x89PNG\r\n\x1a\n\0\0\r\n--" B "X is not a boundary here?\r\n"
    "--" B "--\r\n";

static void test_browser_body(void)
{
    /* "--B X" after CRLF inside data makes the body malformed: check that
     * first, then the same body with that line removed. */
    result r = run_cuts(browser_body, sizeof(browser_body) - 1, NULL, 0, 0);
    CHECK_INT(r.feed, APR_EINVAL);
    CHECK_STR(r.error, "malformed");
    check_all_splits(browser_body, sizeof(browser_body) - 1);

    static const char body[] =
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"company\"\r\n"
        "\r\n"
        "Acme \xC3\x9Cr\xC3\xBCnleri\r\n"
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"note\"\r\n"
        "\r\n"
        "line1\r\nline2\r\n\r\n"
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"logo\"; filename=\"logo.png\"\r\n"
        "Content-Type: image/png\r\n"
        "\r\n"
        "\x89PNG\r\n\x1a\n\0\0 --" B "\r\r\n-\r\n--" B "--\r\n"
        "epilogue is ignored\r\n--" B "\r\n";
    r = run_cuts(body, sizeof(body) - 1, NULL, 0, 0);
    CHECK_INT(r.feed, APR_SUCCESS);
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK(r.error == NULL);
    /* The PNG data holds a NUL; compare bytes. */
    static const char want[] =
        "{company|-|-}Acme \xC3\x9Cr\xC3\xBCnleri{end}"
        "{note|-|-}line1\r\nline2\r\n{end}"
        "{logo|logo.png|image/png}\x89PNG\r\n\x1a\n\0\0 --" B "\r\r\n-{end}";
    recorder rr;
    memset(&rr, 0, sizeof(rr));
    portal_buf_init(&rr.log, pool, 256);
    portal_multipart *m = portal_multipart_make(pool, B, &rec_cb, &rr);
    CHECK_INT(portal_multipart_feed(m, body, sizeof(body) - 1), APR_SUCCESS);
    CHECK_INT(portal_multipart_finish(m), APR_SUCCESS);
    CHECK_INT(rr.log.len, sizeof(want) - 1);
    CHECK(memcmp(rr.log.data, want, sizeof(want) - 1) == 0);
    check_all_splits(body, sizeof(body) - 1);
}

static void test_framing(void)
{
    result r;

    /* Preamble, delimiter after CRLF, padding, no CRLF after the close. */
    r = run1("This is a preamble.\r\n--" B " \t\r\n"
             "content-disposition: FORM-DATA; NAME=a\r\n\r\n1\r\n--" B "--");
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "{a|-|-}1{end}");

    /* Empty part bodies, a body that is only CRLF, CRLF CRLF. */
    r = run1("--" B "\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n"
             "\r\n--" B "\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\n"
             "\r\n\r\n--" B "\r\nContent-Disposition: form-data; name=\"d\"\r\n\r\n"
             "\r\n\r\n\r\n--" B "--\r\n");
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "{e|-|-}{end}{c|-|-}\r\n{end}{d|-|-}\r\n\r\n{end}");

    /* A preamble ending in CR before the delimiter's CRLF. */
    r = run1("pre\r\r\n--" B "\r\n" CD "name=p\r\n\r\n\r\n--" B "--");
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "{p|-|-}{end}");
    r = run1("--" B "x\r\n--" B "--");      /* not at the start: malformed */
    CHECK_STR(r.error, "malformed");
    r = run1("x--" B "\r\n\r\n--" B "--");  /* mid-line: just preamble */
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "");

    /* Zero parts. */
    r = run1("--" B "--\r\n");
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "");

    /* Near-delimiters in data. */
    static const char tricky[] =
        "--" B "\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n"
        "--" B "\r--" B "\n--" B "\r\n-" "-" "\r\n--" "----WebKitFormBoundary7MA4YWxkTrZu0g"
        "\r\r\n\r\n\r\r\n--" B "--";
    r = run1(tricky);
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "{t|-|-}--" B "\r--" B "\n--" B "\r\n--\r\n------WebKitFormBoundary7MA4YWxkTrZu0g"
                     "\r\r\n\r\n\r{end}");
    check_all_splits(tricky, sizeof(tricky) - 1);

    /* Same events for a text part that ends in CR. */
    r = run1("--" B "\r\nContent-Disposition: form-data; name=x\r\n\r\nab\r\r\n--" B "--");
    CHECK_STR(r.log, "{x|-|-}ab\r{end}");
}

static void expect_malformed(const char *body, const char *code)
{
    result r = run1(body);
    if (!CHECK(r.feed != APR_SUCCESS || r.finish != APR_SUCCESS))
        fprintf(stderr, "  accepted: %s\n", body);
    if (!CHECK_STR(r.error, code))
        fprintf(stderr, "  body: %s\n", body);
}

static void test_malformed(void)
{
    expect_malformed("--" B "\nContent-Disposition: form-data; name=a\n\n1\n--" B "--", "malformed");
    expect_malformed("--" B "X\r\n", "malformed");
    expect_malformed("--" B "-x", "malformed");
    expect_malformed("--" B " x\r\n", "malformed");
    expect_malformed("--" B "\rx", "malformed");
    expect_malformed("--" B "\r\n\r\nno headers\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\nContent-Disposition: attachment; name=a\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "filename=\"a\"\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a; name=b\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=\"a\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a b\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a\r\n" CD "name=b\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a\r\nNo colon here\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "\r\n name=a\r\n\r\n\r\n--" B "--", "malformed"); /* obs-fold */
    expect_malformed("--" B "\r\n" CD "name=a\r\nX: a\rb\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a\r\nX: a\x01\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=\"\xC3\"\r\n\r\n\r\n--" B "--", "bad_utf8");
    expect_malformed("--" B "\r\n" CD "name=a; filename*=ISO-8859-1''%E9\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a; filename*=UTF-8''%E9\r\n\r\n\r\n--" B "--", "bad_utf8");
    expect_malformed("--" B "\r\n" CD "name=a; filename*=UTF-8''a%00b\r\n\r\n\r\n--" B "--", "bad_utf8");
    expect_malformed("--" B "\r\n" CD "name=a; filename*=UTF-8''%4\r\n\r\n\r\n--" B "--", "malformed");
    expect_malformed("--" B "\r\n" CD "name=a; filename*=UTF-8\r\n\r\n\r\n--" B "--", "malformed");
}

static void test_truncated(void)
{
    static const char body[] =
        "preamble\r\n--" B "\r\n" CD "name=\"a\"\r\n\r\nvalue\r\n--" B "\r\n"
        CD "name=\"f\"; filename=\"x.bin\"\r\n\r\n\r\n--" B "  \r\n"
        CD "name=\"z\"\r\n\r\n\r\n--" B "--";
    static const char full[] = "{a|-|-}value{end}{f|x.bin|-}{end}{z|-|-}{end}";
    apr_size_t len = sizeof(body) - 1;
    int bad = 0;

    for (apr_size_t n = 0; n < len && !bad; n++) {
        result r = run_cuts(body, n, NULL, 0, 0);
        if (r.feed != APR_SUCCESS || r.finish != APR_EINVAL
            || !r.error || strcmp(r.error, "malformed") != 0) {
            fprintf(stderr, "  prefix %zu: feed %d finish %d error %s\n", n,
                    r.feed, r.finish, r.error ? r.error : "-");
            bad = 1;
        }
        /* Events of a prefix are a prefix of the full body's events. */
        if (!bad && strncmp(r.log, full, strlen(r.log)) != 0) {
            fprintf(stderr, "  prefix %zu: log %s\n", n, r.log);
            bad = 1;
        }
    }
    CHECK(!bad);
    result r = run_cuts(body, len, NULL, 0, 0);
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, full);
    check_all_splits(body, len);
    /* The part ends only once its delimiter line is complete. */
    r = run_cuts(body, (apr_size_t)(strstr(body, "value") - body) + 7 + 2 + strlen(B),
                 NULL, 0, 0);
    CHECK_STR(r.log, "{a|-|-}value");
    r = run_cuts(body, (apr_size_t)(strstr(body, "value") - body) + 7 + 2 + strlen(B) + 2,
                 NULL, 0, 0);
    CHECK_STR(r.log, "{a|-|-}value{end}");

    /* Finishing mid-part: the last part has begun but never ends. */
    r = run1("--" B "\r\n" CD "name=a\r\n\r\npartial data\r\n--" B);
    CHECK_INT(r.finish, APR_EINVAL);
    CHECK_STR(r.log, "{a|-|-}partial data");
    r = run1("");
    CHECK_INT(r.finish, APR_EINVAL);
    CHECK_STR(r.error, "malformed");
}

static void test_disposition(void)
{
    result r = run1("--" B "\r\n"
        "CONTENT-DISPOSITION:form-data;name=\"a\\\"b\\\\c\";FILENAME=\"C:\\dir\\f.txt\"\r\n"
        "content-type:  text/plain; charset=utf-8  \r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nx\r\n--" B "\r\n"
        "Content-Disposition: form-data ; name = \"sp ace\" ; filename = \"\" ; size=3 ;\r\n\r\n"
        "\r\n--" B "\r\n"
        "Content-Disposition: form-data; filename=\"plain.txt\"; "
        "filename*=utf-8'en'%E2%82%AC%20rates.txt; name=ext\r\n\r\n"
        "\r\n--" B "\r\n"
        "Content-Disposition: form-data; name=\"\xC3\xBCnvan\"; filename=\"\xD0\xB0.pdf\"\r\n\r\n"
        "\r\n--" B "--");
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "{a\"b\\c|C:\\dir\\f.txt|text/plain; charset=utf-8}x{end}"
                     "{sp ace||-}{end}"
                     "{ext|\xE2\x82\xAC rates.txt|-}{end}"
                     "{\xC3\xBCnvan|\xD0\xB0.pdf|-}{end}");
}

/* The parser hands a file name over as sent, percent-decoding undone,
 * controls and separators included: making it safe is portal_upload's job
 * (test_upload.c), which needs the whole name to take its basename. Only
 * what cannot be a C string of text is refused. */
static void test_raw_filenames(void)
{
    result r = run1("--" B "\r\n" CD "name=f; "
        "filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3D1%22%3B.txt\r\n\r\n\r\n--" B "\r\n"
        CD "name=g; filename*=UTF-8''a%01%7F%C2%85%E2%80%AE%2F%5C.txt\r\n\r\n\r\n--" B "\r\n"
        CD "name=h; filename=\"a\tb\\\"c\xC2\x85.txt\"\r\n\r\n\r\n--" B "--");
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "{f|evil\r\nSet-Cookie: x=1\";.txt|-}{end}"
                     "{g|a\x01\x7F\xC2\x85\xE2\x80\xAE/\\.txt|-}{end}"
                     "{h|a\tb\"c\xC2\x85.txt|-}{end}");
    expect_malformed("--" B "\r\n" CD "name=a; filename*=UTF-8''a%00b\r\n\r\n\r\n--" B "--", "bad_utf8");
    expect_malformed("--" B "\r\n" CD "name=a; filename*=UTF-8''%C0%AF\r\n\r\n\r\n--" B "--", "bad_utf8");
    expect_malformed("--" B "\r\n" CD "name=a; filename=\"a\x7F\"\r\n\r\n\r\n--" B "--", "malformed");
}

static void test_limits(void)
{
    apr_pool_t *p;
    apr_pool_create(&p, pool);

    /* A header block of exactly the limit passes; one byte more fails. */
    const char *head = "--" B "\r\n";
    const char *cd = CD "name=a\r\nX-Pad: ";
    apr_size_t pad = PORTAL_MULTIPART_MAX_HEADER - strlen(cd) - 4;
    char *padding = apr_palloc(p, pad + 2);
    memset(padding, 'p', pad + 1);
    padding[pad] = '\0';
    result r = run1(apr_pstrcat(p, head, cd, padding, "\r\n\r\nv\r\n--" B "--", NULL));
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK_STR(r.log, "{a|-|-}v{end}");
    padding[pad] = 'p';
    padding[pad + 1] = '\0';
    r = run1(apr_pstrcat(p, head, cd, padding, "\r\n\r\nv\r\n--" B "--", NULL));
    CHECK_INT(r.feed, APR_EINVAL);
    CHECK_STR(r.error, "header_too_large");

    /* A header block that never ends. */
    char *endless = apr_palloc(p, 20000);
    memset(endless, 'h', 19999);
    endless[19999] = '\0';
    r = run1(apr_pstrcat(p, head, endless, NULL));
    CHECK_STR(r.error, "header_too_large");

    /* 100 parts pass, 101 do not. */
    portal_buf b;
    portal_buf_init(&b, p, 8192);
    for (int i = 0; i < PORTAL_MULTIPART_MAX_PARTS; i++)
        portal_buf_printf(&b, "--" B "\r\n" CD "name=\"f%d\"\r\n\r\n%d\r\n", i, i);
    apr_size_t at = b.len;
    portal_buf_puts(&b, "--" B "--");
    r = run1(b.data);
    CHECK_INT(r.finish, APR_SUCCESS);
    CHECK(strstr(r.log, "{f99|-|-}99{end}") != NULL);
    b.len = at;
    portal_buf_puts(&b, "--" B "\r\n" CD "name=\"more\"\r\n\r\nx\r\n--" B "--");
    r = run1(b.data);
    CHECK_INT(r.feed, APR_EINVAL);
    CHECK_STR(r.error, "too_many_parts");
    apr_pool_destroy(p);
}

static void test_callback_failure(void)
{
    static const char body[] = "--" B "\r\n" CD "name=a\r\n\r\n1\r\n--" B "\r\n"
                               CD "name=b\r\n\r\n2\r\n--" B "--";
    recorder r;
    memset(&r, 0, sizeof(r));
    portal_buf_init(&r.log, pool, 64);
    r.fail_begin_at = 2;
    r.m = portal_multipart_make(pool, B, &rec_cb, &r);
    CHECK_INT(portal_multipart_feed(r.m, body, sizeof(body) - 1), APR_EGENERAL);
    CHECK_STR(portal_multipart_error(r.m), "refused");
    CHECK_STR(r.log.data, "{a|-|-}1{end}");
    CHECK_INT(portal_multipart_feed(r.m, "more", 4), APR_EGENERAL);
    CHECK_INT(portal_multipart_finish(r.m), APR_EGENERAL);
    CHECK_STR(portal_multipart_error(r.m), "refused");

    /* NULL callbacks are allowed. */
    portal_multipart *m = portal_multipart_make(pool, B, NULL, NULL);
    CHECK_INT(portal_multipart_feed(m, body, sizeof(body) - 1), APR_SUCCESS);
    CHECK_INT(portal_multipart_finish(m), APR_SUCCESS);
    CHECK(portal_multipart_error(m) == NULL);
}

static void expect_boundary(const char *ct, const char *want)
{
    const char *b = "unset";
    apr_status_t rv = portal_multipart_boundary(pool, ct, &b);
    if (!CHECK_INT(rv, want ? APR_SUCCESS : APR_EINVAL))
        fprintf(stderr, "  content type: %s\n", ct ? ct : "(null)");
    CHECK_STR(b, want);
}

static void test_boundary(void)
{
    expect_boundary("multipart/form-data; boundary=" B, B);
    expect_boundary("Multipart/Form-Data;BOUNDARY=\"a b'()+_,-./:=?\"", "a b'()+_,-./:=?");
    expect_boundary("multipart/form-data; charset=utf-8; boundary=abc;", "abc");
    expect_boundary("  multipart/form-data ; boundary = \"x yz\" ", "x yz");
    expect_boundary("multipart/form-data; boundary=\"x\\yz\"", NULL);
    expect_boundary("multipart/form-data; boundary=a=b/c", "a=b/c");
    expect_boundary("multipart/form-data; boundary=1234567890123456789012345678901234567890123456789012345678901234567890",
                    "1234567890123456789012345678901234567890123456789012345678901234567890");
    expect_boundary("multipart/form-data; boundary=12345678901234567890123456789012345678901234567890123456789012345678901", NULL);
    expect_boundary("multipart/form-data; boundary=\"ends in space \"", NULL);
    expect_boundary("multipart/form-data; boundary=\"\"", NULL);
    expect_boundary("multipart/form-data; boundary=", NULL);
    expect_boundary("multipart/form-data", NULL);
    expect_boundary("multipart/form-data; boundary=a; boundary=a", NULL);
    expect_boundary("multipart/form-data; boundary=a\"b", NULL);
    expect_boundary("multipart/form-data; boundary=\"a\"x", NULL);
    expect_boundary("multipart/form-data; boundary=\"unterminated", NULL);
    expect_boundary("multipart/form-data; boundary=a\xC3\xBC", NULL);
    expect_boundary("multipart/form-data; boundary=a;b", NULL);
    expect_boundary("multipart/mixed; boundary=abc", NULL);
    expect_boundary("multipart/form-datax; boundary=abc", NULL);
    expect_boundary("application/x-www-form-urlencoded", NULL);
    expect_boundary("", NULL);
    expect_boundary(NULL, NULL);

    CHECK(portal_multipart_make(pool, "", &rec_cb, NULL) == NULL);
    CHECK(portal_multipart_make(pool, "bad\r\n", &rec_cb, NULL) == NULL);
    CHECK(portal_multipart_make(pool, NULL, &rec_cb, NULL) == NULL);
}

/* Random part data built from the delimiter's own pieces, random chunking:
 * the data that comes out is the data that went in. */
static unsigned long rng = 12345;

static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng >> 33) % n);
}

static void test_random(void)
{
    static const char *pieces[] = { "\r", "\n", "-", "--", "\r\n", "\r\n-",
                                    "\r\n--", "----WebKit", B, "x", "\0", "\xFF" };
    apr_pool_t *p;
    int bad = 0;

    apr_pool_create(&p, pool);
    for (int iter = 0; iter < 3000 && !bad; iter++) {
        portal_buf body, want;
        apr_pool_clear(p);
        portal_buf_init(&body, p, 512);
        portal_buf_init(&want, p, 512);
        int nparts = 1 + (int)rnd(3);
        for (int k = 0; k < nparts; k++) {
            portal_buf data;
            portal_buf_init(&data, p, 128);
            do {
                data.len = 0;
                int n = (int)rnd(12);
                for (int j = 0; j < n; j++) {
                    const char *pc = pieces[rnd(12)];
                    portal_buf_append(&data, pc, *pc ? strlen(pc) : 1);
                }
            } while (memmem(data.data, data.len, "\r\n--" B, strlen(B) + 4));
            portal_buf_printf(&body, "--" B "\r\n" CD "name=\"p%d\"\r\n\r\n", k);
            portal_buf_append(&body, data.data, data.len);
            portal_buf_puts(&body, "\r\n");
            portal_buf_printf(&want, "{p%d|-|-}", k);
            portal_buf_append(&want, data.data, data.len);
            portal_buf_puts(&want, "{end}");
        }
        portal_buf_puts(&body, "--" B "--");
        apr_size_t cuts[8];
        int ncuts = (int)rnd(9);
        for (int c = 0; c < ncuts; c++)
            cuts[c] = rnd((unsigned)body.len + 1);
        for (int a = 0; a < ncuts; a++)          /* ascending */
            for (int b = a + 1; b < ncuts; b++)
                if (cuts[b] < cuts[a]) {
                    apr_size_t t = cuts[a];
                    cuts[a] = cuts[b];
                    cuts[b] = t;
                }
        result r = run_cuts_in(p, body.data, body.len, cuts, ncuts, 0);
        if (r.feed != APR_SUCCESS || r.finish != APR_SUCCESS
            || r.log_len != want.len || memcmp(r.log, want.data, want.len) != 0) {
            fprintf(stderr, "  random body %d differs\n", iter);
            bad = 1;
        }
    }
    apr_pool_destroy(p);
    CHECK(!bad);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_browser_body();
    test_framing();
    test_malformed();
    test_truncated();
    test_disposition();
    test_raw_filenames();
    test_limits();
    test_callback_failure();
    test_boundary();
    test_random();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("multipart");
}
