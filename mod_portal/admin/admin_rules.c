/* The admin area's rules (admin_rules.h). */
#include "admin_rules.h"

#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>
#include "utf8.h"

static apr_size_t code_points(const char *s)
{
    apr_size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

const char *portal_admin_reason(apr_pool_t *p, const char *raw, const char **problem)
{
    const char *r = raw ? portal_text_trim(p, raw) : "";
    if (!*r) {
        *problem = "missing";
        return NULL;
    }
    if (code_points(r) > PORTAL_ADMIN_REASON_MAX) {
        *problem = "too_long";
        return NULL;
    }
    *problem = NULL;
    return r;
}

int portal_admin_page(const char *raw)
{
    if (!raw || !*raw || strlen(raw) > 5)
        return 1;
    for (const char *c = raw; *c; c++)
        if (*c < '0' || *c > '9')
            return 1;
    int n = atoi(raw);
    return n >= 1 && n <= PORTAL_ADMIN_MAX_PAGE ? n : 1;
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

const char *portal_admin_time_filter(apr_pool_t *p, const char *raw)
{
    if (!raw || !*raw)
        return "";
    apr_size_t len = strlen(raw);
    if ((len != 10 && len != 16) || !digits(raw, 4) || raw[4] != '-' || !digits(raw + 5, 2)
        || raw[7] != '-' || !digits(raw + 8, 2))
        return NULL;
    int month = atoi(raw + 5), day = atoi(raw + 8);
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return NULL;
    const char *hm = "00:00";
    if (len == 16) {
        if (raw[10] != 'T' || !digits(raw + 11, 2) || raw[13] != ':' || !digits(raw + 14, 2)
            || atoi(raw + 11) > 23 || atoi(raw + 14) > 59)
            return NULL;
        hm = raw + 11;
    }
    return apr_psprintf(p, "%.10s %.5s+00", raw, hm);
}

const char *portal_admin_change_problem(const char *actor_id, const char *target_id,
                                        const char *target_role, const char *target_status,
                                        const char *new_role, const char *new_status,
                                        long long other_supers)
{
    int self = strcmp(actor_id, target_id) == 0;
    int was_super = strcmp(target_role, "super") == 0 && strcmp(target_status, "active") == 0;
    int stays_super = strcmp(new_role, "super") == 0 && strcmp(new_status, "active") == 0;
    if (self && strcmp(new_status, "active") != 0)
        return "self";
    if (self && was_super && !stays_super)
        return "self";
    if (was_super && !stays_super && other_supers < 1)
        return "last_super";
    return NULL;
}
