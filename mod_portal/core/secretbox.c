#include "secretbox.h"
#include "crypto.h"

#include <string.h>
#include <apr_strings.h>
#include <sodium.h>

void portal_hkdf_sha256(const unsigned char *salt, apr_size_t salt_len,
                        const unsigned char *ikm, apr_size_t ikm_len,
                        const char *info, unsigned char out[PORTAL_KEY_BYTES])
{
    static const unsigned char zeros[crypto_auth_hmacsha256_BYTES];
    unsigned char prk[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    const unsigned char one = 1;

    if (!salt || salt_len == 0) {
        salt = zeros;
        salt_len = sizeof(zeros);
    }
    /* Extract, then the first block of expand: 32 bytes is all we need.
     * (Debian 12's libsodium 1.0.18 predates crypto_kdf_hkdf_sha256, and
     * crypto_kdf would limit purposes to 8 characters.) */
    crypto_auth_hmacsha256_init(&st, salt, salt_len);
    crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
    crypto_auth_hmacsha256_final(&st, prk);
    crypto_auth_hmacsha256_init(&st, prk, sizeof(prk));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)info, strlen(info));
    crypto_auth_hmacsha256_update(&st, &one, 1);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(prk, sizeof(prk));
    sodium_memzero(&st, sizeof(st));
}

void portal_derive_key(const unsigned char *secret, apr_size_t secret_len,
                       const char *purpose, unsigned char out[PORTAL_KEY_BYTES])
{
    static const char salt[] = "mod_portal key v1";
    portal_hkdf_sha256((const unsigned char *)salt, sizeof(salt) - 1, secret, secret_len,
                       purpose, out);
}

struct wipe_ctx {
    void *buf;
    apr_size_t len;
};

static apr_status_t wipe(void *data)
{
    const struct wipe_ctx *w = data;
    sodium_memzero(w->buf, w->len);
    return APR_SUCCESS;
}

void portal_wipe_on_cleanup(apr_pool_t *p, void *buf, apr_size_t len)
{
    struct wipe_ctx *w = apr_palloc(p, sizeof(*w));
    w->buf = buf;
    w->len = len;
    apr_pool_cleanup_register(p, w, wipe, apr_pool_cleanup_null);
}

#define SEAL_PREFIX "v1."
#define SEAL_OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

const char *portal_seal(apr_pool_t *p, const unsigned char key[PORTAL_KEY_BYTES],
                        const unsigned char *plain, apr_size_t len)
{
    if (sodium_init() < 0)
        return NULL;
    unsigned char *raw = apr_palloc(p, SEAL_OVERHEAD + len);
    randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES, plain, len, raw, key);
    const char *b64 = portal_b64url_encode(p, raw, SEAL_OVERHEAD + len);
    return apr_pstrcat(p, SEAL_PREFIX, b64, NULL);
}

apr_status_t portal_unseal(apr_pool_t *p, const unsigned char key[PORTAL_KEY_BYTES],
                           const char *sealed, const unsigned char **plain, apr_size_t *len)
{
    *plain = NULL;
    *len = 0;
    if (!sealed || strncmp(sealed, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1) != 0)
        return APR_EINVAL;
    if (sodium_init() < 0)
        return APR_EGENERAL;
    const char *b64 = sealed + sizeof(SEAL_PREFIX) - 1;
    apr_size_t b64_len = strlen(b64), raw_len = 0;
    unsigned char *raw = apr_palloc(p, b64_len * 3 / 4 + 1);
    /* Strict: no padding, no white space, canonical trailing bits, so
     * every sealed value has one spelling. */
    if (sodium_base642bin(raw, b64_len * 3 / 4 + 1, b64, b64_len, NULL, &raw_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0
        || raw_len < SEAL_OVERHEAD)
        return APR_EINVAL;
    apr_size_t n = raw_len - SEAL_OVERHEAD;
    unsigned char *out = apr_palloc(p, n + 1);
    portal_wipe_on_cleanup(p, out, n + 1);
    if (crypto_secretbox_open_easy(out, raw + crypto_secretbox_NONCEBYTES,
                                   raw_len - crypto_secretbox_NONCEBYTES, raw, key) != 0)
        return APR_EMISMATCH;
    out[n] = '\0';
    *plain = out;
    *len = n;
    return APR_SUCCESS;
}
