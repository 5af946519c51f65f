/* TOTP (RFC 6238) and base32 (RFC 4648): the RFCs' vectors, Debian's
 * oathtool as an independent implementation, the window and replay rules. */
#include "check.h"
#include "totp.h"

#include <stdlib.h>
#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

/* RFC 6238 Appendix B's SHA-1 secret: the ASCII digits "1234567890" twice. */
static const unsigned char rfc_secret[] = "12345678901234567890";
#define RFC_LEN 20

static void test_base32_rfc4648(void)
{
    static const char *vec[][2] = {
        { "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
        { "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
    };
    /* ...and with the RFC's padding, which decode accepts. */
    static const char *padded[] = {
        "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======",
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        const unsigned char *d;
        apr_size_t n;
        CHECK_STR(portal_base32_encode(pool, (const unsigned char *)vec[i][0],
                                       strlen(vec[i][0])), vec[i][1]);
        CHECK_INT(portal_base32_decode(pool, padded[i], &d, &n), APR_SUCCESS);
        CHECK_INT(n, strlen(vec[i][0]));
        CHECK(d && memcmp(d, vec[i][0], n) == 0);
        CHECK_INT(portal_base32_decode(pool, vec[i][1], &d, &n), APR_SUCCESS);
        CHECK(d && n == strlen(vec[i][0]) && memcmp(d, vec[i][0], n) == 0);
    }
}

static void test_base32_lenient_and_strict(void)
{
    const unsigned char *d;
    apr_size_t n;
    /* As people type it: lower case, groups of four, dashes, padding. */
    CHECK_INT(portal_base32_decode(pool, "mzxw 6ytb-oi==\t====", &d, &n), APR_SUCCESS);
    CHECK(n == 6 && memcmp(d, "foobar", 6) == 0);
    CHECK_INT(portal_base32_decode(pool, "MZXW6YTB1", &d, &n), APR_EINVAL);   /* '1' */
    CHECK(d == NULL && n == 0);
    CHECK_INT(portal_base32_decode(pool, "MZXW6YTB8", &d, &n), APR_EINVAL);
    CHECK_INT(portal_base32_decode(pool, "MZ=XW", &d, &n), APR_EINVAL);      /* '=' inside */
    CHECK_INT(portal_base32_decode(pool, "M", &d, &n), APR_EINVAL);          /* no such length */
    CHECK_INT(portal_base32_decode(pool, "MZX", &d, &n), APR_EINVAL);
    CHECK_INT(portal_base32_decode(pool, "MZXW6Y", &d, &n), APR_EINVAL);
    CHECK_INT(portal_base32_decode(pool, "MY", &d, &n), APR_SUCCESS);
    CHECK_INT(portal_base32_decode(pool, "M3", &d, &n), APR_EINVAL);         /* trailing bits set */
    CHECK_INT(portal_base32_decode(pool, NULL, &d, &n), APR_EINVAL);

    /* Every length and byte value round trips. */
    unsigned char buf[41];
    for (int i = 0; i < 41; i++)
        buf[i] = (unsigned char)(i * 37 + 255);
    int ok = 1;
    for (apr_size_t len = 0; len <= sizeof(buf); len++) {
        const char *e = portal_base32_encode(pool, buf, len);
        ok &= strlen(e) == (len * 8 + 4) / 5;
        ok &= portal_base32_decode(pool, e, &d, &n) == APR_SUCCESS && n == len
              && memcmp(d, buf, len) == 0;
    }
    CHECK(ok);
}

static void test_rfc6238_vectors(void)
{
    /* Appendix B's 8-digit codes for SHA-1; 6 digits are their last 6
     * (both are the truncated value modulo a power of ten). */
    static const struct { long long t; const char *code8; } vec[] = {
        { 59, "94287082" }, { 1111111109, "07081804" }, { 1111111111, "14050471" },
        { 1234567890, "89005924" }, { 2000000000, "69279037" }, { 20000000000LL, "65353130" },
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++)
        CHECK_STR(portal_totp_code(pool, rfc_secret, RFC_LEN, vec[i].t / 30), vec[i].code8 + 2);
    CHECK(portal_totp_code(pool, rfc_secret, RFC_LEN, -1) == NULL);
}

/* oathtool is Debian's independent implementation: same secret, same
 * times, same codes. */
static void test_against_oathtool(void)
{
    if (system("command -v oathtool >/dev/null 2>&1") != 0) {
        printf("totp: oathtool not installed, comparison with it skipped\n");
        return;
    }
    const unsigned char *secret;
    apr_size_t len;
    CHECK_INT(portal_totp_secret_new(pool, &secret, &len), APR_SUCCESS);
    CHECK_INT(len, 20);
    const char *b32 = portal_base32_encode(pool, secret, len);
    int compared = 0;
    for (long long t = 1700000000LL; t < 1700000000LL + 30 * 40; t += 30 * 7 + 11) {
        /* -w 2: the code of the step and of the two after it. */
        char cmd[256], line[32];
        snprintf(cmd, sizeof(cmd), "oathtool --totp -b -w 2 -N @%lld %s", t, b32);
        FILE *f = popen(cmd, "r");
        if (!CHECK(f != NULL))
            return;
        for (int k = 0; k < 3 && fgets(line, sizeof(line), f); k++) {
            line[strcspn(line, "\n")] = '\0';
            CHECK_STR(portal_totp_code(pool, secret, len, t / 30 + k), line);
            compared++;
        }
        CHECK_INT(pclose(f), 0);
    }
    CHECK_INT(compared, 18);
}

static void test_verify_window_and_replay(void)
{
    long long t = 1111111111LL, step = t / 30, m = -7;
    apr_time_t now = apr_time_from_sec(t);
    const char *cur = portal_totp_code(pool, rfc_secret, RFC_LEN, step);
    const char *prev = portal_totp_code(pool, rfc_secret, RFC_LEN, step - 1);
    const char *next = portal_totp_code(pool, rfc_secret, RFC_LEN, step + 1);
    const char *old = portal_totp_code(pool, rfc_secret, RFC_LEN, step - 2);
    const char *late = portal_totp_code(pool, rfc_secret, RFC_LEN, step + 2);

    CHECK(portal_totp_verify(rfc_secret, RFC_LEN, cur, now, -1, &m));
    CHECK_INT(m, step);
    m = -7;
    CHECK(portal_totp_verify(rfc_secret, RFC_LEN, prev, now, -1, &m));
    CHECK_INT(m, step - 1);
    CHECK(portal_totp_verify(rfc_secret, RFC_LEN, next, now, -1, &m));
    CHECK_INT(m, step + 1);
    m = -7;
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, old, now, -1, &m));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, late, now, -1, &m));
    CHECK_INT(m, -7);   /* untouched when refused */

    /* Replay: once step is used, its code and earlier ones are refused;
     * the next step's code still works. */
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, cur, now, step, &m));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, prev, now, step, &m));
    CHECK(portal_totp_verify(rfc_secret, RFC_LEN, next, now, step, &m));
    CHECK_INT(m, step + 1);
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, next, now, step + 1, &m));

    /* Spaces allowed; anything else refused. */
    CHECK(portal_totp_verify(rfc_secret, RFC_LEN, " 050 471 ", now, -1, NULL));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, "050-471", now, -1, NULL));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, "0504710", now, -1, NULL));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, "05047", now, -1, NULL));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, "", now, -1, NULL));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, NULL, now, -1, NULL));
    CHECK(!portal_totp_verify(rfc_secret, RFC_LEN, "050471", now, step + 5, NULL));
    /* Another secret's code is refused. */
    CHECK(!portal_totp_verify((const unsigned char *)"12345678901234567891", RFC_LEN,
                              cur, now, -1, NULL));
}

static void test_uri(void)
{
    CHECK_STR(portal_totp_uri(pool, "Acme ERP", "ana@example.com", "JBSWY3DPEHPK3PXP"),
              "otpauth://totp/Acme%20ERP:ana%40example.com?secret=JBSWY3DPEHPK3PXP"
              "&issuer=Acme%20ERP&algorithm=SHA1&digits=6&period=30");
    /* ':' '&' '?' '#' in the names cannot add a label part or a parameter. */
    CHECK_STR(portal_totp_uri(pool, "A:B&C", "x?y#z", "MY"),
              "otpauth://totp/A%3AB%26C:x%3Fy%23z?secret=MY"
              "&issuer=A%3AB%26C&algorithm=SHA1&digits=6&period=30");
}

static void test_secret_new(void)
{
    const unsigned char *a, *b;
    apr_size_t la, lb;
    CHECK_INT(portal_totp_secret_new(pool, &a, &la), APR_SUCCESS);
    CHECK_INT(portal_totp_secret_new(pool, &b, &lb), APR_SUCCESS);
    CHECK(la == 20 && lb == 20 && memcmp(a, b, 20) != 0);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_base32_rfc4648();
    test_base32_lenient_and_strict();
    test_rfc6238_vectors();
    test_against_oathtool();
    test_verify_window_and_replay();
    test_uri();
    test_secret_new();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("totp");
}
