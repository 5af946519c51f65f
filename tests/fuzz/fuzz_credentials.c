/* libFuzzer target for the credential libraries' parsers of outside text:
 * portal_base32_decode and portal_unseal on any input, with round-trip
 * invariants, plus the password rules, TOTP code parsing and recovery-code
 * normalisation. Aborts on any broken invariant. */
#include "password.h"
#include "recovery.h"
#include "secretbox.h"
#include "totp.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <apr_general.h>
#include <apr_strings.h>

/* What decode ignores or folds, removed or folded: what encode gives back. */
static const char *canonical_base32(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) + 1), *o = out;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '-' && *s != '=')
            *o++ = (char)toupper((unsigned char)*s);
    *o = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    static unsigned char key[PORTAL_KEY_BYTES];
    apr_pool_t *p;

    if (!initialized) {
        apr_initialize();
        portal_derive_key((const unsigned char *)"fuzz secret fuzz secret fuzz sec", 32,
                          "totp", key);
        initialized = 1;
    }
    apr_pool_create(&p, NULL);
    const char *text = apr_pstrmemdup(p, (const char *)data, size);   /* up to a NUL */

    /* base32: a decoded value encodes to the input's one canonical spelling. */
    const unsigned char *d, *d2;
    apr_size_t n, n2;
    if (portal_base32_decode(p, text, &d, &n) == APR_SUCCESS) {
        const char *e = portal_base32_encode(p, d, n);
        if (strcmp(e, canonical_base32(p, text)) != 0)
            abort();
        if (portal_base32_decode(p, e, &d2, &n2) != APR_SUCCESS || n2 != n
            || memcmp(d, d2, n) != 0)
            abort();
    } else if (d != NULL || n != 0) {
        abort();
    }
    /* Any bytes encode and decode back. */
    const char *e = portal_base32_encode(p, data, size);
    if (portal_base32_decode(p, e, &d, &n) != APR_SUCCESS || n != size
        || (size && memcmp(d, data, size) != 0))
        abort();

    /* unseal: whatever it accepts seals and opens again to the same bytes;
     * what it refuses leaves nothing behind. */
    const unsigned char *plain;
    apr_size_t plen;
    if (portal_unseal(p, key, text, &plain, &plen) == APR_SUCCESS) {
        const char *again = portal_seal(p, key, plain, plen);
        const unsigned char *plain2;
        apr_size_t plen2;
        if (!again || portal_unseal(p, key, again, &plain2, &plen2) != APR_SUCCESS
            || plen2 != plen || memcmp(plain, plain2, plen) != 0)
            abort();
    } else if (plain != NULL || plen != 0) {
        abort();
    }
    /* The input sealed opens to itself, and with one character changed not at all. */
    const char *sealed = portal_seal(p, key, data, size);
    if (!sealed || portal_unseal(p, key, sealed, &plain, &plen) != APR_SUCCESS
        || plen != size || (size && memcmp(plain, data, size) != 0))
        abort();
    char *bent = apr_pstrdup(p, sealed);
    apr_size_t at = 3 + (size ? data[0] : 0) % (strlen(bent) - 3);
    bent[at] = bent[at] == 'A' ? 'B' : 'A';
    if (portal_unseal(p, key, bent, &plain, &plen) == APR_SUCCESS)
        abort();

    /* Password rules: one of the stable codes, or NULL. */
    const char *why = portal_password_problem(text, NULL);
    if (why && strcmp(why, "too_short") && strcmp(why, "too_long") && strcmp(why, "too_common")
        && strcmp(why, "too_personal"))
        abort();
    const char *ctx[] = { text, NULL };
    why = portal_password_problem(text, ctx);
    if (why == NULL)
        abort();   /* a password equal to its own context is never accepted */

    /* TOTP parsing: any text, no crash; a match names a step in the window. */
    long long step = -5;
    if (portal_totp_verify((const unsigned char *)"12345678901234567890", 20, text,
                           apr_time_from_sec(1111111111), -1, &step)
        && (step < 1111111111 / 30 - 1 || step > 1111111111 / 30 + 1))
        abort();

    /* Recovery codes: case is folded before the MAC. */
    char *upper = apr_pstrdup(p, text);
    for (char *c = upper; *c; c++)
        *c = (char)toupper((unsigned char)*c);
    if (strcmp(portal_recovery_hash(p, key, sizeof(key), text),
               portal_recovery_hash(p, key, sizeof(key), upper)) != 0)
        abort();

    apr_pool_destroy(p);
    return 0;
}
