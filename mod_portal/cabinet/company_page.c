/* /account/company: the company profile. Every member sees it; owners and
 * admins (company.manage) edit it, audited with the before and the after. */
#include "team.h"

#include <apr_strings.h>
#include "../core/roles.h"
#include "identity_rules.h"
#include "team_rules.h"

static json_t *country_options(portal_req *pr, const char *selected)
{
    json_t *list = json_array();
    for (const char *const *c = portal_signup_countries; *c; c++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "value", *c,
            "label", portal_text(pr, apr_pstrcat(pr->r->pool, "countries.", *c, NULL)),
            "selected", selected && strcmp(selected, *c) == 0));
    return list;
}

static int show(portal_req *pr, int status, const portal_company_input *in, apr_table_t *errors)
{
    int can_edit = portal_roles_grants(pr->cfg->roles, PORTAL_CUSTOMER_ROLE, pr->session->role,
                                       "company.manage");
    const char *country = in->country ? in->country : "AZ";
    json_t *view = portal_view(pr, "company");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/account/company")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "can_edit", json_boolean(can_edit));
    json_object_set_new(view, "form", json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
        "name", PORTAL_STR(in->name), "tax_id", PORTAL_STR(in->tax_id),
        "city", PORTAL_STR(in->city), "phone", PORTAL_STR(in->phone), "country", country,
        "country_name", portal_text(pr, apr_pstrcat(pr->r->pool, "countries.", country, NULL)),
        "countries", country_options(pr, country)));
    if (apr_table_get(pr->query, "saved") && status == HTTP_OK)
        json_object_set_new(view, "notice", json_string(portal_text(pr, "company.saved")));
    portal_cabinet_errors_view(pr, view, errors);
    return portal_render(pr, status, "cabinet/company");
}

int portal_cabinet_company(portal_req *pr)
{
    portal_db_error err;
    portal_db_result *res;
    if (portal_cabinet_tq(pr, "team.company", 0, NULL, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading the company", &err);
    if (portal_db_nrows(res) != 1)
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    portal_company_input in = { portal_db_get(res, 0, "name"), portal_db_get(res, 0, "tax_id"),
                                portal_db_get(res, 0, "country"), portal_db_get(res, 0, "city"),
                                portal_db_get(res, 0, "phone") };
    return show(pr, HTTP_OK, &in, apr_table_make(pr->r->pool, 1));
}

int portal_cabinet_company_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    portal_company_input in = { apr_table_get(pr->form, "name"),
                                apr_table_get(pr->form, "tax_id"),
                                apr_table_get(pr->form, "country"),
                                apr_table_get(pr->form, "city"),
                                apr_table_get(pr->form, "phone") };
    apr_table_t *errors = apr_table_make(p, 4);
    if (portal_company_validate(p, &in, errors) > 0)
        return show(pr, HTTP_BAD_REQUEST, &in, errors);
    portal_db_error err;
    portal_db_result *res;
    const char *params[] = { in.name, in.tax_id, in.country, in.city, in.phone };
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "saving the company", &err);
    apr_status_t rv = portal_cabinet_tq(pr, "team.company_update", 5, params, &res, &err);
    if (rv == APR_SUCCESS && portal_db_nrows(res) != 1)
        rv = portal_db_refuse(&err, "the session's company is gone");
    if (rv == APR_SUCCESS) {
        json_t *detail = portal_json_owned(p, json_pack(
            "{s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s, s:s}}",
            "before", "name", portal_db_get(res, 0, "old_name"),
            "tax_id", portal_db_get(res, 0, "old_tax_id"),
            "country", portal_db_get(res, 0, "old_country"),
            "city", portal_db_get(res, 0, "old_city"), "phone", portal_db_get(res, 0, "old_phone"),
            "after", "name", in.name, "tax_id", in.tax_id, "country", in.country,
            "city", in.city, "phone", in.phone));
        rv = portal_audit_req(pr, "tenant.company.updated", NULL, NULL, NULL, detail, &err);
    }
    if (rv == APR_SUCCESS)
        rv = portal_db_commit(db, p, &err);
    if (rv != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "saving the company", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER, portal_url(pr, "/account/company?saved=1"));
}
