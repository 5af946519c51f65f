/* What the Pricing page says of each plan: the price per month and how much
 * a longer plan saves against paying month by month. Plain data only. */
#ifndef PORTAL_PLAN_OFFER_H
#define PORTAL_PLAN_OFFER_H

typedef struct {
    const char *code;
    int months;
    long long price_minor;
    const char *currency;
} portal_plan;

typedef struct {
    long long monthly_minor;   /* price / months, rounded half up */
    int saving_percent;        /* against the 1-month plan of the same currency;
                                  rounded down so a saving is never overstated;
                                  0 for the 1-month plan or without one */
} portal_plan_offer;

void portal_plan_offers(const portal_plan *plans, int n, portal_plan_offer *out);

#endif
