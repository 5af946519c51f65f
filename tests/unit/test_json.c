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

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("json");
}
