/* Team invitations (sql/migrations/008_team.sql): a row with the SHA-256 of
 * a random 256-bit token, valid 7 days, used once, and the mail with the
 * link, queued in the same transaction. The cabinet's team page and the
 * admin area ("create a tenant and invite its owner") call the same
 * function. Plain data, a portal_db and a pool. */
#ifndef PORTAL_INVITATIONS_H
#define PORTAL_INVITATIONS_H

#include <apr_pools.h>
#include "db.h"
#include "outbox.h"

#define PORTAL_INVITATION_DAYS 7
#define PORTAL_INVITATION_TOKEN_CHARS 43   /* base64url of 32 bytes */

typedef struct {
    const char *tenant_id;     /* uuid text: the company invited to */
    const char *tenant_name;   /* shown in the mail */
    const char *email;         /* normalised (portal_email_normalize) */
    const char *role;          /* owner, admin, member or viewer */
    const char *invited_by;    /* the inviting user's id; NULL: the vendor */
    const char *inviter_name;  /* shown in the mail; NULL: the product's name */
    const char *locale;        /* the mail's language when the address has no
                                * account (an account's own language wins) */
    const char *link_base;     /* absolute URL the token is appended to:
                                * "https://portal.example.com/invite/" */
} portal_invitation_new;

/* Inside the caller's open transaction (APR_EINVAL otherwise, nothing sent):
 * revokes the live invitations of the same address to the same company,
 * inserts the new one and queues the mail "team_invite" to the address.
 * *id (may be NULL) gets the new invitation's id. The caller audits. */
apr_status_t portal_invitation_create(portal_db *db, apr_pool_t *p, const portal_mail_ctx *mail,
                                      const portal_invitation_new *in, const char **id,
                                      portal_db_error *err);

/* The hash an invitation token is stored under (hex), or NULL for text that
 * is no token (wrong length or alphabet). */
const char *portal_invitation_token_hash(apr_pool_t *p, const char *token);

#endif
