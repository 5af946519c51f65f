#include "roles.h"

#include <string.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <jansson.h>
#include "embedded.h"
#include "json.h"

struct portal_roles {
    apr_hash_t *perms;            /* name -> description */
    apr_hash_t *grants[2];        /* by kind: "role" -> "" and "role perm" -> "" */
};

static const char *const builtin[] = { "public", "guest", "member", "self", "admin", "none" };

int portal_perm_is_builtin(const char *perm)
{
    for (apr_size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        if (strcmp(perm, builtin[i]) == 0)
            return 1;
    return 0;
}

static int is_admin_perm(const char *perm)
{
    return strncmp(perm, "admin.", 6) == 0;
}

static apr_status_t parse_roles(apr_pool_t *p, portal_roles *r, json_t *doc,
                                portal_role_kind kind, const char **err)
{
    const char *section = kind == PORTAL_ADMIN_ROLE ? "admin_roles" : "customer_roles";
    json_t *roles = json_object_get(doc, section);
    const char *role;
    json_t *list;
    if (!json_is_object(roles) || json_object_size(roles) == 0) {
        *err = apr_psprintf(p, "\"%s\" must be an object of roles", section);
        return APR_EINVAL;
    }
    json_object_foreach(roles, role, list) {
        size_t i;
        json_t *perm;
        if (!json_is_array(list)) {
            *err = apr_psprintf(p, "%s.%s must be a list of permissions", section, role);
            return APR_EINVAL;
        }
        apr_hash_set(r->grants[kind], apr_pstrdup(p, role), APR_HASH_KEY_STRING, "");
        json_array_foreach(list, i, perm) {
            const char *name = json_string_value(perm);
            if (!name || !apr_hash_get(r->perms, name, APR_HASH_KEY_STRING)) {
                *err = apr_psprintf(p, "%s.%s grants \"%s\", which \"permissions\" does not "
                                    "define", section, role, name ? name : "(not a string)");
                return APR_EINVAL;
            }
            if (is_admin_perm(name) != (kind == PORTAL_ADMIN_ROLE)) {
                *err = apr_psprintf(p, "%s.%s grants \"%s\": admin permissions (admin.*) "
                                    "belong to admin roles only", section, role, name);
                return APR_EINVAL;
            }
            apr_hash_set(r->grants[kind], apr_pstrcat(p, role, " ", name, NULL),
                         APR_HASH_KEY_STRING, "");
        }
    }
    return APR_SUCCESS;
}

apr_status_t portal_roles_parse(apr_pool_t *p, const char *json, apr_size_t len,
                                portal_roles **out, const char **err)
{
    const char *why;
    json_t *doc = portal_json_parse_object(p, json, len, &why);
    if (!doc) {
        *err = "roles.json is not one JSON object";
        return APR_EINVAL;
    }
    portal_roles *r = apr_pcalloc(p, sizeof(*r));
    r->perms = apr_hash_make(p);
    r->grants[0] = apr_hash_make(p);
    r->grants[1] = apr_hash_make(p);
    json_t *perms = json_object_get(doc, "permissions");
    const char *name;
    json_t *desc;
    if (!json_is_object(perms)) {
        *err = "\"permissions\" must be an object of name: description";
        return APR_EINVAL;
    }
    json_object_foreach(perms, name, desc) {
        if (!json_is_string(desc) || portal_perm_is_builtin(name) || !strchr(name, '.')) {
            *err = apr_psprintf(p, "permission \"%s\": a dotted name (area.action) that is "
                                "not builtin, with a description", name);
            return APR_EINVAL;
        }
        apr_hash_set(r->perms, apr_pstrdup(p, name), APR_HASH_KEY_STRING,
                     apr_pstrdup(p, json_string_value(desc)));
    }
    apr_status_t rv = parse_roles(p, r, doc, PORTAL_CUSTOMER_ROLE, err);
    if (rv == APR_SUCCESS)
        rv = parse_roles(p, r, doc, PORTAL_ADMIN_ROLE, err);
    if (rv == APR_SUCCESS)
        *out = r;
    return rv;
}

const portal_roles *portal_roles_builtin(apr_pool_t *p, const char **err)
{
    for (const portal_embedded_file *f = portal_conf_files; f->name; f++)
        if (strcmp(f->name, "roles.json") == 0) {
            portal_roles *r = NULL;
            if (portal_roles_parse(p, f->text, (apr_size_t)f->len, &r, err) != APR_SUCCESS)
                return NULL;
            return r;
        }
    *err = "conf/roles.json was not compiled in";
    return NULL;
}

int portal_roles_known(const portal_roles *roles, const char *perm)
{
    return portal_perm_is_builtin(perm)
        || apr_hash_get(roles->perms, perm, APR_HASH_KEY_STRING) != NULL;
}

int portal_roles_has_role(const portal_roles *roles, portal_role_kind kind, const char *role)
{
    return role && apr_hash_get(roles->grants[kind], role, APR_HASH_KEY_STRING) != NULL;
}

int portal_roles_grants(const portal_roles *roles, portal_role_kind kind, const char *role,
                        const char *perm)
{
    char key[160];
    if (!role || !perm || strlen(role) + strlen(perm) + 2 > sizeof(key))
        return 0;
    apr_snprintf(key, sizeof(key), "%s %s", role, perm);
    return apr_hash_get(roles->grants[kind], key, APR_HASH_KEY_STRING) != NULL;
}

apr_status_t portal_roles_check_routes(const portal_roles *roles,
                                       const portal_route_table *table, const char *area,
                                       int admin_area, apr_pool_t *p, const char **err)
{
    for (apr_size_t i = 0; i <= table->count; i++) {
        /* The default counts as a route's permission too, even with no route. */
        const char *perm = i < table->count ? portal_route_perm(table, &table->routes[i])
                                            : table->default_perm;
        const char *where = i < table->count
            ? apr_psprintf(p, "route %s %s %s", area, table->routes[i].method,
                           table->routes[i].pattern)
            : apr_psprintf(p, "the default permission of area %s", area);
        if (!perm || !portal_roles_known(roles, perm)) {
            *err = apr_psprintf(p, "%s needs permission '%s', which conf/roles.json does not "
                                "define", where, perm ? perm : "(none)");
            return APR_EINVAL;
        }
        int admin_only = is_admin_perm(perm) || strcmp(perm, "admin") == 0;
        int customer_only = strcmp(perm, "member") == 0 || strcmp(perm, "guest") == 0
                            || (!portal_perm_is_builtin(perm) && !is_admin_perm(perm));
        if ((admin_only && !admin_area) || (customer_only && admin_area)) {
            *err = apr_psprintf(p, "%s needs '%s', a permission of %s sessions, in the %s "
                                "area", where, perm, admin_only ? "admin" : "customer",
                                admin_area ? "admin" : area);
            return APR_EINVAL;
        }
    }
    return APR_SUCCESS;
}
