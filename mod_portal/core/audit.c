#include "audit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include <openssl/sha.h>
#include "crypto.h"
#include "utf8.h"

#define PAGE_ROWS 2000

static const char *const actor_kinds[] = { "user", "admin", "system", "anonymous", NULL };

int portal_audit_event_valid(const char *event)
{
    if (!event || strlen(event) > 64)
        return 0;
    int words = 0;
    const char *c = event;
    for (;;) {
        if (!islower((unsigned char)*c))
            return 0;                   /* a word starts with a letter; no empty word */
        while (islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '_')
            c++;
        words++;
        if (*c == '\0')
            break;
        if (*c != '.')
            return 0;
        c++;
    }
    return words >= 2 && words <= 6;
}

int portal_audit_actor_valid(const char *kind)
{
    for (const char *const *k = actor_kinds; kind && *k; k++)
        if (strcmp(*k, kind) == 0)
            return 1;
    return 0;
}

int portal_uuid_valid(const char *s)
{
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

const char *portal_audit_text(apr_pool_t *p, const char *s, apr_size_t max)
{
    static const char replacement[] = "\xEF\xBF\xBD";   /* U+FFFD */
    if (!s)
        return NULL;
    apr_size_t n = strlen(s), used = 0;
    char *out = apr_palloc(p, max + 1);
    for (apr_size_t i = 0; i < n; ) {
        unsigned long cp = 0;
        apr_size_t len = portal_utf8_decode(s + i, n - i, &cp);
        const char *piece = s + i;
        apr_size_t piece_len = len;
        if (len == 0 || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            piece = replacement;        /* not UTF-8, or a control character */
            piece_len = 3;
            len = len ? len : 1;
        }
        if (used + piece_len > max)
            break;                      /* cut between characters */
        memcpy(out + used, piece, piece_len);
        used += piece_len;
        i += len;
    }
    out[used] = '\0';
    return out;
}

/* APR's formatter has no %s. */
static const char *i64(apr_pool_t *p, long long v)
{
    return apr_off_t_toa(p, (apr_off_t)v);
}

/* The detail as JSON text in p: an object of bounded size that jsonb takes
 * (jsonb refuses \u0000 in a string). */
static apr_status_t detail_text(apr_pool_t *p, json_t *detail, const char **out,
                                portal_db_error *err)
{
    if (!detail) {
        *out = "{}";
        return APR_SUCCESS;
    }
    if (!json_is_object(detail))
        return portal_db_refuse(err, "audit: the detail is not a JSON object");
    char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return portal_db_refuse(err, "audit: the detail cannot be serialised");
    apr_size_t n = strlen(text);
    int nul = strstr(text, "\\u0000") != NULL;
    *out = apr_pstrmemdup(p, text, n);
    free(text);                         /* jansson's malloc: copied into p first */
    if (nul)
        return portal_db_refuse(err, "audit: the detail holds a NUL character");
    if (n > PORTAL_AUDIT_MAX_DETAIL)
        return portal_db_refuse(err, "audit: the detail is larger than 16 KiB");
    return APR_SUCCESS;
}

apr_status_t portal_audit_write(portal_db *db, apr_pool_t *p, const portal_audit_event *ev,
                                portal_db_error *err)
{
    if (!portal_audit_event_valid(ev->event))
        return portal_db_refuse(err, apr_psprintf(p, "audit: bad event code \"%s\"",
                                        portal_audit_text(p, ev->event ? ev->event : "", 80)));
    if (!portal_audit_actor_valid(ev->actor_kind))
        return portal_db_refuse(err, "audit: actor kind is not user, admin, system or anonymous");
    if (ev->actor_id && !portal_uuid_valid(ev->actor_id))
        return portal_db_refuse(err, "audit: actor id is not a uuid");
    if (ev->actor_id && strcmp(ev->actor_kind, "user") != 0
        && strcmp(ev->actor_kind, "admin") != 0)
        return portal_db_refuse(err, "audit: only a user or an admin actor has an id");
    if (ev->tenant_id && !portal_uuid_valid(ev->tenant_id))
        return portal_db_refuse(err, "audit: tenant id is not a uuid");
    if (ev->ip && strlen(ev->ip) > 64)
        return portal_db_refuse(err, "audit: ip is too long");
    const char *detail = NULL;
    apr_status_t rv = detail_text(p, ev->detail, &detail, err);
    if (rv != APR_SUCCESS)
        return rv;
    const char *params[] = {
        ev->event, ev->actor_kind, ev->actor_id,
        portal_audit_text(p, ev->actor_email, PORTAL_AUDIT_MAX_EMAIL),
        ev->tenant_id, ev->ip && *ev->ip ? ev->ip : NULL,
        portal_audit_text(p, ev->user_agent, PORTAL_AUDIT_MAX_USER_AGENT),
        portal_audit_text(p, ev->request_id, 64), detail,
    };
    portal_db_result *res;
    return portal_db_query(db, p, "audit.insert", 9, params, &res, err);
}

apr_status_t portal_audit_seal(portal_db *db, apr_pool_t *p, int wait_ms,
                               portal_audit_seal_result *out, portal_db_error *err)
{
    /* Inside a caller's transaction the sealer's horizon would be wrong (the
     * function refuses too); say so before sending. */
    if (portal_db_in_transaction(db))
        return portal_db_refuse(err, "audit seal: called inside a transaction");
    const char *params[] = { apr_itoa(p, wait_ms > 0 ? wait_ms : 0) };
    portal_db_result *res;
    apr_status_t rv = portal_db_query(db, p, "audit.seal", 1, params, &res, err);
    if (rv != APR_SUCCESS)
        return rv;
    out->sealed = portal_db_get_int(res, 0, "sealed");
    out->head_id = portal_db_get_int(res, 0, "head_id");
    out->head_hash = portal_db_get(res, 0, "head_hash");
    out->waiting = portal_db_get_int(res, 0, "waiting");
    return APR_SUCCESS;
}

const char *portal_audit_chain_hash(apr_pool_t *p, const char *prev_hex, const char *canonical)
{
    apr_size_t n = strlen(canonical);
    unsigned char *buf = apr_palloc(p, SHA256_DIGEST_LENGTH + n);
    memset(buf, 0, SHA256_DIGEST_LENGTH);
    if (prev_hex) {
        if (strlen(prev_hex) != 2 * SHA256_DIGEST_LENGTH)
            return NULL;
        for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
            int hi = portal_hex_digit((unsigned char)prev_hex[2 * i]);
            int lo = portal_hex_digit((unsigned char)prev_hex[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return NULL;
            buf[i] = (unsigned char)(hi << 4 | lo);
        }
    }
    memcpy(buf + SHA256_DIGEST_LENGTH, canonical, n);
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(buf, SHA256_DIGEST_LENGTH + n, md);
    return portal_hex_encode(p, md, sizeof(md));
}

/* Checks one page of the chain after *last_id, carrying the previous hash;
 * returns the number of entries read (0 at the end) or -1 on a db error. */
static int verify_page(portal_db *db, apr_pool_t *p, long long *last_id, const char **prev_hash,
                       portal_audit_report *out, portal_db_error *err)
{
    const char *params[] = { i64(p, *last_id), apr_itoa(p, PAGE_ROWS) };
    portal_db_result *res;
    if (portal_db_query(db, p, "audit.chain_page", 2, params, &res, err) != APR_SUCCESS)
        return -1;
    int n = portal_db_nrows(res);
    for (int i = 0; i < n; i++) {
        long long id = portal_db_get_int(res, i, "id");
        long long prev = portal_db_get_int(res, i, "prev_id");
        const char *stored = portal_db_get(res, i, "hash");
        const char *canonical = portal_db_get(res, i, "canonical");
        if (prev != *last_id) {
            out->problem = PORTAL_AUDIT_CHAIN_CUT;
            out->bad_id = id;
            out->prev_id = *last_id;
            return n;
        }
        if (!canonical) {
            out->problem = PORTAL_AUDIT_REMOVED;
            out->bad_id = id;
            return n;
        }
        const char *h = portal_audit_chain_hash(p, *prev_hash, canonical);
        if (!h || strcmp(h, stored) != 0) {
            out->problem = PORTAL_AUDIT_EDITED;
            out->bad_id = id;
            return n;
        }
        *prev_hash = h;
        *last_id = id;
    }
    return n;
}

apr_status_t portal_audit_verify(portal_db *db, apr_pool_t *p, portal_audit_report *out,
                                 portal_db_error *err)
{
    memset(out, 0, sizeof(*out));
    portal_db_result *res;
    apr_status_t rv = portal_db_query(db, p, "audit.counts", 0, NULL, &res, err);
    if (rv != APR_SUCCESS)
        return rv;
    out->rows = portal_db_get_int(res, 0, "total");
    out->sealed = portal_db_get_int(res, 0, "sealed");

    /* Pages live in a subpool cleared after each; the running hash and id
     * are copied out to p. */
    apr_pool_t *page;
    apr_pool_create(&page, p);
    long long last_id = 0;
    const char *prev_hash = NULL;
    for (;;) {
        apr_pool_clear(page);
        const char *h = prev_hash;
        int n = verify_page(db, page, &last_id, &h, out, err);
        if (n < 0) {
            err->message = apr_pstrdup(p, err->message ? err->message : "");
            err->constraint = NULL;     /* it lived in the page */
            apr_pool_destroy(page);
            return APR_EGENERAL;
        }
        prev_hash = h ? apr_pstrdup(p, h) : NULL;
        if (out->problem != PORTAL_AUDIT_INTACT || n < PAGE_ROWS)
            break;
    }
    apr_pool_destroy(page);
    out->head_id = last_id;
    out->head_hash = prev_hash;
    if (out->problem != PORTAL_AUDIT_INTACT)
        return APR_SUCCESS;

    const char *params[] = { i64(p, last_id) };
    rv = portal_db_query(db, p, "audit.unchained", 1, params, &res, err);
    if (rv != APR_SUCCESS)
        return rv;
    if (portal_db_nrows(res) > 0) {
        out->problem = PORTAL_AUDIT_UNCHAINED;
        out->bad_id = portal_db_get_int(res, 0, "id");
    }
    return APR_SUCCESS;
}

const char *portal_audit_problem_text(apr_pool_t *p, const portal_audit_report *r)
{
    switch (r->problem) {
    case PORTAL_AUDIT_INTACT:
        return "chain intact";
    case PORTAL_AUDIT_EDITED:
        return apr_psprintf(p, "row %s was edited after it was sealed: its hash does not "
                            "match its content (or its chain entry was changed)", i64(p, r->bad_id));
    case PORTAL_AUDIT_REMOVED:
        return apr_psprintf(p, "row %s was removed: it was sealed, and is gone from "
                            "audit_log", i64(p, r->bad_id));
    case PORTAL_AUDIT_CHAIN_CUT:
        return apr_psprintf(p, "sealed rows after row %s and before row %s were removed, "
                            "with their chain entries", i64(p, r->prev_id), i64(p, r->bad_id));
    case PORTAL_AUDIT_UNCHAINED:
        return apr_psprintf(p, "row %s is inside the sealed range but not in the chain: it "
                            "was inserted behind the sealer's back", i64(p, r->bad_id));
    }
    return "unknown problem";
}
