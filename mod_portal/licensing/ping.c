/* GET /v1/ping: lets the desktop app tell "no network" from "service down"
 * and compare its clock with the server's, which every offline-grace
 * decision depends on. One round trip to PostgreSQL, whose clock it reports. */
#include "licensing.h"

int portal_licensing_ping(portal_req *pr)
{
    portal_db_result *res;
    portal_db_error err;
    if (portal_query(pr, "licensing.server_time", 0, NULL, &res, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "ping", &err);
    return portal_json(pr, HTTP_OK, json_pack("{s:s, s:s, s:i}", "status", "ok",
        "server_time", portal_db_get(res, 0, "server_time"), "api_version", 1));
}
