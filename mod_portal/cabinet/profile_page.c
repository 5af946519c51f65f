/* /account/profile: the person's name, phone, language and time zone. The
 * language takes effect at once (the redirect after saving carries ?lang=,
 * which sets the language cookie); the change is audited with the before
 * and the after. */
#include "team.h"

#include <apr_strings.h>
#include "../core/i18n.h"
#include "team_rules.h"

static json_t *locale_options(const char *selected)
{
    json_t *list = json_array();
    for (int i = 0; i < portal_locale_count; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:b}",
            "value", portal_locales[i].code, "label", portal_locales[i].name,
            "selected", selected && strcmp(selected, portal_locales[i].code) == 0));
    return list;
}

static apr_status_t zone_options(portal_req *pr, const char *selected, json_t **out,
                                 portal_db_error *err)
{
    portal_db_result *res;
    if (portal_query(pr, "team.time_zones", 0, NULL, &res, err) != APR_SUCCESS)
        return APR_EGENERAL;
    json_t *list = json_array();
    for (int i = 0; i < portal_db_nrows(res); i++) {
        const char *name = portal_db_get(res, i, "name");
        json_array_append_new(list, json_pack("{s:s, s:b}", "value", name,
            "selected", selected && strcmp(selected, name) == 0));
    }
    *out = list;
    return APR_SUCCESS;
}

static int show(portal_req *pr, int status, const char *email, const portal_profile_input *in,
                apr_table_t *errors)
{
    portal_db_error err;
    json_t *zones;
    if (zone_options(pr, in->time_zone, &zones, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "listing time zones", &err);
    json_t *view = portal_view(pr, "profile");
    json_object_set_new(view, "action", json_string(portal_url(pr, "/account/profile")));
    json_object_set_new(view, "csrf", json_string(portal_csrf_token(pr)));
    json_object_set_new(view, "form", json_pack("{s:s, s:s, s:s, s:o, s:o}",
        "email", PORTAL_STR(email), "name", PORTAL_STR(in->name), "phone", PORTAL_STR(in->phone),
        "locales", locale_options(in->locale), "zones", zones));
    if (apr_table_get(pr->query, "saved") && status == HTTP_OK)
        json_object_set_new(view, "notice", json_string(portal_text(pr, "profile.saved")));
    portal_cabinet_errors_view(pr, view, errors);
    return portal_render(pr, status, "cabinet/profile");
}

int portal_cabinet_profile(portal_req *pr)
{
    portal_db_error err;
    portal_db_result *res;
    const char *params[] = { pr->session->user_id };
    if (portal_query(pr, "team.profile", 1, params, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading a profile", &err);
    if (portal_db_nrows(res) != 1)
        return portal_fail(pr, HTTP_NOT_FOUND, "not_found");
    portal_profile_input in = { portal_db_get(res, 0, "name"), portal_db_get(res, 0, "phone"),
                                portal_db_get(res, 0, "locale"),
                                portal_db_get(res, 0, "time_zone") };
    return show(pr, HTTP_OK, portal_db_get(res, 0, "email"), &in,
                apr_table_make(pr->r->pool, 1));
}

int portal_cabinet_profile_send(portal_req *pr)
{
    apr_pool_t *p = pr->r->pool;
    portal_profile_input in = { apr_table_get(pr->form, "name"), apr_table_get(pr->form, "phone"),
                                apr_table_get(pr->form, "locale"),
                                apr_table_get(pr->form, "time_zone") };
    apr_table_t *errors = apr_table_make(p, 4);
    portal_db_error err;
    portal_db_result *res;
    if (portal_profile_validate(p, &in, errors) == 0) {
        const char *zone[] = { in.time_zone };
        if (portal_query(pr, "team.time_zone_known", 1, zone, &res, &err) != APR_SUCCESS)
            return portal_fail_db(pr, "checking a time zone", &err);
        if (!portal_db_get_bool(res, 0, "known"))
            apr_table_setn(errors, "time_zone", "profile.errors.time_zone");
    }
    if (apr_table_elts(errors)->nelts > 0)
        return show(pr, HTTP_BAD_REQUEST, pr->session->email, &in, errors);

    const char *params[] = { pr->session->user_id, in.name, in.phone, in.locale, in.time_zone };
    portal_db *db = portal_req_db(pr, &err);
    if (!db || portal_db_begin(db, p, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "saving a profile", &err);
    apr_status_t rv = portal_query(pr, "team.profile_update", 5, params, &res, &err);
    if (rv == APR_SUCCESS) {
        json_t *detail = portal_json_owned(p, json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}",
            "before", "name", portal_db_get(res, 0, "old_name"),
            "phone", portal_db_get(res, 0, "old_phone"),
            "locale", portal_db_get(res, 0, "old_locale"),
            "time_zone", portal_db_get(res, 0, "old_time_zone"),
            "after", "name", in.name, "phone", in.phone, "locale", in.locale,
            "time_zone", in.time_zone));
        rv = portal_audit_req(pr, "user.profile.updated", NULL, NULL, NULL, detail, &err);
    }
    if (rv == APR_SUCCESS)
        rv = portal_db_commit(db, p, &err);
    if (rv != APR_SUCCESS) {
        portal_db_rollback(db);
        return portal_fail_db(pr, "saving a profile", &err);
    }
    return portal_redirect(pr, HTTP_SEE_OTHER,
        apr_pstrcat(p, portal_url(pr, "/account/profile"), "?saved=1&lang=", in.locale, NULL));
}
