/* The request side of password hashing (core/password.h): every argon2id
 * run a page makes goes through here, inside one of the process's slots
 * (PortalMaxConcurrentHashes), so that the memory of concurrent hashes
 * stays bounded; with no slot free the page answers 503 with Retry-After. */
#include "portal_req.h"

#include <http_protocol.h>
#include "password.h"

#define BUSY_RETRY_AFTER "2"

static int busy(portal_req *pr)
{
    apr_table_setn(pr->r->err_headers_out, "Retry-After", BUSY_RETRY_AFTER);
    return portal_fail(pr, HTTP_SERVICE_UNAVAILABLE, "busy");
}

int portal_req_password_hash(portal_req *pr, const char *password, const char **hash)
{
    if (!portal_password_slot_take())
        return busy(pr);
    apr_status_t rv = portal_password_hash(pr->r->pool, password, hash);
    portal_password_slot_give();
    if (rv != APR_SUCCESS) {
        portal_log_error(pr, rv, "hashing a password failed");
        return busy(pr);
    }
    return OK;
}

int portal_req_password_check(portal_req *pr, const char *hash, const char *password,
                              int *matches, const char **stronger)
{
    *matches = 0;
    if (stronger)
        *stronger = NULL;
    if (!portal_password_slot_take())
        return busy(pr);
    if (!hash) {
        portal_password_dummy_verify(password);
    } else if (portal_password_verify(hash, password)) {
        *matches = 1;
        /* Within the same slot: a rehash must not need a second one. */
        if (stronger && portal_password_needs_rehash(hash)
            && portal_password_hash(pr->r->pool, password, stronger) != APR_SUCCESS)
            *stronger = NULL;
    }
    portal_password_slot_give();
    return OK;
}
