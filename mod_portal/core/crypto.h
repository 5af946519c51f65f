/* Small cryptographic helpers over OpenSSL: random tokens, HMAC, digests,
 * and the encodings that carry them in cookies and links. */
#ifndef PORTAL_CRYPTO_H
#define PORTAL_CRYPTO_H

#include <apr_pools.h>

/* Fills buf with n bytes from the CSPRNG. */
apr_status_t portal_random_bytes(unsigned char *buf, apr_size_t n);
/* A fresh random token of `bytes` bytes, base64url without padding. */
const char *portal_random_token(apr_pool_t *p, apr_size_t bytes);

const char *portal_b64url_encode(apr_pool_t *p, const unsigned char *data, apr_size_t n);
/* The value of one hex digit (either case), or -1. */
int portal_hex_digit(int c);
const char *portal_hex_encode(apr_pool_t *p, const unsigned char *data, apr_size_t n);

/* A random (version 4) UUID as text, or NULL without randomness. */
const char *portal_uuid_v4(apr_pool_t *p);

/* HMAC-SHA256(key, msg), base64url. */
const char *portal_hmac_b64url(apr_pool_t *p, const unsigned char *key, apr_size_t key_len,
                               const char *msg, apr_size_t msg_len);
/* SHA-256 of data as 64 lowercase hex characters. */
const char *portal_sha256_hex(apr_pool_t *p, const char *data, apr_size_t n);

/* 1 when a and b are equal strings, in time independent of where they differ. */
int portal_equal_secret(const char *a, const char *b);

#endif
