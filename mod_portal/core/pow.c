#include "pow.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/sha.h>
#include "crypto.h"

#define MAX_CHALLENGE 200

int portal_pow_difficulty(int hits, int from, int limit)
{
    if (from < 1 || hits < from)
        return 0;
    int span = limit > from ? limit - from : 1;
    int extra = (hits - from) * (PORTAL_POW_MAX_BITS - PORTAL_POW_MIN_BITS) / span;
    int bits = PORTAL_POW_MIN_BITS + extra;
    return bits > PORTAL_POW_MAX_BITS ? PORTAL_POW_MAX_BITS : bits;
}

static int purpose_valid(const char *s)
{
    apr_size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 32)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz_") == n;
}

static const char *mac_of(apr_pool_t *p, const unsigned char *secret, apr_size_t secret_len,
                          const char *ip_key, const char *body, apr_size_t body_len)
{
    const char *msg = apr_pstrcat(p, "pow|", portal_sha256_hex(p, ip_key, strlen(ip_key)), "|",
                                  apr_pstrmemdup(p, body, body_len), NULL);
    return portal_hmac_b64url(p, secret, secret_len, msg, strlen(msg));
}

const char *portal_pow_challenge(apr_pool_t *p, const unsigned char *secret,
                                 apr_size_t secret_len, const char *purpose,
                                 const char *ip_key, int bits, apr_time_t now)
{
    if (!purpose_valid(purpose) || !ip_key || bits < 1 || bits > 32)
        return NULL;
    const char *random = portal_random_token(p, 16);
    if (!random)
        return NULL;
    const char *body = apr_psprintf(p, "v1.%s.%d.%" APR_TIME_T_FMT ".%s", purpose, bits,
                                    apr_time_sec(now) + PORTAL_POW_TTL, random);
    const char *mac = mac_of(p, secret, secret_len, ip_key, body, strlen(body));
    return mac ? apr_pstrcat(p, body, ".", mac, NULL) : NULL;
}

int portal_pow_zero_bits(const unsigned char *digest, apr_size_t n)
{
    int bits = 0;
    for (apr_size_t i = 0; i < n; i++) {
        if (digest[i] == 0) {
            bits += 8;
            continue;
        }
        for (unsigned char b = digest[i]; !(b & 0x80); b <<= 1)
            bits++;
        break;
    }
    return bits;
}

/* A decimal number of 1..max digits, no sign, no leading zero unless "0". */
static int decimal(const char *s, apr_size_t n, apr_size_t max, long long *out)
{
    if (n < 1 || n > max || (n > 1 && s[0] == '0'))
        return 0;
    long long v = 0;
    for (apr_size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

const char *portal_pow_check(apr_pool_t *p, const unsigned char *secret,
                             apr_size_t secret_len, const char *challenge, const char *nonce,
                             const char *purpose, const char *ip_key, int required_bits,
                             apr_time_t now)
{
    if (!challenge || !*challenge || !nonce || !*nonce)
        return "missing";
    apr_size_t len = strlen(challenge), nonce_len = strlen(nonce);
    long long ignored;
    if (len > MAX_CHALLENGE || !decimal(nonce, nonce_len, PORTAL_POW_MAX_NONCE, &ignored)
        || !ip_key || !purpose_valid(purpose))
        return "malformed";
    /* v1 . purpose . bits . expires . random . mac: split at the dots. */
    const char *part[6];
    apr_size_t part_len[6];
    const char *at = challenge;
    for (int i = 0; i < 6; i++) {
        const char *dot = i < 5 ? strchr(at, '.') : challenge + len;
        if (!dot)
            return "malformed";
        part[i] = at;
        part_len[i] = (apr_size_t)(dot - at);
        at = dot + 1;
    }
    long long bits, expires;
    if (part_len[0] != 2 || memcmp(part[0], "v1", 2) != 0
        || !decimal(part[2], part_len[2], 2, &bits) || bits < 1 || bits > 32
        || !decimal(part[3], part_len[3], 12, &expires) || part_len[4] < 1
        || part_len[5] < 1 || strchr(part[5], '.'))
        return "malformed";
    apr_size_t body_len = (apr_size_t)(part[5] - 1 - challenge);
    const char *mac = mac_of(p, secret, secret_len, ip_key, challenge, body_len);
    if (!mac || !portal_equal_secret(mac, part[5]))
        return "forged";
    /* Signed, so these fields are ours: the purpose must be the page's. */
    if (part_len[1] != strlen(purpose) || memcmp(part[1], purpose, part_len[1]) != 0)
        return "forged";
    if (expires < apr_time_sec(now))
        return "expired";
    if (bits < required_bits)
        return "weak";
    unsigned char md[SHA256_DIGEST_LENGTH];
    const char *input = apr_pstrcat(p, challenge, nonce, NULL);
    SHA256((const unsigned char *)input, len + nonce_len, md);
    return portal_pow_zero_bits(md, sizeof(md)) >= bits ? NULL : "unsolved";
}
