/* The audit log from a request: who (the signed-in customer or admin, or
 * the person a page names), from where (IP, user agent), which request.
 * The row goes into the request's transaction when one is open. */
#include "portal_req.h"

#include "audit.h"

/* One row with the request's IP, user agent and id; actor_kind "user",
 * "admin" or (without an id) "anonymous". */
static apr_status_t write_row(portal_req *pr, const char *event, const char *kind,
                              const char *actor_id, const char *email, const char *tenant_id,
                              json_t *detail, portal_db_error *err)
{
    portal_db *db = portal_req_db(pr, err);
    if (!db)
        return APR_EGENERAL;
    portal_audit_event ev = {
        .event = event,
        .actor_kind = actor_id ? kind : "anonymous",
        .actor_id = actor_id,
        .actor_email = email,
        .tenant_id = tenant_id,
        .ip = pr->r->useragent_ip,
        .user_agent = apr_table_get(pr->r->headers_in, "User-Agent"),
        .request_id = pr->request_id,
        .detail = detail,
    };
    return portal_audit_write(db, pr->r->pool, &ev, err);
}

apr_status_t portal_audit_req(portal_req *pr, const char *event, const char *user_id,
                              const char *email, const char *tenant_id, json_t *detail,
                              portal_db_error *err)
{
    if (!user_id && pr->session) {
        user_id = pr->session->user_id;
        email = pr->session->email;
        tenant_id = tenant_id ? tenant_id : pr->session->tenant_id;
    }
    return write_row(pr, event, "user", user_id, email, tenant_id, detail, err);
}

apr_status_t portal_audit_admin(portal_req *pr, const char *event, const char *admin_id,
                                const char *email, const char *tenant_id, json_t *detail,
                                portal_db_error *err)
{
    if (!admin_id && pr->admin) {
        admin_id = pr->admin->admin_id;
        email = pr->admin->email;
    }
    return write_row(pr, event, "admin", admin_id, email, tenant_id, detail, err);
}
