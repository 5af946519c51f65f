#include "router.h"

#include <string.h>
#include <apr_strings.h>

/* Matches one pattern against a path; captures go into params. */
static int pattern_matches(const char *pattern, const char *path,
                           apr_pool_t *p, apr_table_t *params)
{
    const char *pt = pattern, *pa = path;
    while (*pt && *pa) {
        if (*pt == '{') {
            const char *close = strchr(pt, '}');
            if (!close)
                return 0;
            apr_size_t seg = strcspn(pa, "/");
            if (seg == 0)
                return 0;
            if (params)
                apr_table_setn(params, apr_pstrmemdup(p, pt + 1, close - pt - 1),
                               apr_pstrmemdup(p, pa, seg));
            pt = close + 1;
            pa += seg;
            continue;
        }
        if (*pt != *pa)
            return 0;
        pt++;
        pa++;
    }
    return *pt == '\0' && *pa == '\0';
}

static int method_is(const portal_route *r, const char *method)
{
    if (strcmp(r->method, method) == 0)
        return 1;
    return strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0;
}

static const char *allow_list(const portal_route_table *t, const char *path, apr_pool_t *p)
{
    static const char *order[] = { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE" };
    const char *allow = NULL;
    for (apr_size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
        for (apr_size_t i = 0; i < t->count; i++) {
            const portal_route *r = &t->routes[i];
            if (!method_is(r, order[o]) || !pattern_matches(r->pattern, path, p, NULL))
                continue;
            allow = allow ? apr_pstrcat(p, allow, ", ", order[o], NULL) : order[o];
            break;
        }
    }
    return allow ? apr_pstrcat(p, allow, ", OPTIONS", NULL) : NULL;
}

static const char *other_slash_form(apr_pool_t *p, const char *path)
{
    apr_size_t n = strlen(path);
    if (n > 1 && path[n - 1] == '/')
        return apr_pstrmemdup(p, path, n - 1);
    return apr_pstrcat(p, path, "/", NULL);
}

void portal_route_match(const portal_route_table *t, const char *method,
                        const char *path, apr_pool_t *p, portal_match *m)
{
    memset(m, 0, sizeof(*m));
    m->params = apr_table_make(p, 2);
    if (strcmp(method, "OPTIONS") != 0) {
        for (apr_size_t i = 0; i < t->count; i++) {
            const portal_route *r = &t->routes[i];
            if (!method_is(r, method))
                continue;
            apr_table_clear(m->params);
            if (pattern_matches(r->pattern, path, p, m->params)) {
                m->kind = PORTAL_MATCH_FOUND;
                m->route = r;
                return;
            }
        }
    }
    m->allow = allow_list(t, path, p);
    if (m->allow) {
        m->kind = strcmp(method, "OPTIONS") == 0 ? PORTAL_MATCH_OPTIONS
                                                  : PORTAL_MATCH_NOT_ALLOWED;
        return;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) {
        const char *other = other_slash_form(p, path);
        if (allow_list(t, other, p)) {
            m->kind = PORTAL_MATCH_REDIRECT;
            m->redirect_path = other;
            return;
        }
    }
    m->kind = PORTAL_MATCH_NOT_FOUND;
}

int portal_location_covers(const char *d, const char *uri)
{
    apr_size_t len = strlen(d);
    if (strncmp(d, uri, len) != 0)
        return 0;
    return len == 0 || d[len - 1] == '/' || uri[len] == '/' || uri[len] == '\0';
}

const char *portal_mount_of_location(apr_pool_t *p, const char *d)
{
    apr_size_t n = strlen(d);
    while (n > 0 && d[n - 1] == '/')
        n--;
    return apr_pstrmemdup(p, d, n);
}

const char *portal_route_relative(apr_pool_t *p, const char *mount, const char *uri)
{
    if (!mount || !*mount)
        return uri;
    mount = portal_mount_of_location(p, mount);
    apr_size_t n = strlen(mount);
    if (strncmp(uri, mount, n) != 0)
        return uri;
    const char *rest = uri + n;
    if (*rest == '\0')
        return "/";
    if (*rest != '/')
        return uri;
    return apr_pstrdup(p, rest);
}

const char *portal_path_escape(apr_pool_t *p, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    char *out = apr_palloc(p, strlen(path) * 3 + 1), *o = out;
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')
            || strchr(keep, *c)) {
            *o++ = (char)*c;
        } else {
            *o++ = '%';
            *o++ = hex[*c >> 4];
            *o++ = hex[*c & 15];
        }
    }
    *o = '\0';
    return out;
}

const char *portal_route_perm(const portal_route_table *table, const portal_route *route)
{
    return route->perm ? route->perm : table->default_perm;
}

void portal_route_dump(const portal_route_table *table, const char *area,
                       void (*line)(void *baton, const char *text), void *baton,
                       apr_pool_t *p)
{
    line(baton, apr_psprintf(p, "%s DEFAULT * %s", area, table->default_perm));
    for (apr_size_t i = 0; i < table->count; i++) {
        const portal_route *r = &table->routes[i];
        line(baton, apr_psprintf(p, "%s %s %s %s", area, r->method, r->pattern,
                                 portal_route_perm(table, r)));
    }
}

const char *portal_next_path(const char *next, const char *mount)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return NULL;
    for (const unsigned char *c = (const unsigned char *)next; *c; c++)
        if (*c <= 0x20 || *c >= 0x7f || *c == '\\')   /* ours are escaped */
            return NULL;
    apr_size_t n = strlen(mount);
    if (n && (strncmp(next, mount, n) != 0 || (next[n] != '/' && next[n] != '\0'
                                                 && next[n] != '?')))
        return NULL;
    return next;
}
