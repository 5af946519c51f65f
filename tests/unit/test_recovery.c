/* Recovery codes: shape, alphabet, strength, and the keyed hash that is
 * all the database keeps of them. */
#include "check.h"
#include "recovery.h"

#include <apr_general.h>
#include <apr_strings.h>

static apr_pool_t *pool;

static int well_formed(const char *c)
{
    if (strlen(c) != 14 || c[4] != '-' || c[9] != '-')
        return 0;
    for (int i = 0; i < 14; i++)
        if (i != 4 && i != 9 && !strchr(PORTAL_RECOVERY_ALPHABET, c[i]))
            return 0;
    return 1;
}

static void test_codes(void)
{
    const char **codes = NULL;
    CHECK_INT(portal_recovery_codes(pool, 10, &codes), APR_SUCCESS);
    if (!CHECK(codes != NULL))
        return;
    int ok = 1, distinct = 1;
    for (int i = 0; i < 10; i++) {
        ok &= codes[i] && well_formed(codes[i]);
        for (int j = 0; j < i; j++)
            distinct &= strcmp(codes[i], codes[j]) != 0;
    }
    CHECK(ok);
    CHECK(distinct);
    CHECK(codes[10] == NULL);
    CHECK_INT(portal_recovery_codes(pool, 0, &codes), APR_EINVAL);
    CHECK_INT(portal_recovery_codes(pool, 101, &codes), APR_EINVAL);

    /* No look-alikes, and at least 50 bits each. */
    CHECK(strpbrk(PORTAL_RECOVERY_ALPHABET, "01ilo") == NULL);
    unsigned long long space = 1;
    for (int i = 0; i < 12; i++)
        space *= strlen(PORTAL_RECOVERY_ALPHABET);   /* 31^12 < 2^64 */
    CHECK(space >= 1ull << 50);

    /* Every symbol is used: 1,200 draws from 31 miss one with probability
     * about 31 * (30/31)^1200, 1e-16. */
    int seen[256] = { 0 }, missing = 0;
    CHECK_INT(portal_recovery_codes(pool, 100, &codes), APR_SUCCESS);
    for (int i = 0; i < 100; i++)
        for (const char *c = codes[i]; *c; c++)
            seen[(unsigned char)*c]++;
    for (const char *a = PORTAL_RECOVERY_ALPHABET; *a; a++)
        missing += seen[(unsigned char)*a] == 0;
    CHECK_INT(missing, 0);
    CHECK_INT(seen['-'], 200);
}

static void test_hash(void)
{
    const unsigned char *key = (const unsigned char *)"recovery key";
    /* Python: hmac.new(b"recovery key", b"k7m2x9qp4hdt", sha256).hexdigest() */
    const char *want = "9ec4ae306196621276dab1a6262ae7981b38917216ffdc129c1781d1da13f765";
    CHECK_STR(portal_recovery_hash(pool, key, 12, "k7m2-x9qp-4hdt"), want);
    CHECK_STR(portal_recovery_hash(pool, key, 12, " K7M2 X9QP 4HDT "), want);
    CHECK_STR(portal_recovery_hash(pool, key, 12, "k7m2x9qp4hdt"), want);
    CHECK_STR(portal_recovery_hash(pool, key, 12, "K7M2-\tX9QP--4hdt"), want);
    CHECK(strcmp(portal_recovery_hash(pool, key, 12, "k7m2-x9qp-4hdu"), want) != 0);
    CHECK(strcmp(portal_recovery_hash(pool, (const unsigned char *)"recovery kez", 12,
                                      "k7m2-x9qp-4hdt"), want) != 0);
    CHECK(portal_recovery_hash(pool, key, 12, NULL) == NULL);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_codes();
    test_hash();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("recovery");
}
