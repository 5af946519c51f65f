/* The audit log's pure parts: event codes, actors, uuids, the text it
 * stores, and the chain's step (the same SHA-256 audit_seal computes). */
#include <apr_general.h>
#include "audit.h"
#include "check.h"

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);

    CHECK(portal_audit_event_valid("user.signin.failed"));
    CHECK(portal_audit_event_valid("user.signup"));
    CHECK(portal_audit_event_valid("admin.user.role_changed"));
    CHECK(portal_audit_event_valid("user.totp2.on"));
    CHECK(!portal_audit_event_valid("signin"));           /* one word: no area */
    CHECK(!portal_audit_event_valid("User.signin"));
    CHECK(!portal_audit_event_valid("user..signin"));
    CHECK(!portal_audit_event_valid("user.signin."));
    CHECK(!portal_audit_event_valid(".user.signin"));
    CHECK(!portal_audit_event_valid("user.2fa"));          /* a word starts with a letter */
    CHECK(!portal_audit_event_valid("user.sign-in"));
    CHECK(!portal_audit_event_valid("user.signin failed"));
    CHECK(!portal_audit_event_valid("a.b.c.d.e.f.g"));
    CHECK(portal_audit_event_valid("a.b.c.d.e.f"));
    CHECK(!portal_audit_event_valid(""));
    CHECK(!portal_audit_event_valid(NULL));
    char long_event[80] = "user.";
    memset(long_event + 5, 'x', 60);
    long_event[65] = '\0';
    CHECK(!portal_audit_event_valid(long_event));

    CHECK(portal_audit_actor_valid("user") && portal_audit_actor_valid("admin")
          && portal_audit_actor_valid("system") && portal_audit_actor_valid("anonymous"));
    CHECK(!portal_audit_actor_valid("root"));
    CHECK(!portal_audit_actor_valid(NULL));

    CHECK(portal_uuid_valid("5b0e2a8c-3f4d-4c1e-9a7b-0123456789ab"));
    CHECK(portal_uuid_valid("5B0E2A8C-3F4D-4C1E-9A7B-0123456789AB"));
    CHECK(!portal_uuid_valid("5b0e2a8c3f4d4c1e9a7b0123456789ab"));
    CHECK(!portal_uuid_valid("5b0e2a8c-3f4d-4c1e-9a7b-0123456789ag"));
    CHECK(!portal_uuid_valid("'; DROP TABLE audit_log; --"));
    CHECK(!portal_uuid_valid(NULL));

    /* Text: cut between characters, never inside one; bytes that are not
     * UTF-8 and control characters replaced, so the insert cannot fail. */
    CHECK_STR(portal_audit_text(p, "Mozilla/5.0", 512), "Mozilla/5.0");
    CHECK_STR(portal_audit_text(p, "abc\xc3\xa7", 4), "abc");        /* ç is 2 bytes */
    CHECK_STR(portal_audit_text(p, "abc\xc3\xa7", 5), "abc\xc3\xa7");
    CHECK_STR(portal_audit_text(p, "a\xff" "b", 16), "a\xef\xbf\xbd" "b");
    CHECK_STR(portal_audit_text(p, "a\x01\x7f" "b", 16), "a\xef\xbf\xbd\xef\xbf\xbd" "b");
    CHECK_STR(portal_audit_text(p, "\xc2\x85", 16), "\xef\xbf\xbd");   /* C1 NEL */
    CHECK(portal_audit_text(p, NULL, 16) == NULL);
    char ua[2000];
    for (int i = 0; i < 999; i++)
        memcpy(ua + 2 * i, "\xd1\x8f", 2);                        /* я */
    ua[1998] = '\0';
    const char *cut = portal_audit_text(p, ua, PORTAL_AUDIT_MAX_USER_AGENT);
    CHECK_INT(strlen(cut), 512);

    /* The chain's step: SHA-256(previous hash || canonical text), 32 zero
     * bytes before the first row (values from Python's hashlib). */
    const char *c1 = "audit-v1|1:1|16:1790000000000000|18:user.signin.failed|4:user|~";
    const char *h1 = portal_audit_chain_hash(p, NULL, c1);
    CHECK_STR(h1, "08a0fa9df147a38dc2fc6f32b3dc0a5a87e1a634662ee0fa6aa4a48df9fbd07e");
    CHECK_STR(portal_audit_chain_hash(p, h1, "audit-v1|1:2"),
              "c97d928da34f9865e3c8ea42015b954a9443fbc6524eed77fdc6ded05680838e");
    CHECK_STR(portal_audit_chain_hash(p, "0000000000000000000000000000000000000000000000000000000000000000", c1), h1);
    CHECK(portal_audit_chain_hash(p, "abc", c1) == NULL);
    CHECK(portal_audit_chain_hash(p, "zz00000000000000000000000000000000000000000000000000000000000000", c1) == NULL);

    /* A bad event is refused before anything is sent (db is never used). */
    portal_db_error err;
    portal_audit_event bad = { .event = "Sign In", .actor_kind = "user" };
    CHECK_INT(portal_audit_write(NULL, p, &bad, &err), APR_EINVAL);
    CHECK(err.kind == PORTAL_DB_FAILED && strstr(err.message, "bad event code"));
    portal_audit_event sys = { .event = "system.job.ran", .actor_kind = "system",
                               .actor_id = "5b0e2a8c-3f4d-4c1e-9a7b-0123456789ab" };
    CHECK_INT(portal_audit_write(NULL, p, &sys, &err), APR_EINVAL);
    json_t *arr = json_array();
    portal_audit_event notobj = { .event = "user.signup", .actor_kind = "anonymous",
                                  .detail = arr };
    CHECK_INT(portal_audit_write(NULL, p, &notobj, &err), APR_EINVAL);
    json_decref(arr);
    json_t *nul = json_pack("{s:s%}", "x", "a\0b", (size_t)3);
    portal_audit_event withnul = { .event = "user.signup", .actor_kind = "anonymous",
                                   .detail = nul };
    CHECK_INT(portal_audit_write(NULL, p, &withnul, &err), APR_EINVAL);
    CHECK(strstr(err.message, "NUL") != NULL);
    json_decref(nul);

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("audit");
}
