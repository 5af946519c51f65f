/* The request context every area's route functions work with, and the one
 * way they answer: a page, a JSON document, a redirect, or an error. */
#ifndef PORTAL_REQ_H
#define PORTAL_REQ_H

#include <httpd.h>
#include <jansson.h>
#include "db.h"
#include "json.h"
#include "mod_portal_config.h"
#include "ratelimit.h"
#include "router.h"
#include "upload.h"

/* Route functions return OK once they have answered. portal_fail and the
 * body readers answer errors themselves and return PORTAL_ANSWERED, which a
 * route function passes up unchanged. */
#define PORTAL_ANSWERED DONE

typedef struct {
    const char *name;                 /* "cabinet" */
    const char *handler;              /* "portal-cabinet" */
    const portal_route_table *routes;
    int json;                         /* errors as {"error":{...}} */
    int browser;                      /* forms: CSRF and Origin checks apply */
} portal_area;

/* The signed-in customer of a request (portal_session_load). */
typedef struct {
    const char *id, *user_id, *tenant_id;
    const char *email, *name, *locale, *time_zone;
    const char *role;                 /* owner, admin, member, viewer */
    const char *tenant_name, *tenant_status;
    int email_verified, totp_enabled;
    int tenant_requires_2fa;          /* the company requires two-step verification */
} portal_session;

/* The signed-in admin of an admin-area request (portal_admin_session_load). */
typedef struct {
    const char *id, *admin_id, *email;
    const char *role;                 /* super, support, finance */
} portal_admin_session;

typedef struct portal_req {
    request_rec *r;
    const portal_area *area;
    const portal_server_cfg *cfg;
    const char *mount;                /* "" for "/", else "/account" (decoded) */
    const char *mount_url;            /* the same, escaped for links and Location */
    const char *path;                 /* relative to the mount */
    apr_table_t *params;              /* route captures */
    apr_table_t *query;               /* parsed query string */
    apr_table_t *cookies;
    const char *locale;
    const char *request_id;
    apr_table_t *form;                /* unsafe browser requests: the fields */
    apr_array_header_t *files;        /* ... and the files (portal_upload_file) */
    portal_upload_sink *uploads;      /* where those files came from */
    portal_db *db;                    /* after portal_req_db */
    json_t *view;                     /* after portal_view */
    const portal_session *session;    /* after portal_session_load; NULL: signed out */
    int session_loaded;
    const portal_admin_session *admin; /* admin area only; NULL: no admin signed in */
    int admin_loaded;
} portal_req;

/* Entry point from the handler hook: DECLINED unless r->handler names area. */
int portal_dispatch(request_rec *r, const portal_area *area);
/* optional_fn_retrieve hook: mod_dbd's functions, once per process. */
void portal_retrieve_optional_fns(void);

/* The database of the request (mod_dbd's pooled connection), or NULL while
 * PostgreSQL is unreachable: then answer portal_fail_db. */
portal_db *portal_req_db(portal_req *pr, portal_db_error *err);

/* Runs a named query on the request's database. */
apr_status_t portal_query(portal_req *pr, const char *label, int nparams,
                          const char *const *params, portal_db_result **res,
                          portal_db_error *err);

/* An absolute path inside the area, escaped for a link or a Location
 * header: portal_url(pr, "/pricing"). rel is a route path (ASCII). */
const char *portal_url(portal_req *pr, const char *rel);
/* A catalog string of the request's locale. */
const char *portal_text(portal_req *pr, const char *key);

/* The root view of an HTML page: t, lang, langs, static, url, nav, page,
 * request_id, year. Route functions add their own keys to it. */
json_t *portal_view(portal_req *pr, const char *page);

/* Renders template with the root view and sends it with status. */
int portal_render(portal_req *pr, int status, const char *template_name);
/* Sends body (taken over) as JSON with status. */
int portal_json(portal_req *pr, int status, json_t *body);
/* 303 See Other to a path inside the area (after a POST). */
int portal_redirect(portal_req *pr, int status, const char *location);
/* A page whose URL carries a secret (a reset, invitation or enrolment
 * link): never stored by a cache, and the URL never sent to another site in
 * a Referer. "same-origin", not "no-referrer": under no-referrer Chromium
 * posts the page's own form with Origin: null, which the CSRF check
 * refuses. */
void portal_secret_link_page(portal_req *pr);

/* The error answer: status, a stable code (errors.<code>.* in the catalogs),
 * an HTML page or a JSON error by area. Logs nothing: the caller logged. */
int portal_fail(portal_req *pr, int status, const char *code);
/* Logs a database failure once with the request id and answers 503 or 500. */
int portal_fail_db(portal_req *pr, const char *doing, const portal_db_error *err);
/* Rate limits (core/ratelimit.h): counts one hit of key in bucket, shared
 * by every Apache node. OK when it is allowed; otherwise answers 429 with
 * Retry-After and errors.rate_limited (portal_limit_as: errors.<code>) and
 * returns PORTAL_ANSWERED, or 503 while PostgreSQL is down. Call it before
 * BEGIN: a hit counts whatever the request does after. Pass IP addresses
 * through portal_rate_key_ip and e-mails through portal_rate_key_email.
 *     int rc = portal_limit(pr, "signin.ip", portal_rate_key_ip(p, ip), 20, 600);
 *     if (rc != OK)
 *         return rc; */
int portal_limit(portal_req *pr, const char *bucket, const char *key, int limit,
                 int window_seconds);
int portal_limit_as(portal_req *pr, const char *code, const char *bucket, const char *key,
                    int limit, int window_seconds);
/* portal_limit's count without its answer: OK with *v filled in (v->allowed
 * 0 when the hit is refused), or the status of the error page it sent
 * (503 while PostgreSQL is down). For a page that does more than refuse,
 * e.g. mail the owner of a locked account; portal_limit_refuse answers. */
int portal_limit_check(portal_req *pr, const char *bucket, const char *key, int limit,
                       int window_seconds, portal_rate_verdict *v);
int portal_limit_refuse(portal_req *pr, const char *code, const portal_rate_verdict *v);
/* Hits counted so far in key's live window of bucket and the seconds it
 * has left (0 without one), counting none: for a page that changes as a
 * rate climbs. OK, or the status of the error page it sent. */
int portal_limit_peek(portal_req *pr, const char *bucket, const char *key, int *hits,
                      int *seconds_left);

/* The same read for a page that can do without it: APR_SUCCESS, or an
 * error logged and nothing answered. */
apr_status_t portal_limit_peek_quiet(portal_req *pr, const char *bucket, const char *key,
                                     int *hits, int *seconds_left);

/* Proof of work (core/pow.h) for a form whose posts count in bucket, keyed
 * by the client's address, with work from `from` hits and the hard limit
 * at `limit`. portal_pow_offer puts view.pow = {challenge, bits} for
 * partials/pow when the rate is near or past from (nothing otherwise, or
 * when the counter cannot be read). portal_pow_demand runs before the post
 * is counted: below from, OK; past it, OK only for form fields
 * pow_challenge and pow_nonce that solve a challenge of this address and
 * purpose, unexpired, of the rate's difficulty, never used before (spent
 * here); else the 429 errors.pow_required page with Retry-After (the
 * window's seconds left) is sent and its status returned. */
void portal_pow_offer(portal_req *pr, json_t *view, const char *purpose, const char *bucket,
                      int from, int limit);
int portal_pow_demand(portal_req *pr, const char *purpose, const char *bucket, int from,
                      int limit);

/* Password hashing for pages (core/password.h), each run inside one of the
 * process's PortalMaxConcurrentHashes slots: OK, or, with every slot taken
 * (or no memory for argon2id), a 503 "busy" page with Retry-After sent and
 * its status returned. portal_req_password_check sets *matches, runs a
 * dummy verify of the same cost when hash is NULL (an unknown account),
 * and, when stronger is not NULL and a matching hash is below the policy,
 * sets *stronger to a new hash made in the same slot (else NULL). */
int portal_req_password_hash(portal_req *pr, const char *password, const char **hash);
int portal_req_password_check(portal_req *pr, const char *hash, const char *password,
                              int *matches, const char **stronger);

/* Logs an error once with the request id. */
void portal_log_error(portal_req *pr, apr_status_t rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The body of an unsafe browser request into pr->form and pr->files:
 * urlencoded up to PortalMaxFormSize, or multipart/form-data with files
 * streamed under PortalStorageDir/tmp up to PortalMaxUploadSize. The
 * dispatcher calls it before any such route. OK, or an error answered
 * (400 malformed or bad UTF-8, 413, 415, 507 storage full). */
int portal_read_browser_body(portal_req *pr);
/* A JSON object body of at most max bytes (also within LimitRequestBody):
 * out->doc the object, out->raw the exact bytes (for signatures). OK, or an
 * error answered (415 not application/json, 413, 400 malformed). The
 * members of out->doc are borrowed (json.h says how to keep one). */
int portal_read_json(portal_req *pr, apr_size_t max, portal_json_body *out);

/* CSRF: the token to put in a form's hidden "csrf" field (sets the cookie
 * it is bound to when absent), and its check. */
const char *portal_csrf_token(portal_req *pr);
int portal_csrf_valid(portal_req *pr, const char *token);

/* Adds a Set-Cookie header with the portal's defaults (Path=/, HttpOnly,
 * SameSite=Lax, Secure under TLS). max_age < 0: session cookie. */
void portal_set_cookie(portal_req *pr, const char *name, const char *value, long max_age);

/* Sessions (core/mod_portal_session.c). The cookie is HttpOnly,
 * SameSite=Lax, and under TLS — or whenever PortalBaseURL is https, as
 * behind a TLS-terminating proxy — Secure with the __Host- prefix.
 *
 * Reads the request's session once (one round trip), if its cookie is
 * there; pr->session stays NULL when signed out. Fails only when the
 * database does. */
apr_status_t portal_session_load(portal_req *pr, portal_db_error *err);
/* Signs user into tenant with a fresh token (the old session, if any, is
 * revoked: the token rotates at every sign-in and privilege change).
 * pr->session is NULL after it; portal_session_load then reads the new
 * session (inside the same transaction too). */
apr_status_t portal_session_start(portal_req *pr, const char *user_id, const char *tenant_id,
                                  portal_db_error *err);
/* Signs the request's session out and deletes the cookie. */
apr_status_t portal_session_end(portal_req *pr, portal_db_error *err);
/* The router's check before a route runs: perm as the route table gives it.
 * OK, or answered: a visitor who must sign in is sent to the sign-in page
 * (browser areas; 401 in JSON areas), a signed-in one who opens a guest
 * page to the dashboard, one without the permission gets a 403 page. A
 * member whose tenant requires two-step verification they have not turned
 * on reaches only "self" routes; any other is a 303 to /account/security
 * (403 two_factor_required in JSON areas). */
int portal_authorize(portal_req *pr, const char *perm);
/* Admin sessions (core/mod_portal_admin_session.c): a cookie of their own
 * (portal_admin, __Host-portal_admin when cookies are Secure), a table of
 * their own, idle 15 minutes and 12 hours at most. Read only in the admin
 * area: a customer session never opens it and an admin session never opens
 * the cabinet. Same contract as portal_session_load/start/end. */
apr_status_t portal_admin_session_load(portal_req *pr, portal_db_error *err);
apr_status_t portal_admin_session_start(portal_req *pr, const char *admin_id,
                                        portal_db_error *err);
apr_status_t portal_admin_session_end(portal_req *pr, portal_db_error *err);
/* The router's check for the admin area's routes (portal_authorize calls
 * it there): public (the admin session is read if there is one), admin (any admin), and
 * admin.* permissions the admin's role must hold. Without an admin session
 * a page redirects to the admin sign-in with ?next=. */
int portal_admin_authorize(portal_req *pr, const char *perm);
/* The router's two refusals, for either session space: to the sign-in page
 * at signin (an escaped absolute path) with ?next= this address, or the
 * 403 page, logged with why. Both return PORTAL_ANSWERED. */
int portal_send_to_signin(portal_req *pr, const char *signin);
int portal_refuse_route(portal_req *pr, const char *perm, const char *why);

/* 1 when cookies must be Secure: the request came over TLS or PortalBaseURL
 * is https. */
int portal_req_secure(portal_req *pr);
/* A path of the cabinet (sign-in, the dashboard) from any area. */
const char *portal_cabinet_url(portal_req *pr, const char *rel);

/* Appends event to the audit log (core/audit.h) with the request's IP, user
 * agent and id. The actor is user_id/email when given (a sign-in names the
 * person it is about), else the signed-in customer, else anonymous;
 * tenant_id NULL takes the session's. detail is borrowed (may be NULL).
 * Inside the request's transaction when one is open, so the row commits
 * with the change it records. */
apr_status_t portal_audit_req(portal_req *pr, const char *event, const char *user_id,
                              const char *email, const char *tenant_id, json_t *detail,
                              portal_db_error *err);
/* The same for the admin area: the actor is the admin admin_id/email when
 * given (a sign-in names the admin it is about), else the signed-in admin,
 * else anonymous with email as the address tried. tenant_id: the tenant the
 * action concerns, or NULL. */
apr_status_t portal_audit_admin(portal_req *pr, const char *event, const char *admin_id,
                                const char *email, const char *tenant_id, json_t *detail,
                                portal_db_error *err);

/* Queues a single-use password-reset link (30 minutes, cabinet's /reset)
 * to the person by mail, replacing their earlier links; inside the caller's
 * transaction (core/mod_portal_reset.c). */
apr_status_t portal_reset_link_enqueue(portal_req *pr, const char *user_id, const char *email,
                                       const char *locale, portal_db_error *err);

/* mod_portal's security headers (also used by the fixups hook). */
void portal_security_headers(request_rec *r, int json);

#endif
