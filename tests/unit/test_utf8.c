/* Strict UTF-8 and "text" validation. */
#include "check.h"
#include "utf8.h"

#include <apr_general.h>

#define V(lit) portal_utf8_valid(lit, sizeof(lit) - 1)
#define T(lit) portal_text_valid(lit, sizeof(lit) - 1)

static void test_valid_utf8(void)
{
    CHECK_INT(V(""), 1);
    CHECK_INT(portal_utf8_valid(NULL, 0), 1);
    CHECK_INT(V("plain ASCII ~"), 1);
    CHECK_INT(V("\xC2\x80"), 1);                 /* U+0080 */
    CHECK_INT(V("\xDF\xBF"), 1);                 /* U+07FF */
    CHECK_INT(V("\xE0\xA0\x80"), 1);             /* U+0800 */
    CHECK_INT(V("\xED\x9F\xBF"), 1);             /* U+D7FF */
    CHECK_INT(V("\xEE\x80\x80"), 1);             /* U+E000 */
    CHECK_INT(V("\xEF\xBF\xBF"), 1);             /* U+FFFF */
    CHECK_INT(V("\xF0\x90\x80\x80"), 1);         /* U+10000 */
    CHECK_INT(V("\xF4\x8F\xBF\xBF"), 1);         /* U+10FFFF */
    CHECK_INT(V("T\xC3\xBCrk\xC3\xA7" "e \xD0\x90\xD0\xB7" " \xE2\x82\xAC"), 1);
    CHECK_INT(V("a\0b"), 1);                      /* NUL is UTF-8 */
}

static void test_invalid_utf8(void)
{
    CHECK_INT(V("\x80"), 0);                      /* lone continuation */
    CHECK_INT(V("\xBF"), 0);
    CHECK_INT(V("\xC0\x80"), 0);                  /* overlong NUL */
    CHECK_INT(V("\xC1\xBF"), 0);                  /* overlong */
    CHECK_INT(V("\xE0\x9F\xBF"), 0);              /* overlong 3-byte */
    CHECK_INT(V("\xF0\x8F\xBF\xBF"), 0);          /* overlong 4-byte */
    CHECK_INT(V("\xED\xA0\x80"), 0);              /* U+D800 surrogate */
    CHECK_INT(V("\xED\xBF\xBF"), 0);              /* U+DFFF surrogate */
    CHECK_INT(V("\xF4\x90\x80\x80"), 0);          /* U+110000 */
    CHECK_INT(V("\xF5\x80\x80\x80"), 0);
    CHECK_INT(V("\xFE"), 0);
    CHECK_INT(V("\xFF"), 0);
    CHECK_INT(V("\xC3"), 0);                      /* truncated at end */
    CHECK_INT(V("\xE2\x82"), 0);
    CHECK_INT(V("\xF0\x90\x80"), 0);
    CHECK_INT(V("\xC3x"), 0);                     /* bad continuation */
    CHECK_INT(V("\xE2\x82x"), 0);
    CHECK_INT(V("\xE2\x28\xA1"), 0);
    CHECK_INT(V("ok\xC3\xBC\xC3"), 0);
    /* n is honoured: the byte after the range is not read */
    CHECK_INT(portal_utf8_valid("\xC3\xBC", 1), 0);
    CHECK_INT(portal_utf8_valid("ab\xFF", 2), 1);
}

static void test_text(void)
{
    CHECK_INT(T("line one\r\nline\ttwo\n"), 1);
    CHECK_INT(T("\xE2\x82\xAC 10"), 1);
    CHECK_INT(T(""), 1);
    CHECK_INT(T("a\0b"), 0);                      /* NUL */
    CHECK_INT(T("bell\x07"), 0);
    CHECK_INT(T("esc\x1B[0m"), 0);
    CHECK_INT(T("del\x7F"), 0);
    CHECK_INT(T("\xC2\x85"), 0);                  /* NEL, a C1 control */
    CHECK_INT(T("\xC2\x9F"), 0);
    CHECK_INT(T("\xC2\xA0"), 1);                  /* NBSP is text */
    CHECK_INT(T("\xC0\x8A"), 0);                  /* overlong LF */
    CHECK_INT(T("\xED\xA0\x80"), 0);
}

static void test_decode(void)
{
    unsigned long cp = 7;
    CHECK_INT(portal_utf8_decode("A", 1, &cp), 1);
    CHECK_INT(cp, 'A');
    CHECK_INT(portal_utf8_decode("\xC4\x9Fx", 3, &cp), 2);
    CHECK_INT(cp, 0x11F);
    CHECK_INT(portal_utf8_decode("\xE2\x80\xAE", 3, &cp), 3);
    CHECK_INT(cp, 0x202E);
    CHECK_INT(portal_utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    CHECK_INT(cp, 0x10FFFF);
    cp = 7;
    CHECK_INT(portal_utf8_decode("\xE2\x80\xAE", 2, &cp), 0);      /* cut short */
    CHECK_INT(portal_utf8_decode("\xC0\xAF", 2, &cp), 0);           /* overlong */
    CHECK_INT(portal_utf8_decode("\xED\xA0\x80", 3, &cp), 0);      /* surrogate */
    CHECK_INT(portal_utf8_decode("\x80", 1, &cp), 0);
    CHECK_INT(portal_utf8_decode("", 0, &cp), 0);
    CHECK_INT(cp, 7);
}

int main(void)
{
    apr_initialize();
    test_valid_utf8();
    test_invalid_utf8();
    test_text();
    test_decode();
    apr_terminate();
    return check_summary("utf8");
}
