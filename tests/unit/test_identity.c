/* The rules of the identity pages: e-mails, codes, devices, the sign-up form. */
#include <apr_general.h>
#include <apr_strings.h>
#include "check.h"
#include "identity_rules.h"

static apr_pool_t *pool;

static void test_email(void)
{
    CHECK_STR(portal_email_normalize(pool, "  Aysel.Mammadova@Xezer.EXAMPLE \t"),
              "aysel.mammadova@xezer.example");
    CHECK(portal_email_normalize(pool, "no-at-sign") == NULL);
    CHECK(portal_email_normalize(pool, "") == NULL && portal_email_normalize(pool, NULL) == NULL);
    char *longest = apr_pcalloc(pool, 300);
    memset(longest, 'a', 250);
    strcat(longest, "@x.az");
    CHECK(portal_email_normalize(pool, longest) == NULL);
}

static void test_codes(void)
{
    CHECK_STR(portal_code_digits(pool, "123456"), "123456");
    CHECK_STR(portal_code_digits(pool, " 123 456 "), "123456");
    CHECK_STR(portal_code_digits(pool, "123-456"), "123456");
    CHECK(portal_code_digits(pool, "12345") == NULL);
    CHECK(portal_code_digits(pool, "1234567") == NULL);
    CHECK(portal_code_digits(pool, "12a456") == NULL);
    CHECK(portal_code_digits(pool, "١٢٣٤٥٦") == NULL);   /* digits, but not ASCII ones */
}

static void test_devices(void)
{
    CHECK_STR(portal_device_label(pool, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0"),
        "Edge · Windows");
    CHECK_STR(portal_device_label(pool, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36"), "Chrome · Linux");
    CHECK_STR(portal_device_label(pool, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"),
        "Safari · iOS");
    CHECK_STR(portal_device_label(pool, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) "
        "Gecko/20100101 Firefox/127.0"), "Firefox · macOS");
    CHECK_STR(portal_device_label(pool, "python-requests/2.28"), NULL);
    CHECK(portal_device_label(pool, NULL) == NULL);
}

static portal_signup_input good(void)
{
    portal_signup_input in = { " Günəş MMC ", "1402567891", "AZ", "Gəncə", "+994 (22) 255-10-10",
                               "Nigar Həsənova", "Nigar@Gunes.example", "quiet-river-stone-41",
                               "yes" };
    return in;
}

static void test_signup(void)
{
    apr_table_t *e = apr_table_make(pool, 4);
    portal_signup_input in = good();
    CHECK_INT(portal_signup_validate(pool, &in, e), 0);
    CHECK_STR(in.company, "Günəş MMC");
    CHECK_STR(in.email, "nigar@gunes.example");

    in = good(); in.password = "short"; apr_table_clear(e);
    CHECK_INT(portal_signup_validate(pool, &in, e), 1);
    CHECK_STR(apr_table_get(e, "password"), "signup.errors.password_too_short");
    in = good(); in.password = "nigar@gunes.example"; apr_table_clear(e);
    portal_signup_validate(pool, &in, e);
    CHECK_STR(apr_table_get(e, "password"), "signup.errors.password_too_personal");
    in = good(); in.company = "Line\nbreak"; in.country = "XX"; in.terms = NULL;
    in.phone = "call me"; in.tax_id = "12 34"; apr_table_clear(e);
    CHECK_INT(portal_signup_validate(pool, &in, e), 5);
    CHECK_STR(apr_table_get(e, "company"), "signup.errors.company");
    CHECK_STR(apr_table_get(e, "country"), "signup.errors.country");
    CHECK_STR(apr_table_get(e, "terms"), "signup.errors.terms");
    in = good(); in.email = "nobody"; in.name = ""; apr_table_clear(e);
    CHECK_INT(portal_signup_validate(pool, &in, e), 2);
}

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    test_email();
    test_codes();
    test_devices();
    test_signup();
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("identity");
}
