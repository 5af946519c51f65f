/* Time-based one-time passwords (RFC 6238, HOTP of RFC 4226 underneath)
 * with the defaults authenticator apps and oathtool use: HMAC-SHA1, 6
 * digits, 30-second steps from the Unix epoch. And RFC 4648 base32, the
 * secret's spelling in the QR code and for typing in by hand. */
#ifndef PORTAL_TOTP_H
#define PORTAL_TOTP_H

#include <apr_pools.h>
#include <apr_time.h>

#define PORTAL_TOTP_SECRET_BYTES 20   /* 160 bits, RFC 4226's recommendation */
#define PORTAL_TOTP_DIGITS 6
#define PORTAL_TOTP_PERIOD 30         /* seconds */

/* 20 random bytes from p, wiped when p goes (keep them sealed:
 * core/secretbox.h). */
apr_status_t portal_totp_secret_new(apr_pool_t *p, const unsigned char **secret, apr_size_t *len);

/* RFC 4648 base32 (A-Z2-7), upper case, no '=' padding. */
const char *portal_base32_encode(apr_pool_t *p, const unsigned char *data, apr_size_t len);
/* Decodes base32 as people and apps write it: either case, spaces, tabs and
 * '-' anywhere, '=' padding only at the end. APR_EINVAL for any other
 * character, a length no encoding has (1, 3 or 6 characters past a multiple
 * of 8), or unused trailing bits that are not zero (so each value has one
 * spelling). *data is NUL-terminated after *len bytes. */
apr_status_t portal_base32_decode(apr_pool_t *p, const char *text,
                                  const unsigned char **data, apr_size_t *len);

/* The 6-digit code of time step `step` (Unix time / 30), zero-padded. */
const char *portal_totp_code(apr_pool_t *p, const unsigned char *secret, apr_size_t len,
                             long long step);

/* 1 when code (6 digits; spaces allowed anywhere) is the code of one of the
 * steps now-1, now, now+1 (a clock up to ~30 s off either way) AND that step
 * is after last_used_step; *matched_step (may be NULL) is set to it. The
 * caller stores *matched_step as the new last_used_step, so a code is
 * accepted once: replaying it, or an earlier step's code, is refused. Pass
 * -1 when no code was ever used. Every candidate step is computed and
 * compared in constant time; when two steps match, the later one counts. */
int portal_totp_verify(const unsigned char *secret, apr_size_t len, const char *code,
                       apr_time_t now, long long last_used_step, long long *matched_step);

/* The enrolment URI authenticator apps read from the QR code (Google's Key
 * Uri Format): otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER
 * &algorithm=SHA1&digits=6&period=30, issuer and account percent-encoded
 * (a ':' in them too, so the label splits in one place). */
const char *portal_totp_uri(apr_pool_t *p, const char *issuer, const char *account,
                            const char *base32);

#endif
