#include "plan_rules.h"

#include <string.h>

static const portal_plan *monthly_plan(const portal_plan *plans, int n, const char *currency)
{
    for (int i = 0; i < n; i++)
        if (plans[i].months == 1 && strcmp(plans[i].currency, currency) == 0)
            return &plans[i];
    return NULL;
}

void portal_plan_offers(const portal_plan *plans, int n, portal_plan_offer *out)
{
    for (int i = 0; i < n; i++) {
        const portal_plan *p = &plans[i];
        out[i].monthly_minor = p->months > 0 ? (p->price_minor * 2 + p->months) / (2 * p->months)
                                             : p->price_minor;
        out[i].saving_percent = 0;
        const portal_plan *base = monthly_plan(plans, n, p->currency);
        if (!base || p->months <= 1)
            continue;
        long long full = base->price_minor * p->months;
        if (full > p->price_minor)
            out[i].saving_percent = (int)((full - p->price_minor) * 100 / full);
    }
}
