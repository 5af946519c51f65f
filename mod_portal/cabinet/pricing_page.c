/* The Pricing page: the plans on sale, read from PostgreSQL on every view,
 * with the monthly equivalent and the saving of the longer plans. */
#include "cabinet.h"

#include <apr_strings.h>
#include "../core/format.h"
#include "../core/i18n.h"
#include "plan_rules.h"

#define MAX_PLANS 32

static portal_money_style money_style(portal_req *pr)
{
    portal_money_style s = { portal_text(pr, "money.pattern"), portal_text(pr, "money.decimal"),
                             portal_text(pr, "money.group") };
    return s;
}

/* One plan as the Pricing page shows it. */
static json_t *plan_view(portal_req *pr, const portal_plan *plan, const portal_plan_offer *offer,
                         long long max_devices, int popular, const portal_money_style *style)
{
    apr_pool_t *p = pr->r->pool;
    const portal_i18n *i18n = pr->cfg->i18n;
    const char *per_month_vars[] = {
        "price", portal_format_money(p, offer->monthly_minor, plan->currency, style), NULL };
    json_t *view = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:s}",
        "code", plan->code,
        "months", plan->months,
        "duration", portal_i18n_count(p, i18n, pr->locale, "pricing.months", plan->months),
        "price", portal_format_money(p, plan->price_minor, plan->currency, style),
        "per_month", portal_i18n_format(p, portal_text(pr, "pricing.per_month"), per_month_vars),
        "devices", portal_i18n_count(p, i18n, pr->locale, "pricing.devices", max_devices),
        "popular", popular,
        "choose_url", apr_pstrcat(p, portal_url(pr, "/contact"), "?topic=sales&months=",
                                  apr_itoa(p, plan->months), NULL));
    if (view && offer->saving_percent > 0) {
        const char *vars[] = { "percent", apr_itoa(p, offer->saving_percent), NULL };
        json_object_set_new(view, "saving", json_string(
            portal_i18n_format(p, portal_text(pr, "pricing.save"), vars)));
    }
    return view;
}

apr_status_t portal_cabinet_plans_view(portal_req *pr, json_t **plans_out,
                                       const char **from_price, portal_db_error *err)
{
    apr_pool_t *p = pr->r->pool;
    portal_db_result *res;
    if (portal_query(pr, "cabinet.plans_active", 0, NULL, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    int n = portal_db_nrows(res);
    if (n > MAX_PLANS)
        n = MAX_PLANS;
    portal_plan plans[MAX_PLANS];
    portal_plan_offer offers[MAX_PLANS];
    for (int i = 0; i < n; i++) {
        plans[i].code = portal_db_get(res, i, "code");
        plans[i].months = (int)portal_db_get_int(res, i, "months");
        plans[i].price_minor = portal_db_get_int(res, i, "price_minor");
        plans[i].currency = portal_db_get(res, i, "currency");
    }
    portal_plan_offers(plans, n, offers);

    portal_money_style style = money_style(pr);
    if (plans_out) {
        *plans_out = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(*plans_out, plan_view(pr, &plans[i], &offers[i],
                portal_db_get_int(res, i, "max_devices"), portal_db_get_bool(res, i, "popular"),
                &style));
    }
    if (from_price) {
        int cheapest = -1;
        for (int i = 0; i < n; i++)
            if (cheapest < 0 || offers[i].monthly_minor < offers[cheapest].monthly_minor)
                cheapest = i;
        *from_price = NULL;
        if (cheapest >= 0) {
            const char *vars[] = { "price", portal_format_money(p, offers[cheapest].monthly_minor,
                                   plans[cheapest].currency, &style), NULL };
            *from_price = portal_i18n_format(p, portal_text(pr, "home.from_price"), vars);
        }
    }
    return APR_SUCCESS;
}

int portal_cabinet_pricing(portal_req *pr)
{
    json_t *view = portal_view(pr, "pricing");
    json_t *plans;
    portal_db_error err;
    if (portal_cabinet_plans_view(pr, &plans, NULL, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading plans for the pricing page", &err);
    json_object_set_new(view, "has_plans", json_boolean(json_array_size(plans) > 0));
    json_object_set_new(view, "plans", plans);
    return portal_render(pr, HTTP_OK, "public/pricing");
}
