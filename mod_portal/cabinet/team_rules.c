#include "team_rules.h"

#include <string.h>
#include <apr_strings.h>
#include "i18n.h"
#include "identity_rules.h"
#include "utf8.h"

static const char *const roles[] = { "owner", "admin", "member", "viewer", NULL };

int portal_team_role_valid(const char *role)
{
    for (const char *const *r = roles; role && *r; r++)
        if (strcmp(role, *r) == 0)
            return 1;
    return 0;
}

static int is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* owner and admin manage the team; the router checked team.manage first,
 * this says what each of them may touch. */
static int manages(const char *actor)
{
    return is(actor, "owner") || is(actor, "admin");
}

const char *portal_team_invite_problem(const char *actor, const char *role)
{
    if (!portal_team_role_valid(role))
        return "team.errors.role";
    if (!manages(actor))
        return "team.errors.owner_only";
    if (is(role, "owner") && !is(actor, "owner"))
        return "team.errors.owner_only";
    return NULL;
}

const char *portal_team_change_problem(const char *actor, const char *target,
                                       const char *new_role, int owners, int self)
{
    if (new_role && !portal_team_role_valid(new_role))
        return "team.errors.role";
    if (!manages(actor) || !portal_team_role_valid(target))
        return "team.errors.owner_only";
    if (!is(actor, "owner") && (is(target, "owner") || is(new_role, "owner")))
        return "team.errors.owner_only";
    if (!new_role && self)
        return "team.errors.self_remove";
    if (new_role && is(new_role, target))
        return "team.errors.same_role";
    if (is(target, "owner") && owners <= 1)
        return "team.errors.last_owner";
    return NULL;
}

static int phone_valid(const char *phone)
{
    return strlen(phone) <= 40 && strspn(phone, "+0123456789 ()-") == strlen(phone);
}

int portal_profile_validate(apr_pool_t *p, portal_profile_input *in, apr_table_t *errors)
{
    in->name = portal_text_trim(p, in->name);
    in->phone = portal_text_trim(p, in->phone);
    in->time_zone = portal_text_trim(p, in->time_zone);
    if (!*in->name || !portal_text_one_line(in->name, 120))
        apr_table_setn(errors, "name", "profile.errors.name");
    if (!phone_valid(in->phone))
        apr_table_setn(errors, "phone", "profile.errors.phone");
    const char *locale = portal_i18n_supported(in->locale);
    if (!locale || strcmp(locale, in->locale) != 0)
        apr_table_setn(errors, "locale", "profile.errors.locale");
    apr_size_t n = strlen(in->time_zone);
    if (n == 0 || n > 64
        || strspn(in->time_zone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789/_+-") != n
        || in->time_zone[0] == '/' || strstr(in->time_zone, ".."))
        apr_table_setn(errors, "time_zone", "profile.errors.time_zone");
    return apr_table_elts(errors)->nelts;
}

int portal_tax_id_valid(const char *country, const char *tax_id)
{
    apr_size_t n = tax_id ? strlen(tax_id) : 0;
    if (n == 0)
        return 1;
    if (is(country, "AZ"))
        return n == 10 && strspn(tax_id, "0123456789") == 10
            && (tax_id[9] == '1' || tax_id[9] == '2');
    return n <= 32 && strspn(tax_id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "abcdefghijklmnopqrstuvwxyz-") == n;
}

int portal_company_validate(apr_pool_t *p, portal_company_input *in, apr_table_t *errors)
{
    in->name = portal_text_trim(p, in->name);
    in->tax_id = portal_text_trim(p, in->tax_id);
    in->city = portal_text_trim(p, in->city);
    in->phone = portal_text_trim(p, in->phone);
    if (!*in->name || !portal_text_one_line(in->name, 160))
        apr_table_setn(errors, "name", "company.errors.name");
    int known = 0;
    for (const char *const *c = portal_signup_countries; *c; c++)
        known |= is(in->country, *c);
    if (!known)
        apr_table_setn(errors, "country", "company.errors.country");
    else if (!portal_tax_id_valid(in->country, in->tax_id))
        apr_table_setn(errors, "tax_id", is(in->country, "AZ") ? "company.errors.voen"
                                                               : "company.errors.tax_id");
    if (!portal_text_one_line(in->city, 120))
        apr_table_setn(errors, "city", "company.errors.city");
    if (!phone_valid(in->phone))
        apr_table_setn(errors, "phone", "company.errors.phone");
    return apr_table_elts(errors)->nelts;
}
