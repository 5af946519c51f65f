/* Passwords: the rules a new password must meet, argon2id hashing and
 * verification (libsodium), and the per-process cap on hashes running at
 * once that keeps argon2id's memory bounded under concurrent sign-ins. */
#ifndef PORTAL_PASSWORD_H
#define PORTAL_PASSWORD_H

#include <apr_pools.h>

/* The hashing policy, in one place. OWASP's minimum for argon2id is 19 MiB
 * and 2 passes; the encoded hash carries its own parameters, so raising
 * these makes portal_password_needs_rehash ask for a new hash at the next
 * sign-in, while old hashes still verify. */
#define PORTAL_PWHASH_OPSLIMIT 2u
#define PORTAL_PWHASH_MEMLIMIT (19u << 20)

#define PORTAL_PASSWORD_MIN_CHARS 12    /* Unicode code points */
#define PORTAL_PASSWORD_MAX_BYTES 256   /* longer is refused before hashing */
#define PORTAL_PASSWORD_DEFAULT_SLOTS 4

/* NULL when password may be set, else one stable code:
 *   "too_short"    fewer than 12 code points, leading and trailing white
 *                  space not counted (input is UTF-8, as the body layer
 *                  guarantees; a stray byte would count as one character)
 *   "too_long"     more than 256 bytes
 *   "too_common"   in data/common-passwords.txt, compared case-insensitively
 *                  after trimming white space
 *   "too_personal" equal, the same way, to one of the NULL-terminated
 *                  context strings (the e-mail, its local part, the name,
 *                  the company); context may be NULL, its empty strings are
 *                  skipped
 * The checks run in that order. Case folding is ASCII's: the list is ASCII. */
const char *portal_password_problem(const char *password, const char *const *context);

/* *hash = the argon2id encoding ("$argon2id$v=19$m=19456,t=2,p=1$salt$tag")
 * of password under the policy above, allocated from p. APR_ENOMEM when
 * libsodium could not get the memory, APR_EINVAL for a NULL password.
 * Takes ~50-100 ms and 19 MiB: run it inside a slot (below). */
apr_status_t portal_password_hash(apr_pool_t *p, const char *password, const char **hash);

/* 1 when password matches hash, else 0 (a malformed or NULL hash, a NULL
 * password, one longer than PORTAL_PASSWORD_MAX_BYTES, which no stored hash
 * can be of). The comparison is libsodium's, in constant time. Takes as
 * long as hashing at the hash's own parameters. */
int portal_password_verify(const char *hash, const char *password);

/* 1 when hash should be replaced, after a successful verify, by a new
 * portal_password_hash: its memory or passes are below the policy, or it is
 * not an argon2id hash of this version. A hash stronger than the policy is
 * kept (0), so servers with different policies during an upgrade do not
 * take turns rehashing. */
int portal_password_needs_rehash(const char *hash);

/* Spends the time of portal_password_verify under the current policy, then
 * returns APR_SUCCESS: for a sign-in whose e-mail is unknown, so that it
 * takes as long as one with a known e-mail and a wrong password. Take a slot
 * for it as for a real verify. */
apr_status_t portal_password_dummy_verify(const char *password);

/* The cap on argon2id runs at once in this process: memory is slots times
 * PORTAL_PWHASH_MEMLIMIT. Each Apache child calls portal_password_slots_init
 * once, in child_init, before its threads serve requests (max <= 0 means
 * PORTAL_PASSWORD_DEFAULT_SLOTS; without the call the default applies).
 * A page takes a slot around every hash, verify and dummy verify;
 * portal_password_slot_take never waits: 0 means none is free and the page
 * answers 503 with Retry-After. Every 1 it returns is matched by exactly
 * one portal_password_slot_give. Lock-free (apr_atomic). */
void portal_password_slots_init(int max);
int portal_password_slot_take(void);
void portal_password_slot_give(void);
/* Slots taken right now (for status pages and tests). */
int portal_password_slots_in_use(void);

/* 1 when s, trimmed and lower-cased, is in the common-password list. */
int portal_password_is_common(const char *s);

#endif
