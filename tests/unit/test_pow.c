/* Proof of work: the difficulty for a rate, challenges bound to an address,
 * a purpose and a deadline, and the check of a solution. */
#include <apr_general.h>
#include <apr_strings.h>
#include <openssl/sha.h>
#include "check.h"
#include "pow.h"

static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";

/* Finds a nonce the slow, obvious way. */
static const char *solve(apr_pool_t *p, const char *challenge, int bits)
{
    for (long n = 0; n < 50000000; n++) {
        const char *nonce = apr_ltoa(p, n);
        const char *in = apr_pstrcat(p, challenge, nonce, NULL);
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256((const unsigned char *)in, strlen(in), md);
        if (portal_pow_zero_bits(md, sizeof(md)) >= bits)
            return nonce;
    }
    return NULL;
}

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    apr_time_t now = apr_time_from_sec(1800000000);

    /* No work below the threshold, the minimum at it, the maximum at the limit. */
    CHECK_INT(portal_pow_difficulty(0, 20, 30), 0);
    CHECK_INT(portal_pow_difficulty(19, 20, 30), 0);
    CHECK_INT(portal_pow_difficulty(20, 20, 30), PORTAL_POW_MIN_BITS);
    CHECK_INT(portal_pow_difficulty(25, 20, 30), 18);
    CHECK_INT(portal_pow_difficulty(30, 20, 30), PORTAL_POW_MAX_BITS);
    CHECK_INT(portal_pow_difficulty(1000, 20, 30), PORTAL_POW_MAX_BITS);
    CHECK_INT(portal_pow_difficulty(5, 5, 5), PORTAL_POW_MIN_BITS);
    CHECK_INT(portal_pow_difficulty(100, 0, 30), 0);

    unsigned char z[4] = { 0, 0, 0x1f, 0xff };
    CHECK_INT(portal_pow_zero_bits(z, 4), 19);
    unsigned char none[2] = { 0x80, 0 };
    CHECK_INT(portal_pow_zero_bits(none, 2), 0);
    unsigned char all[2] = { 0, 0 };
    CHECK_INT(portal_pow_zero_bits(all, 2), 16);

    const char *c = portal_pow_challenge(p, secret, 32, "signin", "192.0.2.7", 12, now);
    CHECK(c != NULL);
    CHECK(strncmp(c, "v1.signin.12.1800000600.", 24) == 0);
    CHECK(strstr(c, "192.0.2.7") == NULL);
    CHECK(strcmp(c, portal_pow_challenge(p, secret, 32, "signin", "192.0.2.7", 12, now)) != 0);
    CHECK(portal_pow_challenge(p, secret, 32, "Sign-in", "192.0.2.7", 12, now) == NULL);
    CHECK(portal_pow_challenge(p, secret, 32, "signin", "192.0.2.7", 0, now) == NULL);
    CHECK(portal_pow_challenge(p, secret, 32, "signin", "192.0.2.7", 33, now) == NULL);

    const char *nonce = solve(p, c, 12);
    CHECK(nonce != NULL);
    CHECK_STR(portal_pow_check(p, secret, 32, c, nonce, "signin", "192.0.2.7", 12, now), NULL);
    CHECK_STR(portal_pow_check(p, secret, 32, c, nonce, "signin", "192.0.2.7", 8, now), NULL);
    /* Another address, purpose or secret: forged. */
    CHECK_STR(portal_pow_check(p, secret, 32, c, nonce, "signin", "192.0.2.8", 12, now),
              "forged");
    CHECK_STR(portal_pow_check(p, secret, 32, c, nonce, "signup", "192.0.2.7", 12, now),
              "forged");
    CHECK_STR(portal_pow_check(p, (const unsigned char *)"another secret of thirty-two by",
                               32, c, nonce, "signin", "192.0.2.7", 12, now), "forged");
    /* An edited field (fewer bits asked) breaks the mac. */
    char *edited = apr_pstrdup(p, c);
    edited[11] = '1';   /* "12" bits becomes "11" */
    CHECK_STR(portal_pow_check(p, secret, 32, edited, nonce, "signin", "192.0.2.7", 1, now),
              "forged");
    /* Late, too easy for the rate now, or not solved. */
    CHECK_STR(portal_pow_check(p, secret, 32, c, nonce, "signin", "192.0.2.7", 12,
                               now + apr_time_from_sec(PORTAL_POW_TTL + 1)), "expired");
    CHECK_STR(portal_pow_check(p, secret, 32, c, nonce, "signin", "192.0.2.7", 13, now), "weak");
    int unsolved = 0;
    for (int n = 0; n < 20 && !unsolved; n++) {
        const char *try = apr_itoa(p, n);
        if (strcmp(try, nonce) != 0
            && portal_pow_check(p, secret, 32, c, try, "signin", "192.0.2.7", 12, now))
            unsolved = strcmp(portal_pow_check(p, secret, 32, c, try, "signin", "192.0.2.7",
                                               12, now), "unsolved") == 0;
    }
    CHECK(unsolved);
    /* Missing or malformed input. */
    CHECK_STR(portal_pow_check(p, secret, 32, NULL, nonce, "signin", "192.0.2.7", 12, now),
              "missing");
    CHECK_STR(portal_pow_check(p, secret, 32, c, "", "signin", "192.0.2.7", 12, now), "missing");
    CHECK_STR(portal_pow_check(p, secret, 32, c, "-1", "signin", "192.0.2.7", 12, now),
              "malformed");
    CHECK_STR(portal_pow_check(p, secret, 32, c, "007", "signin", "192.0.2.7", 12, now),
              "malformed");
    CHECK_STR(portal_pow_check(p, secret, 32, c, "123456789012345678901", "signin",
                               "192.0.2.7", 12, now), "malformed");
    CHECK_STR(portal_pow_check(p, secret, 32, "v1.signin.12", "1", "signin", "192.0.2.7", 12,
                               now), "malformed");
    CHECK_STR(portal_pow_check(p, secret, 32, "v2.signin.12.1800000600.abc.def", "1", "signin",
                               "192.0.2.7", 12, now), "malformed");
    CHECK_STR(portal_pow_check(p, secret, 32, apr_pstrcat(p, c, ".x", NULL), nonce, "signin",
                               "192.0.2.7", 12, now), "malformed");
    char big[400];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    CHECK_STR(portal_pow_check(p, secret, 32, big, "1", "signin", "192.0.2.7", 12, now),
              "malformed");

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("pow");
}
