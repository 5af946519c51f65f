/* The Contact form's rules. */
#include <apr_general.h>
#include "check.h"
#include "contact_rules.h"

static int validate(apr_pool_t *p, portal_contact_input in, const portal_contact_file *f,
                    apr_table_t **errors, const char **type)
{
    *errors = apr_table_make(p, 4);
    return portal_contact_validate(p, &in, f, *errors, type);
}

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    apr_table_t *e;
    const char *type;

    portal_contact_input good = { "  Aylin Yılmaz ", "aylin@example.com.tr", "", "sales",
                                  "We need five seats for our warehouse team." };
    CHECK_INT(validate(p, good, NULL, &e, &type), 0);

    portal_contact_input bad = { " ", "not-an-address", "x", "bribery", "short" };
    CHECK_INT(validate(p, bad, NULL, &e, &type), 4);
    CHECK_STR(apr_table_get(e, "name"), "contact.errors.name");
    CHECK_STR(apr_table_get(e, "email"), "contact.errors.email");
    CHECK_STR(apr_table_get(e, "topic"), "contact.errors.topic");
    CHECK_STR(apr_table_get(e, "message"), "contact.errors.message");

    /* Letters, not bytes: ten Cyrillic letters are a long enough message. */
    portal_contact_input cyr = { "Иван", "ivan@example.ru", "", "support", "Здравствуйте" };
    CHECK_INT(validate(p, cyr, NULL, &e, &type), 0);
    portal_contact_input header = { "Eve\r\nBcc: x", "eve@example.com", "", "other",
                                    "Injected headers are refused." };
    CHECK_INT(validate(p, header, NULL, &e, &type), 1);

    CHECK(portal_email_plausible("a@b.co"));
    CHECK(!portal_email_plausible("a@b"));
    CHECK(!portal_email_plausible("@b.co"));
    CHECK(!portal_email_plausible("a b@c.co"));
    CHECK(!portal_email_plausible("a@b@c.co"));
    CHECK(!portal_email_plausible("a@.co"));

    const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    portal_contact_file shot = { "screen.png", 2048, png, sizeof(png) - 1 };
    CHECK_INT(validate(p, good, &shot, &e, &type), 0);
    CHECK_STR(type, "image/png");

    portal_contact_file disguised = { "invoice.pdf", 2048, png, sizeof(png) - 1 };
    CHECK_INT(validate(p, good, &disguised, &e, &type), 1);
    CHECK_STR(apr_table_get(e, "attachment"), "contact.errors.attachment_type");

    const unsigned char exe[] = "MZ\x90\0\3\0\0\0";
    portal_contact_file program = { "setup.txt", 100, exe, sizeof(exe) - 1 };
    CHECK_INT(validate(p, good, &program, &e, &type), 1);

    const unsigned char log[] = "2026-11-24 ошибка: license check failed\n";
    portal_contact_file logfile = { "erp.log", sizeof(log) - 1, log, sizeof(log) - 1 };
    CHECK_INT(validate(p, good, &logfile, &e, &type), 0);
    CHECK_STR(type, "text/plain");

    portal_contact_file huge = { "big.png", PORTAL_CONTACT_MAX_FILE + 1, png, sizeof(png) - 1 };
    CHECK_INT(validate(p, good, &huge, &e, &type), 1);
    CHECK_STR(apr_table_get(e, "attachment"), "contact.errors.attachment_size");

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("contact");
}
