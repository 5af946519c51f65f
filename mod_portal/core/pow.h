/* Proof of work for forms that bots hammer (sign-in, sign-up): when an
 * address's rate climbs, the page carries a challenge the server signed,
 * and the browser (htdocs/js/pow.js) finds a nonce such that
 * SHA-256(challenge || nonce) starts with `bits` zero bits. A challenge is
 *
 *     v1.<purpose>.<bits>.<expires>.<random>.<mac>
 *
 * purpose [a-z_]{1,32}, bits and expires (Unix seconds) decimal, random 16
 * bytes base64url, mac = HMAC-SHA256(secret, "pow|" ip-key-hash "|" all
 * before ".<mac>") base64url: bound to one address (through the hash of its
 * rate-limit key, which the text never shows), one purpose and a deadline.
 * A solved challenge is spent once (sql/pow.sql spend; the page keeps
 * that). Plain data and a pool. */
#ifndef PORTAL_POW_H
#define PORTAL_POW_H

#include <apr_pools.h>
#include <apr_time.h>

#define PORTAL_POW_TTL 600          /* seconds a challenge can be solved and sent */
#define PORTAL_POW_MIN_BITS 16      /* about 65,000 hashes: a second or two */
#define PORTAL_POW_MAX_BITS 20      /* about a million: ten seconds or so */
#define PORTAL_POW_MAX_NONCE 20     /* characters of a nonce */

/* The bits asked of a request from an address with `hits` counted in its
 * window, where work starts at `from` hits and the hard limit is `limit`:
 * 0 below from, PORTAL_POW_MIN_BITS at from, rising evenly to
 * PORTAL_POW_MAX_BITS at limit and beyond. */
int portal_pow_difficulty(int hits, int from, int limit);

/* A fresh challenge, or NULL without randomness or for a bad purpose or
 * bits outside 1..32. ip_key as portal_rate_key_ip gives it. */
const char *portal_pow_challenge(apr_pool_t *p, const unsigned char *secret,
                                 apr_size_t secret_len, const char *purpose,
                                 const char *ip_key, int bits, apr_time_t now);

/* NULL when nonce solves challenge for purpose and ip_key at now with at
 * least required_bits, else one stable code: "missing" (no challenge or
 * no nonce), "malformed", "forged" (the mac does not match: another
 * address, purpose, or an edited field; compared in constant time),
 * "expired", "weak" (the challenge asks fewer bits than required),
 * "unsolved" (the digest does not start with the challenge's bits). */
const char *portal_pow_check(apr_pool_t *p, const unsigned char *secret,
                             apr_size_t secret_len, const char *challenge, const char *nonce,
                             const char *purpose, const char *ip_key, int required_bits,
                             apr_time_t now);

/* Leading zero bits of a digest of n bytes. */
int portal_pow_zero_bits(const unsigned char *digest, apr_size_t n);

#endif
