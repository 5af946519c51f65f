/* The upload collector: fields, files streamed to temporary files with
 * SHA-256, limits, and nothing left behind when an upload fails. */
#include "check.h"
#include "upload.h"
#include "multipart.h"
#include "buf.h"
#include "utf8.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_strings.h>

#define B "xYzBoundary42"
#define PART(name) "--" B "\r\nContent-Disposition: form-data; name=\"" name "\"\r\n\r\n"
#define FILEPART(name, fn, ct) "--" B "\r\nContent-Disposition: form-data; name=\"" name \
    "\"; filename=\"" fn "\"\r\nContent-Type: " ct "\r\n\r\n"
#define END "--" B "--\r\n"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

static apr_pool_t *root;
static char tmp_dir[] = "/tmp/portal-test-upload-XXXXXX";

/* Number of entries in tmp_dir (and the name of one of them). */
static int files_in_dir(void)
{
    DIR *d = opendir(tmp_dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    if (d)
        closedir(d);
    return n;
}

static portal_upload_limits limits(void)
{
    portal_upload_limits l = { 64 * 1024, 256 * 1024, 2 * 1000 * 1000,
                               3 * 1000 * 1000, 5, tmp_dir };
    return l;
}

/* Feeds body in chunks of step bytes; returns the first failure or the
 * finish status. */
static apr_status_t upload(apr_pool_t *p, const char *body, apr_size_t len,
                           apr_size_t step, const portal_upload_limits *lim,
                           portal_upload **out, const char **error)
{
    portal_upload_sink *s = portal_upload_make(p, B, lim);
    apr_status_t rv = APR_SUCCESS;

    *out = NULL;
    for (apr_size_t at = 0; at < len && rv == APR_SUCCESS; at += step)
        rv = portal_upload_feed(s, body + at, len - at < step ? len - at : step);
    if (rv == APR_SUCCESS)
        rv = portal_upload_finish(s, out);
    *error = portal_upload_error(s);
    return rv;
}

static char *slurp(apr_pool_t *p, const char *path, apr_size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *d = apr_palloc(p, 4096);
    *len = f ? fread(d, 1, 4096, f) : 0;
    if (f)
        fclose(f);
    return d;
}

static void test_fields_and_files(void)
{
    static const char body[] =
        "ignored preamble\r\n"
        PART("company") "Acme \xC3\x9C" "r\xC3\xBCnleri\r\n"
        PART("tag") "a\r\n"
        PART("tag") "b\r\n"
        FILEPART("doc", "C:\\\\Users\\\\me\\\\report.txt", "text/plain") "abc\r\n"
        FILEPART("bin", "../../etc/passwd", "application/octet-stream")
            "\0\r\n--xYzBoundary4\r\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n\r\n"
        "--" B "\r\nContent-Disposition: form-data; name=\"zero\"; filename=\"zero.txt\"\r\n\r\n\r\n"
        END;
    static const char bin[] = "\0\r\n--xYzBoundary4\r";

    /* Any feed size gives the same upload. */
    portal_upload_limits l = limits();
    int bad = 0;
    for (apr_size_t step = 1; step <= sizeof(body) && !bad; step += step < 9 ? 1 : 61) {
        apr_pool_t *sp;
        portal_upload *su;
        const char *serr;
        apr_size_t sn;
        apr_pool_create(&sp, root);
        if (upload(sp, body, sizeof(body) - 1, step, &l, &su, &serr) != APR_SUCCESS
            || su->files->nelts != 3 || apr_table_elts(su->fields)->nelts != 3
            || strcmp(APR_ARRAY_IDX(su->files, 0, portal_upload_file).sha256_hex, SHA_ABC)
            || !slurp(sp, APR_ARRAY_IDX(su->files, 1, portal_upload_file).path, &sn)
            || sn != sizeof(bin) - 1) {
            fprintf(stderr, "  feeding %zu bytes at a time differs\n", step);
            bad = 1;
        }
        apr_pool_destroy(sp);
        if (files_in_dir() != 0)
            bad = 1;
    }
    CHECK(!bad);

    apr_pool_t *p;
    portal_upload *u;
    const char *err;
    portal_upload_limits lim = limits();
    apr_pool_create(&p, root);
    if (!CHECK_INT(upload(p, body, sizeof(body) - 1, 7, &lim, &u, &err), APR_SUCCESS)) {
        fprintf(stderr, "  error %s\n", err);
        return;
    }
    CHECK(err == NULL);
    CHECK_STR(apr_table_get(u->fields, "company"), "Acme \xC3\x9Cr\xC3\xBCnleri");
    CHECK_INT(apr_table_elts(u->fields)->nelts, 3);
    const apr_table_entry_t *e = (const apr_table_entry_t *)apr_table_elts(u->fields)->elts;
    CHECK_STR(e[1].key, "tag");
    CHECK_STR(e[1].val, "a");
    CHECK_STR(e[2].val, "b");

    CHECK_INT(u->files->nelts, 3);     /* the empty input is skipped */
    CHECK_INT(files_in_dir(), 3);
    portal_upload_file *f = &APR_ARRAY_IDX(u->files, 0, portal_upload_file);
    CHECK_STR(f->field, "doc");
    CHECK_STR(f->filename, "report.txt");
    CHECK_STR(f->claimed_type, "text/plain");
    CHECK_INT(f->size, 3);
    CHECK_STR(f->sha256_hex, SHA_ABC);
    CHECK(strncmp(f->path, tmp_dir, strlen(tmp_dir)) == 0);
    CHECK(strncmp(f->path + strlen(tmp_dir), "/upload-", 8) == 0);
    struct stat st;
    CHECK_INT(stat(f->path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK_INT(st.st_size, 3);
    apr_size_t n;
    char *got = slurp(p, f->path, &n);
    CHECK(n == 3 && memcmp(got, "abc", 3) == 0);

    f = &APR_ARRAY_IDX(u->files, 1, portal_upload_file);
    CHECK_STR(f->field, "bin");
    CHECK_STR(f->filename, "passwd");
    CHECK_INT(f->size, sizeof(bin) - 1);
    got = slurp(p, f->path, &n);
    CHECK(n == sizeof(bin) - 1 && memcmp(got, bin, n) == 0);

    f = &APR_ARRAY_IDX(u->files, 2, portal_upload_file);
    CHECK_STR(f->field, "zero");
    CHECK_STR(f->filename, "zero.txt");
    CHECK(f->claimed_type == NULL);
    CHECK_INT(f->size, 0);
    CHECK_STR(f->sha256_hex, SHA_EMPTY);

    /* Same result one byte at a time. */
    apr_pool_t *p1;
    portal_upload *u1;
    apr_pool_create(&p1, root);
    CHECK_INT(upload(p1, body, sizeof(body) - 1, 1, &lim, &u1, &err), APR_SUCCESS);
    CHECK_INT(u1->files->nelts, 3);
    CHECK_STR(APR_ARRAY_IDX(u1->files, 1, portal_upload_file).sha256_hex,
              APR_ARRAY_IDX(u->files, 1, portal_upload_file).sha256_hex);
    CHECK_INT(files_in_dir(), 6);
    apr_pool_destroy(p1);
    CHECK_INT(files_in_dir(), 3);

    apr_pool_destroy(p);
    CHECK_INT(files_in_dir(), 0);
}

static void test_big_file(void)
{
    apr_pool_t *p;
    apr_pool_create(&p, root);
    portal_upload_limits lim = limits();
    lim.max_file = 1000000;
    portal_upload_sink *s = portal_upload_make(p, B, &lim);
    const char *head = FILEPART("f", "million.txt", "text/plain");
    char chunk[4096];
    memset(chunk, 'a', sizeof(chunk));
    CHECK_INT(portal_upload_feed(s, head, strlen(head)), APR_SUCCESS);
    apr_size_t left = 1000000;
    apr_status_t rv = APR_SUCCESS;
    while (left && rv == APR_SUCCESS) {
        apr_size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        rv = portal_upload_feed(s, chunk, n);
        left -= n;
    }
    CHECK_INT(rv, APR_SUCCESS);
    CHECK_INT(portal_upload_feed(s, "\r\n" END, strlen("\r\n" END)), APR_SUCCESS);
    portal_upload *u;
    CHECK_INT(portal_upload_finish(s, &u), APR_SUCCESS);
    CHECK_INT(u->files->nelts, 1);
    portal_upload_file *f = &APR_ARRAY_IDX(u->files, 0, portal_upload_file);
    CHECK_INT(f->size, 1000000);
    CHECK_STR(f->sha256_hex, SHA_MILLION_A);

    /* keep() moves it out of the cleanup's reach. */
    const char *dest = apr_pstrcat(p, tmp_dir, "/kept.bin", NULL);
    const char *old = apr_pstrdup(root, f->path);
    CHECK_INT(portal_upload_keep(f, dest, p), APR_SUCCESS);
    CHECK_STR(f->path, dest);
    /* Another upload may reuse the freed temporary name: the cleanup must
     * not touch it. */
    FILE *other = fopen(old, "w");
    CHECK(other != NULL);
    if (other)
        fclose(other);
    apr_pool_destroy(p);
    struct stat st;
    CHECK_INT(stat(dest, &st), 0);
    CHECK_INT(st.st_size, 1000000);
    CHECK_INT(stat(old, &st), 0);
    CHECK_INT(files_in_dir(), 2);
    unlink(dest);
    unlink(old);
}

/* The body fails with code, and no file is left in tmp_dir, neither right
 * after the failure nor after the pool is gone. */
static void expect_refused(const char *body, apr_size_t len,
                           const portal_upload_limits *lim,
                           const char *code, int line)
{
    apr_pool_t *p;
    portal_upload *u = (portal_upload *)1;
    const char *err;
    apr_pool_create(&p, root);
    apr_status_t rv = upload(p, body, len, 5, lim, &u, &err);
    if (!CHECK(rv != APR_SUCCESS) || !CHECK_STR(err, code) || !CHECK(u == NULL)
        || !CHECK_INT(files_in_dir(), 0))
        fprintf(stderr, "  (case at line %d)\n", line);
    apr_pool_destroy(p);
    CHECK_INT(files_in_dir(), 0);
}
#define REFUSED(body, lim, code) expect_refused(body, strlen(body), lim, code, __LINE__)

static void test_limits(void)
{
    portal_upload_limits lim = limits();
    const char *files3 = FILEPART("a", "a.txt", "text/plain") "0123456789\r\n"
                         FILEPART("b", "b.txt", "text/plain") "0123456789\r\n"
                         FILEPART("c", "c.txt", "text/plain") "0123456789\r\n" END;

    lim.max_file = 9;
    REFUSED(files3, &lim, "too_large");
    lim = limits();
    lim.max_total = 25;
    REFUSED(files3, &lim, "too_large");
    lim = limits();
    lim.max_files = 2;
    REFUSED(files3, &lim, "too_large");

    /* At the limits exactly, all is well. */
    lim.max_files = 3;
    lim.max_file = 10;
    lim.max_total = 30;
    apr_pool_t *p;
    portal_upload *u;
    const char *err;
    apr_pool_create(&p, root);
    CHECK_INT(upload(p, files3, strlen(files3), 3, &lim, &u, &err), APR_SUCCESS);
    CHECK_INT(u->files->nelts, 3);
    apr_pool_destroy(p);

    const char *fields = PART("a") "12345\r\n" PART("b") "67890\r\n" END;
    lim = limits();
    lim.max_field = 4;
    REFUSED(fields, &lim, "too_large");
    lim = limits();
    lim.max_fields = 9;
    REFUSED(fields, &lim, "too_large");
    lim.max_field = 5;
    lim.max_fields = 10;
    apr_pool_create(&p, root);
    CHECK_INT(upload(p, fields, strlen(fields), 2, &lim, &u, &err), APR_SUCCESS);
    CHECK_STR(apr_table_get(u->fields, "b"), "67890");
    apr_pool_destroy(p);

    /* A limit passed in a later part also removes the earlier files. */
    lim = limits();
    lim.max_field = 3;
    REFUSED(apr_pstrcat(root, FILEPART("a", "a.txt", "text/plain"), "abc\r\n",
                        PART("x"), "toolong\r\n", END, NULL), &lim, "too_large");

    /* An all-zero limits struct allows nothing but empty fields. */
    portal_upload_limits zero = { 0, 0, 0, 0, 0, tmp_dir };
    REFUSED(FILEPART("a", "a.txt", "text/plain") "\r\n" END, &zero, "too_large");
    REFUSED(PART("a") "x\r\n" END, &zero, "too_large");
}

static void test_refusals(void)
{
    portal_upload_limits lim = limits();
    const char *ok_file = FILEPART("a", "a.txt", "text/plain") "abc\r\n";

    REFUSED(apr_pstrcat(root, ok_file, PART("v"), "\xC3\r\n", END, NULL), &lim, "bad_utf8");
    static const char nul[] = FILEPART("a", "a.txt", "text/plain") "abc\r\n"
                              PART("v") "a\0b\r\n" END;
    expect_refused(nul, sizeof(nul) - 1, &lim, "bad_utf8", __LINE__);
    REFUSED(apr_pstrcat(root, ok_file, PART("v"), "\x1b[31m\r\n", END, NULL), &lim, "bad_utf8");
    REFUSED(apr_pstrcat(root, ok_file, PART("\xFF"), "x\r\n", END, NULL), &lim, "bad_utf8");
    REFUSED(FILEPART("a", "dir/", "text/plain") "x\r\n" END, &lim, "malformed");
    REFUSED(FILEPART("a", "..", "text/plain") "x\r\n" END, &lim, "malformed");
    REFUSED(FILEPART("a", "a\\\\.", "text/plain") "x\r\n" END, &lim, "malformed");
    REFUSED(FILEPART("a", "", "text/plain") "bytes without a name\r\n" END, &lim, "malformed");
    REFUSED(apr_pstrcat(root, ok_file, "--" B "x\r\n", NULL), &lim, "malformed");
    /* Truncated: the body stops inside a file part. */
    REFUSED(FILEPART("a", "a.txt", "text/plain") "abc", &lim, "malformed");
    REFUSED(apr_pstrcat(root, ok_file, "--" B, NULL), &lim, "malformed");

    portal_buf b;
    portal_buf_init(&b, root, 8192);
    for (int i = 0; i <= PORTAL_MULTIPART_MAX_PARTS; i++)
        portal_buf_printf(&b, PART("f%d") "x\r\n", i);
    portal_buf_puts(&b, END);
    REFUSED(apr_pstrcat(root, ok_file, b.data, NULL), &lim, "too_many_parts");

    char *big = apr_palloc(root, PORTAL_MULTIPART_MAX_HEADER + 1);
    memset(big, 'h', PORTAL_MULTIPART_MAX_HEADER);
    big[PORTAL_MULTIPART_MAX_HEADER] = '\0';
    REFUSED(apr_pstrcat(root, ok_file, "--" B "\r\nX-Big: ", big, "\r\n\r\n", NULL),
            &lim, "header_too_large");

    /* A long field arriving in many pieces. */
    portal_buf longf;
    portal_buf_init(&longf, root, 8192);
    portal_buf_puts(&longf, PART("long"));
    for (int i = 0; i < 500; i++)
        portal_buf_printf(&longf, "%09d\n", i);
    portal_buf_puts(&longf, "\r\n" END);
    apr_pool_t *lp;
    portal_upload *lu;
    const char *lerr;
    apr_pool_create(&lp, root);
    CHECK_INT(upload(lp, longf.data, longf.len, 100, &lim, &lu, &lerr), APR_SUCCESS);
    const char *lv = apr_table_get(lu->fields, "long");
    CHECK_INT(lv ? strlen(lv) : 0, 5000);
    CHECK(lv && strncmp(lv, "000000000\n000000001\n", 20) == 0);
    CHECK(lv && strcmp(lv + 4990, "000000499\n") == 0);
    apr_pool_destroy(lp);

    /* Text fields keep multi-byte characters split across feeds. */
    apr_pool_t *p;
    portal_upload *u;
    const char *err;
    const char *utf = PART("t") "\xE2\x82\xAC\xF0\x9F\x98\x80\r\n" END;
    apr_pool_create(&p, root);
    CHECK_INT(upload(p, utf, strlen(utf), 1, &lim, &u, &err), APR_SUCCESS);
    CHECK_STR(apr_table_get(u->fields, "t"), "\xE2\x82\xAC\xF0\x9F\x98\x80");
    apr_pool_destroy(p);
}

/* The name a file part's Content-Disposition parameters (after "name=f; ")
 * leave on the stored file, or NULL with *err set when the upload is
 * refused. */
static const char *stored_name(apr_pool_t *p, const char *params, const char **err)
{
    portal_upload_limits lim = limits();
    portal_upload *u;
    const char *body = apr_pstrcat(p, "--" B "\r\nContent-Disposition: form-data; name=f; ",
                                   params, "\r\nContent-Type: text/plain\r\n\r\nabc\r\n",
                                   END, NULL);
    if (upload(p, body, strlen(body), 3, &lim, &u, err) != APR_SUCCESS)
        return NULL;
    if (u->files->nelts != 1)
        return "(no file)";
    return APR_ARRAY_IDX(u->files, 0, portal_upload_file).filename;
}

/* A name no header, page or mail can be split by: valid text, no control
 * character at all (TAB, CR, LF included), no quote, no backslash, no
 * slash, at most 255 bytes. */
static int harmless(const char *name)
{
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7F || *c == '"' || *c == '\\' || *c == '/')
            return 0;
    return strlen(name) <= 255 && portal_text_valid(name, strlen(name))
        && strstr(name, "\xC2\x85") == NULL && strstr(name, "\xE2\x80\xAE") == NULL;
}

static void expect_name(const char *params, const char *want, int line)
{
    apr_pool_t *p;
    const char *err = NULL;
    apr_pool_create(&p, root);
    const char *got = stored_name(p, params, &err);
    if (!CHECK_STR(got, want) || !CHECK(got && harmless(got)))
        fprintf(stderr, "  (case at line %d: %s, error %s)\n", line, params,
                err ? err : "none");
    apr_pool_destroy(p);
    CHECK_INT(files_in_dir(), 0);
}
#define NAME(params, want) expect_name(params, want, __LINE__)

/* File names are made safe, not refused: the visitor keeps the upload. */
static void test_unsafe_names(void)
{
    /* Issue 12: a header injection through filename*. */
    NAME("filename*=UTF-8''evil%0D%0ASet-Cookie%3A%20x%3D1%22%3B.txt",
         "evil__Set-Cookie: x=1_;.txt");
    NAME("filename=\"a\\\"b.txt\"", "a_b.txt");
    NAME("filename=\"a\tb.txt\"", "a_b.txt");
    NAME("filename*=UTF-8''a%09b%0Ac%0Dd.txt", "a_b_c_d.txt");
    NAME("filename*=UTF-8''a%01.txt", "a_.txt");
    NAME("filename*=UTF-8''a%7Fb.txt", "a_b.txt");                 /* DEL */
    NAME("filename=\"a\xC2\x85" "b.txt\"", "a_b.txt");               /* U+0085 NEL */
    NAME("filename*=UTF-8''a%C2%85b%C2%9Fc.txt", "a_b_c.txt");       /* C1 */
    NAME("filename*=UTF-8''a%22b%22.txt", "a_b_.txt");
    /* Path separators: the basename, whichever way the name was sent. */
    NAME("filename=\"dir/evil.txt\"", "evil.txt");
    NAME("filename*=UTF-8''..%2F..%2Fetc%2Fpasswd", "passwd");
    NAME("filename*=UTF-8''C%3A%5Cdir%5Creport.txt", "report.txt");
    NAME("filename=\"C:\\dir\\file.txt\"", "file.txt");              /* old browsers */
    /* Invisible and direction characters that make a name read otherwise. */
    NAME("filename*=UTF-8''invoice%E2%80%AEfdp.exe", "invoice_fdp.exe");  /* U+202E */
    NAME("filename*=UTF-8''a%E2%80%8Bb%EF%BB%BFc%E2%81%A6d.txt", "a_b_c_d.txt");
    NAME("filename*=UTF-8''line%E2%80%A8break.txt", "line_break.txt");    /* U+2028 */
    /* What is left alone: letters of every script, spaces, ';', '%', the
     * ZWNJ Persian writing needs, and what browsers percent-encode. */
    NAME("filename=\"Hesab-faktur\xD0\xB0 \xE2\x84\x96" "5 \xC4\x9F\xC3\xBC\xC5\x9F\xC4\xB1\xC3\xB6\xC3\xA7.pdf\"",
         "Hesab-faktur\xD0\xB0 \xE2\x84\x96" "5 \xC4\x9F\xC3\xBC\xC5\x9F\xC4\xB1\xC3\xB6\xC3\xA7.pdf");
    NAME("filename=\"Q3; 100% final.pdf\"", "Q3; 100% final.pdf");
    NAME("filename=\"a%22b%0D.txt\"", "a%22b%0D.txt");
    NAME("filename*=UTF-8''%D9%85%DB%8C%E2%80%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85.txt",
         "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85.txt");

    /* Over-long names are cut to 255 bytes at a character boundary, keeping
     * the extension. */
    apr_pool_t *p;
    const char *err;
    apr_pool_create(&p, root);
    char ascii[301];
    memset(ascii, 'a', 300);
    ascii[300] = '\0';
    const char *got = stored_name(p, apr_pstrcat(p, "filename=\"", ascii, ".pdf\"", NULL), &err);
    CHECK(got != NULL);
    CHECK_INT(got ? strlen(got) : 0, 255);
    CHECK(got && strcmp(got + 251, ".pdf") == 0 && strspn(got, "a") == 251);
    portal_buf b;
    portal_buf_init(&b, p, 1024);
    for (int i = 0; i < 200; i++)
        portal_buf_puts(&b, "%C4%9F");                       /* ğ, 2 bytes */
    got = stored_name(p, apr_pstrcat(p, "filename*=UTF-8''", b.data, ".pdf", NULL), &err);
    CHECK(got != NULL);
    CHECK_INT(got ? strlen(got) : 0, 254);                  /* 125 ğ + ".pdf" */
    CHECK(got && harmless(got) && strcmp(got + 250, ".pdf") == 0);
    apr_pool_destroy(p);
    CHECK_INT(files_in_dir(), 0);

    /* Still refused: a name that is not text, or nothing once reduced. */
    portal_upload_limits lim = limits();
    REFUSED("--" B "\r\nContent-Disposition: form-data; name=f; "
            "filename*=UTF-8''a%00b.txt\r\n\r\nx\r\n" END, &lim, "bad_utf8");
    REFUSED("--" B "\r\nContent-Disposition: form-data; name=f; "
            "filename*=UTF-8''a%FFb.txt\r\n\r\nx\r\n" END, &lim, "bad_utf8");
    REFUSED("--" B "\r\nContent-Disposition: form-data; name=f; "
            "filename*=UTF-8''dir%2F\r\n\r\nx\r\n" END, &lim, "malformed");
    /* A raw control byte breaks the header line itself. */
    REFUSED("--" B "\r\nContent-Disposition: form-data; name=f; "
            "filename=\"a\x7F.txt\"\r\n\r\nx\r\n" END, &lim, "malformed");
}

static void test_abort_and_storage(void)
{
    portal_upload_limits lim = limits();
    apr_pool_t *p;
    const char *head = FILEPART("a", "a.bin", "application/octet-stream") "partial";

    /* Abandoned half-way: no finish, the pool goes. */
    apr_pool_create(&p, root);
    portal_upload_sink *s = portal_upload_make(p, B, &lim);
    CHECK_INT(portal_upload_feed(s, head, strlen(head)), APR_SUCCESS);
    CHECK_INT(files_in_dir(), 1);
    apr_pool_destroy(p);
    CHECK_INT(files_in_dir(), 0);

    /* A temporary directory that does not exist. */
    lim.tmp_dir = "/nonexistent/portal-upload";
    apr_pool_create(&p, root);
    s = portal_upload_make(p, B, &lim);
    CHECK_INT(portal_upload_feed(s, head, strlen(head)), APR_ENOENT);
    CHECK_STR(portal_upload_error(s), "storage");
    apr_pool_destroy(p);

    /* A write that fails (the file size limit stands in for a full disk). */
    struct rlimit old, small;
    getrlimit(RLIMIT_FSIZE, &old);
    small = old;
    small.rlim_cur = 1000;
    signal(SIGXFSZ, SIG_IGN);
    lim = limits();
    apr_pool_create(&p, root);
    s = portal_upload_make(p, B, &lim);
    CHECK_INT(setrlimit(RLIMIT_FSIZE, &small), 0);
    char chunk[5000];
    memset(chunk, 'z', sizeof(chunk));
    apr_status_t rv = portal_upload_feed(s, head, strlen(head));
    if (rv == APR_SUCCESS)
        rv = portal_upload_feed(s, chunk, sizeof(chunk));
    if (rv == APR_SUCCESS)
        rv = portal_upload_feed(s, "\r\n" END, strlen("\r\n" END));
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK_INT(rv, EFBIG);
    CHECK_STR(portal_upload_error(s), "storage");
    CHECK_INT(files_in_dir(), 0);
    portal_upload *u = (portal_upload *)1;
    CHECK_INT(portal_upload_finish(s, &u), EFBIG);
    CHECK(u == NULL);
    apr_pool_destroy(p);
    CHECK_INT(files_in_dir(), 0);

    /* keep() onto another filesystem fails; the file stays temporary. */
    apr_pool_create(&p, root);
    lim = limits();
    const char *body = FILEPART("a", "a.txt", "text/plain") "abc\r\n" END;
    const char *err;
    CHECK_INT(upload(p, body, strlen(body), 100, &lim, &u, &err), APR_SUCCESS);
    portal_upload_file *f = &APR_ARRAY_IDX(u->files, 0, portal_upload_file);
    const char *tmp = f->path;
    CHECK(portal_upload_keep(f, "/nonexistent/dir/kept", p) != APR_SUCCESS);
    CHECK_STR(f->path, tmp);
    apr_pool_destroy(p);
    CHECK_INT(files_in_dir(), 0);

    CHECK(portal_upload_make(root, "", &lim) == NULL);
    CHECK(portal_upload_make(root, B, NULL) == NULL);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&root, NULL);
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_fields_and_files();
    test_big_file();
    test_limits();
    test_refusals();
    test_unsafe_names();
    test_abort_and_storage();
    CHECK_INT(files_in_dir(), 0);
    rmdir(tmp_dir);
    apr_pool_destroy(root);
    apr_terminate();
    return check_summary("upload");
}
