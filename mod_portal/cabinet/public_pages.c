/* The public pages whose words all come from the catalogs. The home page
 * also quotes the lowest monthly price, so it reads the plans. */
#include "cabinet.h"

int portal_cabinet_home(portal_req *pr)
{
    json_t *view = portal_view(pr, "home");
    const char *from_price;
    portal_db_error err;
    if (portal_cabinet_plans_view(pr, NULL, &from_price, &err) != APR_SUCCESS)
        return portal_fail_db(pr, "reading plans for the home page", &err);
    if (from_price)
        json_object_set_new(view, "from_price", json_string(from_price));
    return portal_render(pr, HTTP_OK, "public/home");
}

int portal_cabinet_features(portal_req *pr)
{
    portal_view(pr, "features");
    return portal_render(pr, HTTP_OK, "public/features");
}

int portal_cabinet_security(portal_req *pr)
{
    portal_view(pr, "security");
    return portal_render(pr, HTTP_OK, "public/security");
}
