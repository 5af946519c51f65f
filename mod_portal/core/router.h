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
    const char *perm;      /* permission the route needs: "public" (anyone
                            * Apache lets through), "none" (closed), a role
                            * permission; NULL: the table's default_perm */
    portal_route_fn fn;
} portal_route;

/* An area's routes and the permission a route gets when it names none. No
 * area's default is "public": a page open to everyone says so in its own
 * row, so a forgotten perm closes a page instead of opening it. */
typedef struct {
    const portal_route *routes;
    apr_size_t count;
    const char *default_perm;
} portal_route_table;

#define PORTAL_ROUTES(rows, default_perm) \
    { rows, sizeof(rows) / sizeof((rows)[0]), default_perm }

/* The permission route needs in table: its own, or the table's default. */
const char *portal_route_perm(const portal_route_table *table, const portal_route *route);

/* Writes "<area> DEFAULT * <default permission>", then one line per route:
 * "<area> <METHOD> <pattern> <permission>". */
void portal_route_dump(const portal_route_table *table, const char *area,
                       void (*line)(void *baton, const char *text), void *baton,
                       apr_pool_t *p);

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

/* The ?next= of a sign-in page if it is a path inside the site mounted at
 * mount ("" for "/"): absolute-path only, no "//" or "\\" that a browser
 * would read as another host, no scheme, nothing but printable ASCII
 * without spaces (the links the portal makes are escaped). NULL
 * otherwise, and the caller goes to its default. */
const char *portal_next_path(const char *next, const char *mount);

/* A decoded path (as r->uri holds it) written for a Location header or a
 * link: every byte outside RFC 3986's pchar and '/' percent-encoded, so
 * "%", "?", "#", spaces, controls and UTF-8 keep their meaning. */
const char *portal_path_escape(apr_pool_t *p, const char *path);

#endif
