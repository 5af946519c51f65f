/* Key derivation (HKDF-SHA256, RFC 5869's vectors) and sealed values:
 * round trips, tampering, wrong keys and versions refused. */
#include "check.h"
#include "crypto.h"
#include "secretbox.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

static const char *hex(const unsigned char *k)
{
    return portal_hex_encode(pool, k, PORTAL_KEY_BYTES);
}

static void test_hkdf_rfc5869(void)
{
    unsigned char ikm[22], salt[13], out[32];
    char info[11];
    memset(ikm, 0x0b, sizeof(ikm));
    for (int i = 0; i < 13; i++)
        salt[i] = (unsigned char)i;
    for (int i = 0; i < 10; i++)
        info[i] = (char)(0xf0 + i);
    info[10] = '\0';
    /* Test case 1, the first 32 of its 42 bytes (T(1) of the expansion). */
    portal_hkdf_sha256(salt, sizeof(salt), ikm, sizeof(ikm), info, out);
    CHECK_STR(hex(out), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
    /* Test case 3: no salt, no info. */
    portal_hkdf_sha256(NULL, 0, ikm, sizeof(ikm), "", out);
    CHECK_STR(hex(out), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
}

static void test_purposes(void)
{
    const unsigned char *secret = (const unsigned char *)"0123456789abcdef0123456789abcdef";
    unsigned char a[32], b[32], c[32], d[32], e[32];
    portal_derive_key(secret, 32, "totp", a);
    portal_derive_key(secret, 32, "recovery", b);
    portal_derive_key(secret, 32, "download-link", c);
    portal_derive_key(secret, 32, "totp", d);
    portal_derive_key((const unsigned char *)"0123456789abcdef0123456789abcdeF", 32, "totp", e);
    CHECK(memcmp(a, b, 32) != 0 && memcmp(a, c, 32) != 0 && memcmp(b, c, 32) != 0);
    CHECK(memcmp(a, d, 32) == 0);     /* the same purpose: the same key */
    CHECK(memcmp(a, e, 32) != 0);     /* another secret: another key */
    CHECK(memcmp(a, secret, 32) != 0);
}

static void test_seal_round_trip(void)
{
    unsigned char key[32], other[32];
    const unsigned char *plain;
    apr_size_t len;
    portal_derive_key((const unsigned char *)"server secret of at least 32 bytes", 34, "totp", key);
    portal_derive_key((const unsigned char *)"server secret of at least 32 bytes", 34, "recovery",
                      other);

    const char *s = portal_seal(pool, key, (const unsigned char *)"12345678901234567890", 20);
    CHECK(s && strncmp(s, "v1.", 3) == 0);
    CHECK_INT(strlen(s), 3 + 80);   /* base64url of 24 + 16 + 20 bytes */
    CHECK_INT(portal_unseal(pool, key, s, &plain, &len), APR_SUCCESS);
    CHECK(len == 20 && memcmp(plain, "12345678901234567890", 20) == 0 && plain[20] == '\0');
    /* A fresh nonce each time: the same secret never seals the same way. */
    CHECK(strcmp(s, portal_seal(pool, key, (const unsigned char *)"12345678901234567890", 20)));
    /* Empty plaintext. */
    const char *e = portal_seal(pool, key, (const unsigned char *)"", 0);
    CHECK_INT(portal_unseal(pool, key, e, &plain, &len), APR_SUCCESS);
    CHECK_INT(len, 0);

    /* Wrong key, wrong version, malformed. */
    CHECK_INT(portal_unseal(pool, other, s, &plain, &len), APR_EMISMATCH);
    CHECK(plain == NULL && len == 0);
    char *v2 = apr_pstrdup(pool, s);
    v2[1] = '2';
    CHECK_INT(portal_unseal(pool, key, v2, &plain, &len), APR_EINVAL);
    CHECK_INT(portal_unseal(pool, key, s + 3, &plain, &len), APR_EINVAL);
    CHECK_INT(portal_unseal(pool, key, "v1.", &plain, &len), APR_EINVAL);
    CHECK_INT(portal_unseal(pool, key, "v1.AAAA", &plain, &len), APR_EINVAL);
    CHECK_INT(portal_unseal(pool, key, apr_pstrcat(pool, s, "=", NULL), &plain, &len),
              APR_EINVAL);
    CHECK_INT(portal_unseal(pool, key, NULL, &plain, &len), APR_EINVAL);
    char *cut = apr_pstrndup(pool, s, strlen(s) - 4);
    CHECK(portal_unseal(pool, key, cut, &plain, &len) != APR_SUCCESS);
}

/* Every character of the encoding changed to another base64url one:
 * each is refused, none gives a plaintext. */
static void test_tamper_everywhere(void)
{
    unsigned char key[32];
    const unsigned char *plain;
    apr_size_t len;
    memset(key, 7, sizeof(key));
    const char *s = portal_seal(pool, key, (const unsigned char *)"JBSWY3DPEHPK3PXP", 16);
    int refused = 0, tried = 0;
    for (apr_size_t i = 3; s[i]; i++) {
        char *t = apr_pstrdup(pool, s);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        tried++;
        refused += portal_unseal(pool, key, t, &plain, &len) != APR_SUCCESS && plain == NULL;
    }
    CHECK_INT(refused, tried);
    CHECK_INT(tried, 75);   /* base64url of 24 + 16 + 16 bytes */
}

static void test_wipe_on_cleanup(void)
{
    apr_pool_t *sub;
    apr_pool_create(&sub, pool);
    char *buf = apr_pstrdup(pool, "a secret");   /* outlives sub: safe to read after */
    portal_wipe_on_cleanup(sub, buf, 8);
    apr_pool_destroy(sub);
    CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_hkdf_rfc5869();
    test_purposes();
    test_seal_round_trip();
    test_tamper_everywhere();
    test_wipe_on_cleanup();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("secretbox");
}
