/* Helpers of the profile, company, team and invitation pages. */
#include "team.h"

#include <apr_strings.h>

apr_status_t portal_cabinet_tq(portal_req *pr, const char *label, int nparams,
                               const char *const *params, portal_db_result **res,
                               portal_db_error *err)
{
    portal_db *db = portal_req_db(pr, err);
    if (!db)
        return APR_EGENERAL;
    if (!pr->session)
        return portal_db_refuse(err, "a tenant query without a session");
    return portal_db_query_as(db, pr->r->pool, pr->session->tenant_id, label, nparams, params,
                              res, err);
}

void portal_cabinet_errors_view(portal_req *pr, json_t *view, apr_table_t *errors)
{
    json_t *messages = json_object();
    const apr_array_header_t *arr = apr_table_elts(errors);
    for (int i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        json_object_set_new(messages, e->key, json_string(portal_text(pr, e->val)));
    }
    json_object_set_new(view, "errors", messages);
    json_object_set_new(view, "has_errors", json_boolean(arr->nelts > 0));
}

const char *portal_cabinet_abs(portal_req *pr, const char *rel)
{
    return apr_pstrcat(pr->r->pool, pr->cfg->base_url ? pr->cfg->base_url : "",
                       portal_url(pr, rel), NULL);
}
