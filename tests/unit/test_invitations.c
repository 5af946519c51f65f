/* core/invitations.c without a database: which text is an invitation
 * token, and the hash it is stored under. */
#include <apr_general.h>
#include "check.h"
#include "crypto.h"
#include "invitations.h"

static apr_pool_t *pool;

int main(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    const char *token = portal_random_token(pool, 32);
    CHECK_INT(strlen(token), PORTAL_INVITATION_TOKEN_CHARS);
    CHECK_STR(portal_invitation_token_hash(pool, token),
              portal_sha256_hex(pool, token, strlen(token)));
    CHECK_STR(portal_invitation_token_hash(pool, "e34sS8G3giSi7n0yZvaZx6YsRmRMGduNRue5bn-B9MU"),
              portal_sha256_hex(pool, "e34sS8G3giSi7n0yZvaZx6YsRmRMGduNRue5bn-B9MU", 43));
    CHECK(portal_invitation_token_hash(pool, NULL) == NULL);
    CHECK(portal_invitation_token_hash(pool, "") == NULL);
    CHECK(portal_invitation_token_hash(pool, "short") == NULL);
    CHECK(portal_invitation_token_hash(pool, "e34sS8G3giSi7n0yZvaZx6YsRmRMGduNRue5bn-B9MUx") == NULL);
    CHECK(portal_invitation_token_hash(pool, "e34sS8G3giSi7n0yZvaZx6YsRmRMGduNRue5bn-B9M=") == NULL);
    CHECK(portal_invitation_token_hash(pool, "e34sS8G3giSi7n0yZvaZx6YsRmRMGduNRue5bn-B9M/") == NULL);
    apr_pool_destroy(pool);
    apr_terminate();
    return check_summary("invitations");
}
