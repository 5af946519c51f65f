#include "password.h"
#include "embedded.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>
#include <apr_atomic.h>
#include <apr_strings.h>
#include <sodium.h>

/* --- rules ------------------------------------------------------------------ */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[*start, *end) without the white space at both ends. */
static void trim(const char *s, apr_size_t *start, apr_size_t *end)
{
    apr_size_t a = 0, b = strlen(s);
    while (a < b && is_space(s[a]))
        a++;
    while (b > a && is_space(s[b - 1]))
        b--;
    *start = a;
    *end = b;
}

/* Compares key[0..n) with the line [line, line_end) as the list is sorted:
 * bytes as unsigned, a shorter prefix first. */
static int compare_line(const char *key, apr_size_t n, const char *line, const char *line_end)
{
    apr_size_t m = (apr_size_t)(line_end - line);
    int c = memcmp(key, line, n < m ? n : m);
    if (c)
        return c;
    return n < m ? -1 : n > m ? 1 : 0;
}

/* The list's text after its '#' header, every line ending in '\n'. */
static const char *common_list(apr_size_t *len)
{
    for (const portal_embedded_file *f = portal_data_files; f->name; f++) {
        if (strcmp(f->name, "common-passwords.txt") != 0)
            continue;
        const char *s = f->text, *end = f->text + f->len;
        while (s < end && *s == '#') {
            const char *nl = memchr(s, '\n', (apr_size_t)(end - s));
            s = nl ? nl + 1 : end;
        }
        *len = (apr_size_t)(end - s);
        return s;
    }
    *len = 0;
    return NULL;
}

/* Binary search over the embedded, sorted text itself, as look(1) does: no
 * index to build, so nothing to initialise per process or guard between
 * threads, and about 16 comparisons for the ~47,000 lines. */
static int in_list(const char *key, apr_size_t n)
{
    apr_size_t len, lo = 0, hi;
    const char *text = common_list(&len);
    if (!text)
        return 0;
    hi = len;   /* lo is always the start of a line; [lo, hi) still to search */
    while (lo < hi) {
        apr_size_t mid = lo + (hi - lo) / 2;
        while (mid > lo && text[mid - 1] != '\n')
            mid--;
        const char *line = text + mid;
        const char *nl = memchr(line, '\n', len - mid);
        const char *line_end = nl ? nl : text + len;
        int c = compare_line(key, n, line, line_end);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = (apr_size_t)(line_end - text) + 1;
    }
    return 0;
}

int portal_password_is_common(const char *s)
{
    /* Longer than any entry (the longest is 24 characters) cannot match. */
    char key[64];
    apr_size_t a, b;
    if (!s)
        return 0;
    trim(s, &a, &b);
    if (b - a >= sizeof(key))
        return 0;
    for (apr_size_t i = a; i < b; i++)
        key[i - a] = ascii_lower(s[i]);
    int found = in_list(key, b - a);
    sodium_memzero(key, sizeof(key));   /* it held the password */
    return found;
}

/* 1 when s[a, b) and the trimmed context string are equal ignoring ASCII case. */
static int equal_trimmed(const char *s, apr_size_t a, apr_size_t b, const char *ctx)
{
    apr_size_t ca, cb;
    trim(ctx, &ca, &cb);
    if (cb == ca || cb - ca != b - a)
        return 0;
    for (apr_size_t i = 0; i < b - a; i++)
        if (ascii_lower(s[a + i]) != ascii_lower(ctx[ca + i]))
            return 0;
    return 1;
}

const char *portal_password_problem(const char *password, const char *const *context)
{
    apr_size_t a, b, chars = 0;
    if (!password)
        return "too_short";
    trim(password, &a, &b);
    for (apr_size_t i = a; i < b;) {
        unsigned long cp;
        apr_size_t n = portal_utf8_decode(password + i, b - i, &cp);
        i += n ? n : 1;
        chars++;
    }
    if (chars < PORTAL_PASSWORD_MIN_CHARS)
        return "too_short";
    if (strlen(password) > PORTAL_PASSWORD_MAX_BYTES)
        return "too_long";
    if (portal_password_is_common(password))
        return "too_common";
    for (const char *const *c = context; c && *c; c++)
        if (equal_trimmed(password, a, b, *c))
            return "too_personal";
    return NULL;
}

/* --- hashing ---------------------------------------------------------------- */

apr_status_t portal_password_hash(apr_pool_t *p, const char *password, const char **hash)
{
    char out[crypto_pwhash_STRBYTES];
    if (!password)
        return APR_EINVAL;
    if (sodium_init() < 0)
        return APR_EGENERAL;
    /* crypto_pwhash_str_alg fails only when it cannot allocate the memory. */
    if (crypto_pwhash_str_alg(out, password, strlen(password), PORTAL_PWHASH_OPSLIMIT,
                              PORTAL_PWHASH_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return APR_ENOMEM;
    *hash = apr_pstrdup(p, out);
    return APR_SUCCESS;
}

int portal_password_verify(const char *hash, const char *password)
{
    if (!hash || !password || strlen(password) > PORTAL_PASSWORD_MAX_BYTES)
        return 0;
    /* libsodium reads the encoding up to crypto_pwhash_STRBYTES; a longer
     * string is not one of ours. */
    if (strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return 0;
    if (sodium_init() < 0)
        return 0;
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

int portal_password_needs_rehash(const char *hash)
{
    unsigned v, m, t, par;
    if (!hash || strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return 1;
    if (sodium_init() < 0)
        return 1;
    int rc = crypto_pwhash_str_needs_rehash(hash, PORTAL_PWHASH_OPSLIMIT,
                                            PORTAL_PWHASH_MEMLIMIT);
    if (rc == 0)
        return 0;
    if (rc < 0)     /* not argon2id, or not a hash at all */
        return 1;
    /* libsodium says 1 whenever the parameters differ; only weaker ones are
     * redone. m is in KiB. */
    if (sscanf(hash, "$argon2id$v=%u$m=%u,t=%u,p=%u$", &v, &m, &t, &par) != 4)
        return 1;
    return v != 19 || (unsigned long long)m * 1024 < PORTAL_PWHASH_MEMLIMIT
        || t < PORTAL_PWHASH_OPSLIMIT;
}

apr_status_t portal_password_dummy_verify(const char *password)
{
    /* argon2id does all its work before it compares, so a hash with the
     * policy's parameters and any salt and tag costs what a real one does.
     * Built from the policy macros, it follows them when they are raised. */
    char dummy[crypto_pwhash_STRBYTES];
    snprintf(dummy, sizeof(dummy),
             "$argon2id$v=19$m=%u,t=%u,p=1$bW9kX3BvcnRhbCBkdW1teQ$"
             "ZHVtbXkgdGFnOiBuZXZlciBhbnkgcGFzc3dvcmQhISE",
             (unsigned)(PORTAL_PWHASH_MEMLIMIT >> 10), (unsigned)PORTAL_PWHASH_OPSLIMIT);
    (void)portal_password_verify(dummy, password ? password : "");
    return APR_SUCCESS;
}

/* --- slots ------------------------------------------------------------------ */

static volatile apr_uint32_t slots_max = PORTAL_PASSWORD_DEFAULT_SLOTS;
static volatile apr_uint32_t slots_used;

void portal_password_slots_init(int max)
{
    apr_atomic_set32(&slots_max, max > 0 ? (apr_uint32_t)max : PORTAL_PASSWORD_DEFAULT_SLOTS);
    apr_atomic_set32(&slots_used, 0);
}

int portal_password_slot_take(void)
{
    for (;;) {
        apr_uint32_t used = apr_atomic_read32(&slots_used);
        if (used >= apr_atomic_read32(&slots_max))
            return 0;
        if (apr_atomic_cas32(&slots_used, used + 1, used) == used)
            return 1;
    }
}

void portal_password_slot_give(void)
{
    /* Never below zero, even if a caller gives back a slot it did not take. */
    for (;;) {
        apr_uint32_t used = apr_atomic_read32(&slots_used);
        if (used == 0 || apr_atomic_cas32(&slots_used, used - 1, used) == used)
            return;
    }
}

int portal_password_slots_in_use(void)
{
    return (int)apr_atomic_read32(&slots_used);
}
