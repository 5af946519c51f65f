/* Request bodies that must be one JSON object. */
#include <apr_general.h>
#include "check.h"
#include "json.h"

static const char *why_of(apr_pool_t *p, const char *text, apr_size_t len)
{
    const char *why = "accepted";
    portal_json_parse_object(p, text, len, &why);
    return why;
}

#define WHY(p, s) why_of(p, s, sizeof(s) - 1)

/* The raw bytes stay exactly as received beside the parsed object. */
static void test_body_keeps_raw_bytes(apr_pool_t *p)
{
    static const char text[] = "{ \"id\" : \"evt_1\",\n  \"amount\":4999 }";
    portal_json_body body;
    const char *why = NULL;
    CHECK_INT(portal_json_parse_body(p, text, sizeof(text) - 1, &body, &why), APR_SUCCESS);
    CHECK_INT(body.len, sizeof(text) - 1);
    CHECK(memcmp(body.raw, text, sizeof(text) - 1) == 0 && body.raw[body.len] == '\0');
    CHECK(body.raw != text);
    CHECK_STR(json_string_value(json_object_get(body.doc, "id")), "evt_1");
    CHECK_INT(portal_json_parse_body(p, "[1]", 3, &body, &why), APR_EINVAL);
    CHECK_STR(why, "not_an_object");
}

/* json.h's ownership rule, as a handler uses it: a member of the request
 * body (borrowed) packed into the answer with "O" takes its own reference,
 * so freeing the answer and then the body frees it once. With "o" the
 * reference count below stays 1: the answer's cleanup frees the member and
 * the body's then drops a reference in freed memory (jansson is not
 * instrumented, so the count is what this test reads). */
static void test_borrowed_member_in_an_answer(void)
{
    apr_pool_t *req;
    apr_pool_create(&req, NULL);
    const char *why;
    static const char text[] = "{\"fingerprint\":{\"cpu\":\"x\"}}";
    json_t *doc = portal_json_parse_object(req, text, sizeof(text) - 1, &why);
    CHECK(doc != NULL);
    json_t *member = json_object_get(doc, "fingerprint");
    CHECK_INT(member->refcount, 1);
    json_t *answer = portal_json_owned(req, json_pack("{s:O}", "fingerprint", member));
    CHECK_INT(member->refcount, 2);
    CHECK(json_object_get(answer, "fingerprint") == member);
    apr_pool_destroy(req);   /* drops the answer, then the body: no double free */
}

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);

    const char *why = NULL;
    json_t *doc = portal_json_parse_object(p, "{\"license\":\"K-1\",\"n\":2}", 23, &why);
    CHECK(doc != NULL);
    CHECK_STR(json_string_value(json_object_get(doc, "license")), "K-1");
    CHECK_INT(json_integer_value(json_object_get(doc, "n")), 2);

    CHECK_STR(WHY(p, "{\"device\":\"Kassa-1 \\u00c7\"}"), "accepted");
    CHECK_STR(WHY(p, "[1,2]"), "not_an_object");
    CHECK_STR(WHY(p, "\"text\""), "not_an_object");
    CHECK_STR(WHY(p, "{\"a\":1,\"a\":2}"), "bad_json");
    CHECK_STR(WHY(p, "{\"a\":1} trailing"), "bad_json");
    CHECK_STR(WHY(p, "{\"a\":"), "bad_json");
    CHECK_STR(WHY(p, ""), "bad_json");
    CHECK_STR(WHY(p, "{\"a\":\"\xC3\x28\"}"), "bad_json");        /* bad UTF-8 */
    CHECK_STR(WHY(p, "{\"a\":\"\xED\xA0\x80\"}"), "bad_json");    /* a surrogate */
    CHECK_STR(WHY(p, "{\"a\":\"x\\u0000y\"}"), "bad_json");        /* NUL in a string */
    CHECK_STR(why_of(p, "{\"a\":1}\0{}", 10), "bad_json");

    test_body_keeps_raw_bytes(p);
    test_borrowed_member_in_an_answer();

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("json");
}
