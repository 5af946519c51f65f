/* The security page's rules on plain data (security_rules.h). */
#include "security_rules.h"

#include <apr_strings.h>
#include <string.h>
#include "../core/password.h"
#include "../core/recovery.h"
#include "identity_rules.h"

const char *portal_secret_groups(apr_pool_t *p, const char *base32)
{
    apr_size_t n = base32 ? strlen(base32) : 0;
    char *out = apr_palloc(p, n + n / 4 + 1);
    char *o = out;
    for (apr_size_t i = 0; i < n; i++) {
        if (i && i % 4 == 0)
            *o++ = ' ';
        *o++ = base32[i];
    }
    *o = '\0';
    return out;
}

static const char *recovery_form(apr_pool_t *p, const char *typed)
{
    char code[PORTAL_RECOVERY_GROUPS * (PORTAL_RECOVERY_GROUP_LEN + 1)];
    const int want = PORTAL_RECOVERY_GROUPS * PORTAL_RECOVERY_GROUP_LEN;
    int n = 0, o = 0;
    for (const char *c = typed; *c; c++) {
        if (*c == ' ' || *c == '-' || *c == '\t')
            continue;
        char lower = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
        if (n == want || !strchr(PORTAL_RECOVERY_ALPHABET, lower) || lower == '\0')
            return NULL;
        if (n && n % PORTAL_RECOVERY_GROUP_LEN == 0)
            code[o++] = '-';
        code[o++] = lower;
        n++;
    }
    if (n != want)
        return NULL;
    code[o] = '\0';
    return apr_pstrdup(p, code);
}

portal_factor_kind portal_factor_parse(apr_pool_t *p, const char *typed, const char **out)
{
    *out = NULL;
    if (!typed)
        return PORTAL_FACTOR_NONE;
    if ((*out = portal_code_digits(p, typed)) != NULL)
        return PORTAL_FACTOR_TOTP;
    if ((*out = recovery_form(p, typed)) != NULL)
        return PORTAL_FACTOR_RECOVERY;
    return PORTAL_FACTOR_NONE;
}

const char *portal_password_change_problem(apr_pool_t *p, const char *current,
                                           const char *fresh, const char *confirm,
                                           const char *const *context)
{
    if (!current || !*current || strlen(current) > 1024)
        return "account_security.errors.current_missing";
    const char *problem = portal_password_problem(fresh ? fresh : "", context);
    if (problem)
        return apr_pstrcat(p, "signup.errors.password_", problem, NULL);
    if (!confirm || strcmp(fresh, confirm) != 0)
        return "account_security.errors.confirm";
    if (strcmp(fresh, current) == 0)
        return "account_security.errors.same";
    return NULL;
}
