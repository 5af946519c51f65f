#include "totp.h"
#include "crypto.h"
#include "form.h"
#include "secretbox.h"

#include <stdio.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

apr_status_t portal_totp_secret_new(apr_pool_t *p, const unsigned char **secret, apr_size_t *len)
{
    unsigned char *s = apr_palloc(p, PORTAL_TOTP_SECRET_BYTES);
    portal_wipe_on_cleanup(p, s, PORTAL_TOTP_SECRET_BYTES);
    if (portal_random_bytes(s, PORTAL_TOTP_SECRET_BYTES) != APR_SUCCESS)
        return APR_EGENERAL;
    *secret = s;
    *len = PORTAL_TOTP_SECRET_BYTES;
    return APR_SUCCESS;
}

/* --- base32 ----------------------------------------------------------------- */

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const char *portal_base32_encode(apr_pool_t *p, const unsigned char *data, apr_size_t len)
{
    char *out = apr_palloc(p, (len * 8 + 4) / 5 + 1), *o = out;
    unsigned acc = 0, bits = 0;
    for (apr_size_t i = 0; i < len; i++) {
        acc = (acc << 8 | data[i]) & 0xfff;   /* at most 12 bits are pending */
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            *o++ = b32_alphabet[acc >> bits & 31];
        }
    }
    if (bits)
        *o++ = b32_alphabet[acc << (5 - bits) & 31];
    *o = '\0';
    return out;
}

static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

apr_status_t portal_base32_decode(apr_pool_t *p, const char *text,
                                  const unsigned char **data, apr_size_t *len)
{
    apr_size_t n = text ? strlen(text) : 0, chars = 0;
    unsigned char *out = apr_palloc(p, n * 5 / 8 + 1), *o = out;
    unsigned acc = 0, bits = 0;
    int padding = 0;

    *data = NULL;
    *len = 0;
    if (!text)
        return APR_EINVAL;
    for (apr_size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '-')
            continue;
        if (c == '=') {
            padding = 1;
            continue;
        }
        int v = b32_value(c);
        if (v < 0 || padding)   /* a letter after '=' */
            return APR_EINVAL;
        acc = (acc << 5 | (unsigned)v) & 0xfff;   /* at most 12 bits are pending */
        bits += 5;
        chars++;
        if (bits >= 8) {
            bits -= 8;
            *o++ = (unsigned char)(acc >> bits);
        }
    }
    /* 8 characters carry 5 bytes; 2, 4, 5 or 7 left over carry 1-4 bytes. */
    apr_size_t rest = chars % 8;
    if (rest == 1 || rest == 3 || rest == 6)
        return APR_EINVAL;
    if (acc & ((1u << bits) - 1))
        return APR_EINVAL;
    *o = '\0';
    *data = out;
    *len = (apr_size_t)(o - out);
    return APR_SUCCESS;
}

/* --- TOTP ------------------------------------------------------------------- */

/* RFC 4226 HOTP with 6 digits into out[7]. */
static int hotp(const unsigned char *secret, apr_size_t len, long long step, char out[7])
{
    unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    unsigned long long counter = (unsigned long long)step;
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (unsigned char)counter;
    if (!HMAC(EVP_sha1(), secret, (int)len, msg, sizeof(msg), mac, &mac_len) || mac_len < 20)
        return 0;
    unsigned off = mac[mac_len - 1] & 15;   /* dynamic truncation */
    unsigned long bin = (unsigned long)(mac[off] & 0x7f) << 24 | (unsigned long)mac[off + 1] << 16
                      | (unsigned long)mac[off + 2] << 8 | mac[off + 3];
    snprintf(out, 7, "%06lu", bin % 1000000ul);
    sodium_memzero(mac, sizeof(mac));
    return 1;
}

const char *portal_totp_code(apr_pool_t *p, const unsigned char *secret, apr_size_t len,
                             long long step)
{
    char code[7];
    if (step < 0 || !hotp(secret, len, step, code))
        return NULL;
    const char *s = apr_pstrdup(p, code);
    sodium_memzero(code, sizeof(code));
    return s;
}

int portal_totp_verify(const unsigned char *secret, apr_size_t len, const char *code,
                       apr_time_t now, long long last_used_step, long long *matched_step)
{
    char given[7], want[7];
    apr_size_t n = 0;
    int found = 0;
    long long match = -1;

    if (!secret || !code)
        return 0;
    for (const char *c = code; *c; c++) {
        if (*c == ' ')
            continue;
        if (*c < '0' || *c > '9' || n == PORTAL_TOTP_DIGITS)
            return 0;
        given[n++] = *c;
    }
    if (n != PORTAL_TOTP_DIGITS)
        return 0;
    given[n] = '\0';

    long long step = (long long)apr_time_sec(now) / PORTAL_TOTP_PERIOD;
    for (long long s = step - 1; s <= step + 1; s++) {
        /* All three steps are computed and compared whatever matched, so
         * the time taken says nothing about which step or digits were right. */
        int ok = s >= 0 && hotp(secret, len, s, want);
        ok = ok && CRYPTO_memcmp(given, want, PORTAL_TOTP_DIGITS) == 0;
        if (ok && s > last_used_step) {
            found = 1;
            match = s;
        }
    }
    sodium_memzero(given, sizeof(given));
    sodium_memzero(want, sizeof(want));
    if (found && matched_step)
        *matched_step = match;
    return found;
}

const char *portal_totp_uri(apr_pool_t *p, const char *issuer, const char *account,
                            const char *base32)
{
    /* portal_url_encode leaves only ALPHA DIGIT - . _ ~, so ':' '/' '?'
     * '&' '#' and spaces in a company name or e-mail cannot break the URI. */
    const char *is = portal_url_encode(p, issuer ? issuer : "");
    return apr_pstrcat(p, "otpauth://totp/", is, ":", portal_url_encode(p, account ? account : ""),
                       "?secret=", portal_url_encode(p, base32 ? base32 : ""),
                       "&issuer=", is, "&algorithm=SHA1&digits=6&period=30", NULL);
}
