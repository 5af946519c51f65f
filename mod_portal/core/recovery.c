#include "recovery.h"
#include "crypto.h"
#include "secretbox.h"

#include <string.h>
#include <sodium.h>

#define CODE_LEN (PORTAL_RECOVERY_GROUPS * (PORTAL_RECOVERY_GROUP_LEN + 1) - 1)

apr_status_t portal_recovery_codes(apr_pool_t *p, int n, const char ***codes)
{
    static const char alphabet[] = PORTAL_RECOVERY_ALPHABET;
    if (n < 1 || n > 100)
        return APR_EINVAL;
    if (sodium_init() < 0)
        return APR_EGENERAL;
    const char **list = apr_palloc(p, sizeof(*list) * ((apr_size_t)n + 1));
    char *all = apr_palloc(p, (apr_size_t)n * (CODE_LEN + 1));
    portal_wipe_on_cleanup(p, all, (apr_size_t)n * (CODE_LEN + 1));
    for (int i = 0; i < n; i++) {
        char *c = all + (apr_size_t)i * (CODE_LEN + 1), *o = c;
        for (int g = 0; g < PORTAL_RECOVERY_GROUPS; g++) {
            if (g)
                *o++ = '-';
            /* randombytes_uniform is unbiased for a size that is not a
             * power of two. */
            for (int k = 0; k < PORTAL_RECOVERY_GROUP_LEN; k++)
                *o++ = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
        }
        *o = '\0';
        list[i] = c;
    }
    list[n] = NULL;
    *codes = list;
    return APR_SUCCESS;
}

const char *portal_recovery_hash(apr_pool_t *p, const unsigned char *key, apr_size_t key_len,
                                 const char *code)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    if (!code || !key)
        return NULL;
    /* Normalised in place into a pool copy, wiped after the MAC. */
    apr_size_t n = strlen(code), m = 0;
    char *norm = apr_palloc(p, n + 1);
    for (apr_size_t i = 0; i < n; i++) {
        char c = code[i];
        if (c == ' ' || c == '\t' || c == '-')
            continue;
        norm[m++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)norm, m);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(norm, n + 1);
    sodium_memzero(&st, sizeof(st));
    return portal_hex_encode(p, mac, sizeof(mac));
}
