/* Sizes, money, and the Pricing page's offer rule. */
#include <apr_general.h>
#include "check.h"
#include "format.h"
#include "plan_rules.h"

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);

    CHECK_INT(portal_parse_size("64k"), 65536);
    CHECK_INT(portal_parse_size("10M"), 10485760);
    CHECK_INT(portal_parse_size("1G"), 1073741824);
    CHECK_INT(portal_parse_size("512"), 512);
    CHECK_INT(portal_parse_size("5MB"), 5242880);
    CHECK_INT(portal_parse_size("ten"), -1);
    CHECK_INT(portal_parse_size("10X"), -1);
    CHECK_INT(portal_parse_size(""), -1);
    CHECK_INT(portal_parse_size("-5"), -1);
    CHECK_INT(portal_parse_size("99999999999999999999"), -1);
    CHECK_INT(portal_parse_duration("30m"), 1800);
    CHECK_INT(portal_parse_duration("7d"), 604800);
    CHECK_INT(portal_parse_duration("90s"), 90);
    CHECK_INT(portal_parse_duration("3600"), 3600);
    CHECK_INT(portal_parse_duration("12h"), 43200);
    CHECK_INT(portal_parse_duration("0m"), -1);
    CHECK_INT(portal_parse_duration("5w"), -1);
    CHECK_INT(portal_parse_duration("m"), -1);
    CHECK_INT(portal_parse_duration("3700d"), -1);
    CHECK_INT(portal_parse_duration("99999999999999999999"), -1);
    /* The digits fit, their product with the unit does not. */
    CHECK_INT(portal_parse_size("1000000000000G"), -1);
    CHECK_INT(portal_parse_size("8589934592G"), -1);
    CHECK_INT(portal_parse_size("8589934591G"), 9223372035781033984LL);
    CHECK_INT(portal_parse_size("1099511627776K"), 1125899906842624LL);

    CHECK_STR(portal_format_size(p, 5242880), "5 MB");
    CHECK_STR(portal_format_size(p, 1536), "1.5 KB");
    CHECK_STR(portal_format_size(p, 100), "100 bytes");

    portal_money_style en = { "{symbol}{amount}", ".", "," };
    portal_money_style ru = { "{amount} {symbol}", ",", " " };
    CHECK_STR(portal_format_money(p, 4900, "USD", &en), "$49.00");
    CHECK_STR(portal_format_money(p, 4158, "USD", &en), "$41.58");
    CHECK_STR(portal_format_money(p, 123456789, "USD", &en), "$1,234,567.89");
    CHECK_STR(portal_format_money(p, 5, "EUR", &ru), "0,05 €");
    CHECK_STR(portal_format_money(p, 1500, "JPY", &en), "¥1,500");
    CHECK_STR(portal_format_money(p, -250, "AZN", &ru), "-2,50 ₼");
    CHECK_STR(portal_format_money(p, 100, "XYZ", &en), "XYZ1.00");

    portal_plan plans[] = {
        { "monthly", 1, 4900, "USD" }, { "quarterly", 3, 13900, "USD" },
        { "halfyear", 6, 26400, "USD" }, { "yearly", 12, 49900, "USD" },
        { "eur-yearly", 12, 40000, "EUR" },
    };
    portal_plan_offer o[5];
    portal_plan_offers(plans, 5, o);
    CHECK_INT(o[0].monthly_minor, 4900);
    CHECK_INT(o[0].saving_percent, 0);
    CHECK_INT(o[1].monthly_minor, 4633);   /* 139.00 / 3 = 46.333 */
    CHECK_INT(o[1].saving_percent, 5);     /* 1 - 139/147 = 5.4% */
    CHECK_INT(o[2].saving_percent, 10);    /* 1 - 264/294 = 10.2% */
    CHECK_INT(o[3].monthly_minor, 4158);   /* 499.00 / 12 = 41.583 */
    CHECK_INT(o[3].saving_percent, 15);    /* 1 - 499/588 = 15.1% */
    CHECK_INT(o[4].saving_percent, 0);     /* no 1-month EUR plan to compare with */

    portal_plan pricier[] = { { "m", 1, 1000, "USD" }, { "y", 12, 13000, "USD" } };
    portal_plan_offers(pricier, 2, o);
    CHECK_INT(o[1].saving_percent, 0);     /* never a negative saving */

    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("format");
}
