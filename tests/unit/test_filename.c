/* What a file name from outside becomes: basename, unsafe characters
 * replaced by '_', "." and ".." dropped, long names cut keeping the
 * extension; and a safe name stays as it is. */
#include "check.h"
#include "filename.h"
#include "utf8.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

/* Safe by the header's promise, checked without its code. */
static int looks_safe(const char *s)
{
    apr_size_t n = strlen(s);
    for (apr_size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c == '/')
            return 0;
    }
    return n <= PORTAL_FILENAME_MAX && portal_text_valid(s, n)
        && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static void expect(const char *raw, const char *want, int line)
{
    const char *got = portal_filename_safe(pool, raw);
    int ok = CHECK_STR(got, want);
    ok &= CHECK(looks_safe(got));
    /* Idempotent: a safe name is its own safe form. */
    ok &= CHECK_STR(portal_filename_safe(pool, got), got);
    if (!ok)
        fprintf(stderr, "  (case at line %d)\n", line);
}
#define SAFE(raw, want) expect(raw, want, __LINE__)

static void test_kept(void)
{
    SAFE("report.pdf", "report.pdf");
    SAFE("Hesab-faktur\xD0\xB0 \xE2\x84\x96" "5 \xC4\x9F\xC3\xBC\xC5\x9F\xC4\xB1\xC3\xB6\xC3\xA7.pdf",
         "Hesab-faktur\xD0\xB0 \xE2\x84\x96" "5 \xC4\x9F\xC3\xBC\xC5\x9F\xC4\xB1\xC3\xB6\xC3\xA7.pdf");
    SAFE("Q3; 100% final (v2) 'draft'.xlsx", "Q3; 100% final (v2) 'draft'.xlsx");
    SAFE(".htaccess", ".htaccess");
    SAFE("...", "...");
    SAFE(" spaced name ", " spaced name ");
    /* ZWNJ and ZWJ: Persian writing and emoji sequences. */
    SAFE("\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85.txt",
         "\xD9\x85\xDB\x8C\xE2\x80\x8C\xD8\xAE\xD9\x88\xD8\xA7\xD9\x87\xD9\x85.txt");
    SAFE("\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x92\xBB.png", "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x92\xBB.png");
    SAFE("\xEF\xBF\xBD.bin", "\xEF\xBF\xBD.bin");     /* U+FFFD is a visible sign */
}

static void test_basename(void)
{
    SAFE("C:\\Users\\aylin\\report.txt", "report.txt");
    SAFE("../../etc/passwd", "passwd");
    SAFE("/abs/path/", "");
    SAFE("dir\\", "");
    SAFE("a/.", "");
    SAFE("a\\..", "");
    SAFE(".", "");
    SAFE("..", "");
    SAFE("", "");
    CHECK_STR(portal_filename_safe(pool, NULL), "");
    SAFE("a/..\xE2\x80\xAE", ".._");       /* not ".." once replaced */
}

static void test_replaced(void)
{
    SAFE("evil\r\nSet-Cookie: x=1\";.txt", "evil__Set-Cookie: x=1_;.txt");
    SAFE("a\tb", "a_b");
    SAFE("a\"b\"", "a_b_");
    SAFE("\x01\x1F\x7F", "___");
    SAFE("a\xC2\x80" "b\xC2\x85" "c\xC2\x9F" "d", "a_b_c_d");      /* C1 */
    SAFE("a\xC2\xA0" "b", "a\xC2\xA0" "b");                          /* NBSP stays */
    /* Bidi: the extension a reader sees is the one the file has. */
    SAFE("invoice\xE2\x80\xAE" "fdp.exe", "invoice_fdp.exe");
    SAFE("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD", "____");   /* U+202A..D */
    SAFE("\xE2\x81\xA6\xE2\x81\xA7\xE2\x81\xA8\xE2\x81\xA9", "____");   /* isolates */
    SAFE("\xE2\x80\x8E\xE2\x80\x8F\xD8\x9C", "___");                    /* LRM RLM ALM */
    /* Invisible: zero-width space, word joiner, BOM, soft hyphen, tags. */
    SAFE("a\xE2\x80\x8B" "b\xE2\x81\xA0" "c\xEF\xBB\xBF" "d\xC2\xAD" "e", "a_b_c_d_e");
    SAFE("x\xF3\xA0\x80\x81\xF3\xA0\x81\x81\xF3\xA0\x81\xBF.txt", "x___.txt");
    SAFE("line\xE2\x80\xA8" "para\xE2\x80\xA9" "end", "line_para_end");
    SAFE("non\xEF\xBF\xBE\xEF\xBF\xBF\xEF\xB7\x90\xF4\x8F\xBF\xBF", "non____");
    /* Bytes that are not UTF-8: one '_' per byte that starts nothing. */
    SAFE("a\xFF" "b\xC3" "c\xED\xA0\x80" "d", "a_b_c___d");
    SAFE("\xE2\x80", "__");
}

static void test_length(void)
{
    char s[600];
    const char *got;

    /* 255 bytes exactly: untouched. */
    memset(s, 'a', 251);
    strcpy(s + 251, ".pdf");
    SAFE(s, s);

    /* 256: one byte of the stem goes, the extension stays. */
    memset(s, 'a', 252);
    strcpy(s + 252, ".pdf");
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 255);
    CHECK(strspn(got, "a") == 251 && strcmp(got + 251, ".pdf") == 0);
    CHECK(looks_safe(got));

    /* Two-byte letters: the cut never splits one. */
    for (int i = 0; i < 200; i++)
        memcpy(s + 2 * i, "\xC4\x9F", 2);
    strcpy(s + 400, ".docx");
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 255);                /* 125 letters + ".docx" */
    CHECK(strcmp(got + 250, ".docx") == 0 && looks_safe(got));

    /* Four-byte characters, cut at 251 - 251 % 4. */
    for (int i = 0; i < 100; i++)
        memcpy(s + 4 * i, "\xF0\x9F\x98\x80", 4);
    strcpy(s + 400, ".png");
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 252);
    CHECK(strcmp(got + 248, ".png") == 0 && looks_safe(got));

    /* No dot, or a dot first, or a "extension" too long to be one: a plain
     * cut at a character boundary. */
    for (int i = 0; i < 199; i++)
        memcpy(s + 3 * i, "\xE2\x82\xAC", 3);     /* 199 euro signs */
    s[597] = '\0';
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 255);
    CHECK(looks_safe(got));
    memset(s, 'b', 400);
    s[0] = '.';
    s[400] = '\0';
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 255);
    CHECK(got[0] == '.' && strspn(got + 1, "b") == 254);
    memset(s, 'c', 400);
    s[300] = '.';
    s[400] = '\0';
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 255);
    CHECK(strspn(got, "c") == 255);
    /* An extension of exactly PORTAL_FILENAME_MAX_EXT bytes is kept. */
    memset(s, 'd', 400);
    s[400 - PORTAL_FILENAME_MAX_EXT] = '.';
    s[400] = '\0';
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 255);
    CHECK(strcmp(got + 255 - PORTAL_FILENAME_MAX_EXT, s + 400 - PORTAL_FILENAME_MAX_EXT) == 0);

    /* Replacement first, then the length: 300 CRs are 300 '_', cut to 255. */
    memset(s, '\r', 300);
    strcpy(s + 300, ".txt");
    got = portal_filename_safe(pool, s);
    CHECK_INT(strlen(got), 255);
    CHECK(strspn(got, "_") == 251 && strcmp(got + 251, ".txt") == 0);

    /* The basename is what is measured: a long path with a short name. */
    memset(s, 'x', 500);
    strcpy(s + 500, "/short.txt");
    SAFE(s, "short.txt");
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_kept();
    test_basename();
    test_replaced();
    test_length();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("filename");
}
