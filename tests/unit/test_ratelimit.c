/* The rate limiter's pure parts: bucket names and the keys it stores. */
#include <apr_general.h>
#include "check.h"
#include "ratelimit.h"

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);

    CHECK(portal_rate_bucket_valid("signin.ip"));
    CHECK(portal_rate_bucket_valid("contact.ip"));
    CHECK(portal_rate_bucket_valid("reset_code.account2"));
    CHECK(!portal_rate_bucket_valid(""));
    CHECK(!portal_rate_bucket_valid(NULL));
    CHECK(!portal_rate_bucket_valid("Signin"));
    CHECK(!portal_rate_bucket_valid("1st"));
    CHECK(!portal_rate_bucket_valid("sign in"));
    CHECK(!portal_rate_bucket_valid("signin;drop"));
    CHECK(portal_rate_bucket_valid("a234567890123456789012345678901234567890123456789012345678901234"));
    CHECK(!portal_rate_bucket_valid("a2345678901234567890123456789012345678901234567890123456789012345"));

    /* The stored key: SHA-256 hex, the same for the same key, 64 characters
     * whatever goes in. */
    CHECK_STR(portal_rate_key_hash(p, "aylin@example.com"),
              "5fb8d8cdf147fe0bb2071a77f33a8715345740ca998853cc2438e58a26d3bd2a");
    char long_key[5000];
    memset(long_key, 'x', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    CHECK_INT(strlen(portal_rate_key_hash(p, long_key)), 64);
    CHECK_INT(strlen(portal_rate_key_hash(p, "")), 64);
    CHECK(strcmp(portal_rate_key_hash(p, "a"), portal_rate_key_hash(p, "b")) != 0);

    /* IPv4 as it is, mapped IPv4 unmapped, IPv6 by its /64 in one spelling. */
    CHECK_STR(portal_rate_key_ip(p, "192.0.2.7"), "192.0.2.7");
    CHECK_STR(portal_rate_key_ip(p, "::ffff:192.0.2.7"), "192.0.2.7");
    CHECK_STR(portal_rate_key_ip(p, "2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
    CHECK_STR(portal_rate_key_ip(p, "2001:0DB8:0001:0002:0:0:0:1"), "2001:db8:1:2::/64");
    CHECK_STR(portal_rate_key_ip(p, "2001:db8:1:2::ffff"), "2001:db8:1:2::/64");
    CHECK(strcmp(portal_rate_key_ip(p, "2001:db8:1:3::1"),
                 portal_rate_key_ip(p, "2001:db8:1:2::1")) != 0);
    CHECK_STR(portal_rate_key_ip(p, "::1"), "::/64");
    CHECK_STR(portal_rate_key_ip(p, "not an address"), "not an address");
    CHECK_STR(portal_rate_key_ip(p, NULL), "");

    CHECK_STR(portal_rate_key_email(p, "  Aylin@Example.COM.tr \n"), "aylin@example.com.tr");
    CHECK_STR(portal_rate_key_email(p, "İlkin@example.az"), "İlkin@example.az");
    CHECK_STR(portal_rate_key_email(p, NULL), "");

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("ratelimit");
}
