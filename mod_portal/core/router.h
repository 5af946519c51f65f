/* Route tables and matching: plain data in, a match out. No httpd here, so
 * the unit tests and portalctl use it as the module does. */
#ifndef PORTAL_ROUTER_H
#define PORTAL_ROUTER_H

#include <apr_pools.h>
#include <apr_tables.h>

struct portal_req;
typedef int (*portal_route_fn)(struct portal_req *pr);

/* One row of an area's route table. The pattern is a path relative to the
 * area's mount; "{name}" captures one non-empty path segment. */
typedef struct {
    const char *method;    /* "GET", "POST", ...; GET also answers HEAD */
    const char *pattern;   /* "/", "/pricing", "/messages/{id}" */
    const char *perm;      /* permission the route needs: "public", ... */
    portal_route_fn fn;
} portal_route;

typedef struct {
    const portal_route *routes;
    apr_size_t count;
} portal_route_table;

typedef enum {
    PORTAL_MATCH_FOUND,         /* route and params are set */
    PORTAL_MATCH_NOT_FOUND,     /* no pattern matches the path */
    PORTAL_MATCH_NOT_ALLOWED,   /* the path exists; allow lists its methods */
    PORTAL_MATCH_OPTIONS,       /* OPTIONS on an existing path; allow is set */
    PORTAL_MATCH_REDIRECT       /* only the other trailing-slash form exists */
} portal_match_kind;

typedef struct {
    portal_match_kind kind;
    const portal_route *route;
    apr_table_t *params;        /* captures by name */
    const char *allow;          /* "GET, HEAD, POST" for 405 and OPTIONS */
    const char *redirect_path;  /* canonical path, for REDIRECT */
} portal_match;

void portal_route_match(const portal_route_table *table, const char *method,
                        const char *path, apr_pool_t *p, portal_match *m);

/* 1 when a <Location d> section (no wildcard, no regex) covers uri, by
 * Apache's own rule: a prefix ending at a slash or at the end of uri. */
int portal_location_covers(const char *d, const char *uri);

/* The mount of a <Location> path: without trailing slashes ("/" -> ""). */
const char *portal_mount_of_location(apr_pool_t *p, const char *d);

/* The path of a request relative to the mount of its area: "/account" and
 * "/account/devices" under mount "/account" give "/" and "/devices". A uri
 * outside the mount is returned unchanged. */
const char *portal_route_relative(apr_pool_t *p, const char *mount, const char *uri);

#endif
