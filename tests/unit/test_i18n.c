/* i18n: negotiation, lookup with fallback, placeholders, plurals, and the
 * shipped catalogs (argv[2], default templates/i18n) being complete. */
#include <apr_general.h>
#include <apr_strings.h>
#include <stdio.h>
#include "check.h"
#include "i18n.h"

static void print_missing(void *baton, const char *key)
{
    fprintf(stderr, "  %s lacks %s\n", (const char *)baton, key);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);

    CHECK_STR(portal_i18n_negotiate("ru", "tr", "en"), "ru");
    CHECK_STR(portal_i18n_negotiate("RU", NULL, "en"), "ru");
    CHECK_STR(portal_i18n_negotiate("xx", "tr-TR,tr;q=0.9,en;q=0.8", "en"), "tr");
    CHECK_STR(portal_i18n_negotiate(NULL, "de-DE,de;q=0.9,az;q=0.5,ru;q=0.7", "en"), "ru");
    CHECK_STR(portal_i18n_negotiate(NULL, "de, fr;q=0.9", "az"), "az");
    CHECK_STR(portal_i18n_negotiate(NULL, "en;q=0, ru;q=0.1", "az"), "ru");
    CHECK_STR(portal_i18n_negotiate(NULL, "ru;q=abc", "tr"), "tr");
    CHECK_STR(portal_i18n_negotiate(NULL, NULL, "bogus"), "en");
    CHECK_STR(portal_i18n_negotiate(NULL, ";;;,,,q=1", "en"), "en");

    const char *vars[] = { "price", "$41.58", "n", "3", NULL };
    CHECK_STR(portal_i18n_format(p, "From {price} a month", vars), "From $41.58 a month");
    CHECK_STR(portal_i18n_format(p, "{n}{n} {missing} {", vars), "33 {missing} {");
    CHECK_STR(portal_i18n_format(p, "plain", NULL), "plain");

    CHECK_STR(portal_i18n_plural("en", 1), "one");
    CHECK_STR(portal_i18n_plural("en", 12), "other");
    CHECK_STR(portal_i18n_plural("ru", 1), "one");
    CHECK_STR(portal_i18n_plural("ru", 21), "one");
    CHECK_STR(portal_i18n_plural("ru", 3), "few");
    CHECK_STR(portal_i18n_plural("ru", 6), "many");
    CHECK_STR(portal_i18n_plural("ru", 12), "many");
    CHECK_STR(portal_i18n_plural("ru", 11), "many");
    CHECK_STR(portal_i18n_plural("ru", 22), "few");
    CHECK_STR(portal_i18n_plural("tr", 3), "other");

    /* The shipped catalogs: each loads, and every key of en is everywhere. */
    const char *dir = getenv("PORTAL_I18N_DIR") ? getenv("PORTAL_I18N_DIR") : "templates/i18n";
    portal_i18n *i18n = NULL;
    const char *err = NULL;
    if (!CHECK(portal_i18n_load(p, dir, &i18n, &err) == APR_SUCCESS)) {
        fprintf(stderr, "  %s\n", err);
    } else {
        json_t *en = portal_i18n_catalog(i18n, "en");
        for (int i = 1; i < portal_locale_count; i++) {
            const char *code = portal_locales[i].code;
            CHECK_INT(portal_i18n_missing_keys(p, en, portal_i18n_catalog(i18n, code),
                                               print_missing, (void *)code), 0);
            CHECK_INT(portal_i18n_missing_keys(p, portal_i18n_catalog(i18n, code), en,
                                               print_missing, (void *)"en"), 0);
        }
        CHECK_STR(portal_i18n_get(i18n, "en", "no.such.key"), "no.such.key");
        CHECK_STR(portal_i18n_count(p, i18n, "ru", "pricing.months", 6), "6 месяцев");
        CHECK_STR(portal_i18n_count(p, i18n, "ru", "pricing.months", 3), "3 месяца");
        CHECK_STR(portal_i18n_count(p, i18n, "en", "pricing.months", 1), "1 month");
        CHECK_STR(portal_i18n_count(p, i18n, "en", "pricing.months", 12), "12 months");
    }

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("i18n");
}
