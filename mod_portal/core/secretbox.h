/* Keys derived from the server secret, one per purpose, and authenticated
 * encryption of small values at rest (TOTP secrets) with libsodium's
 * secretbox (XSalsa20-Poly1305). */
#ifndef PORTAL_SECRETBOX_H
#define PORTAL_SECRETBOX_H

#include <apr_pools.h>

#define PORTAL_KEY_BYTES 32

/* HKDF-SHA256 (RFC 5869) of the first 32 bytes of output:
 * out = HMAC(PRK, info || 0x01) where PRK = HMAC(salt, ikm). salt may be
 * NULL (salt_len 0), meaning 32 zero bytes, as the RFC says. */
void portal_hkdf_sha256(const unsigned char *salt, apr_size_t salt_len,
                        const unsigned char *ikm, apr_size_t ikm_len,
                        const char *info, unsigned char out[PORTAL_KEY_BYTES]);

/* The key for purpose ("totp", "recovery", "download-link", ...) from the
 * server secret (PortalSecretFile's bytes): HKDF-SHA256 with the salt
 * "mod_portal key v1" and the purpose as info, so every purpose has its own
 * key and knowing one tells nothing of the secret or of another. */
void portal_derive_key(const unsigned char *secret, apr_size_t secret_len,
                       const char *purpose, unsigned char out[PORTAL_KEY_BYTES]);

/* "v1." + base64url(nonce || secretbox(plain)), with a fresh random 24-byte
 * nonce (random nonces are safe at this size: 192 bits). NULL only if the
 * random source fails. */
const char *portal_seal(apr_pool_t *p, const unsigned char key[PORTAL_KEY_BYTES],
                        const unsigned char *plain, apr_size_t len);

/* The plaintext of a portal_seal string: *plain (NUL-terminated after *len
 * bytes, for text) from p, wiped when p is cleared or destroyed.
 * APR_EINVAL for another version or a malformed string, APR_EMISMATCH when
 * the authenticator fails: a changed byte or another key. On failure *plain
 * is NULL and *len 0. */
apr_status_t portal_unseal(apr_pool_t *p, const unsigned char key[PORTAL_KEY_BYTES],
                           const char *sealed, const unsigned char **plain, apr_size_t *len);

/* Registers a cleanup on p that wipes buf[0..len) when p goes: for secrets
 * a caller keeps in pool memory. */
void portal_wipe_on_cleanup(apr_pool_t *p, void *buf, apr_size_t len);

#endif
