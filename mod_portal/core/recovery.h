/* One-time recovery codes for two-factor sign-in: generated once, shown to
 * the user once, stored only as keyed hashes. Marking a code used (deleting
 * or flagging its row) is the caller's job. */
#ifndef PORTAL_RECOVERY_H
#define PORTAL_RECOVERY_H

#include <apr_pools.h>

/* 12 characters from 31 (log2(31^12) = 59.4 bits), in three groups of 4. */
#define PORTAL_RECOVERY_ALPHABET "23456789abcdefghjkmnpqrstuvwxyz"
#define PORTAL_RECOVERY_GROUPS 3
#define PORTAL_RECOVERY_GROUP_LEN 4

/* *codes = n fresh codes like "k7m2-x9qp-4hdt" (lower case; no 0, 1, i, l
 * or o, which people confuse), followed by a NULL, from p (wiped when p
 * goes). n from 1 to 100, else APR_EINVAL. */
apr_status_t portal_recovery_codes(apr_pool_t *p, int n, const char ***codes);

/* HMAC-SHA256 of the normalised code as 64 lower-case hex characters, with
 * key (derive it: portal_derive_key(secret, len, "recovery", key)). The
 * code is normalised first: upper case folded, spaces, tabs and dashes
 * dropped, so "K7M2 X9QP 4HDT" hashes as "k7m2-x9qp-4hdt" does. Compare the
 * stored hash with portal_equal_secret. NULL for a NULL code or key. */
const char *portal_recovery_hash(apr_pool_t *p, const unsigned char *key, apr_size_t key_len,
                                 const char *code);

#endif
