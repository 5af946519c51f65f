#include "crypto.h"

#include <string.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

apr_status_t portal_random_bytes(unsigned char *buf, apr_size_t n)
{
    return RAND_bytes(buf, (int)n) == 1 ? APR_SUCCESS : APR_EGENERAL;
}

const char *portal_random_token(apr_pool_t *p, apr_size_t bytes)
{
    unsigned char buf[64];
    if (bytes > sizeof(buf) || portal_random_bytes(buf, bytes) != APR_SUCCESS)
        return NULL;
    return portal_b64url_encode(p, buf, bytes);
}

const char *portal_b64url_encode(apr_pool_t *p, const unsigned char *data, apr_size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = apr_palloc(p, (n + 2) / 3 * 4 + 1), *o = out;
    apr_size_t i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = alphabet[v >> 6 & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)data[i] << 16 | (i + 1 < n ? (unsigned)data[i + 1] << 8 : 0);
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        if (i + 1 < n)
            *o++ = alphabet[v >> 6 & 63];
    }
    *o = '\0';
    return out;
}

const char *portal_hex_encode(apr_pool_t *p, const unsigned char *data, apr_size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *out = apr_palloc(p, n * 2 + 1);
    for (apr_size_t i = 0; i < n; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[n * 2] = '\0';
    return out;
}

const char *portal_hmac_b64url(apr_pool_t *p, const unsigned char *key, apr_size_t key_len,
                               const char *msg, apr_size_t msg_len)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, msg_len,
              mac, &mac_len))
        return NULL;
    return portal_b64url_encode(p, mac, mac_len);
}

const char *portal_sha256_hex(apr_pool_t *p, const char *data, apr_size_t n)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)data, n, md);
    return portal_hex_encode(p, md, sizeof(md));
}

int portal_equal_secret(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    apr_size_t n = strlen(a);
    if (strlen(b) != n)
        return 0;
    return CRYPTO_memcmp(a, b, n) == 0;
}

const char *portal_uuid_v4(apr_pool_t *p)
{
    unsigned char b[16];
    if (portal_random_bytes(b, sizeof(b)) != APR_SUCCESS)
        return NULL;
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);   /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
    return apr_psprintf(p, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                        "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
                        b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int portal_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
