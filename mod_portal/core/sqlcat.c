#include "sqlcat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

static int label_valid(const char *s, apr_size_t n)
{
    if (n == 0 || n > 48)
        return 0;
    for (apr_size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* The highest $n placeholder of sql, ignoring those inside quotes. */
static int count_params(const char *sql)
{
    int max = 0;
    char quote = 0;
    for (const char *s = sql; *s; s++) {
        if (quote) {
            if (*s == quote)
                quote = 0;
            continue;
        }
        if (*s == '\'' || *s == '"') {
            quote = *s;
        } else if (*s == '$' && isdigit((unsigned char)s[1])) {
            int n = atoi(s + 1);
            if (n > max)
                max = n;
        }
    }
    return max;
}

static int is_blank(const char *s, apr_size_t n)
{
    /* Blank when only whitespace and "--" comment lines remain. */
    apr_size_t i = 0;
    while (i < n) {
        if (isspace((unsigned char)s[i])) {
            i++;
        } else if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
        } else {
            return 0;
        }
    }
    return 1;
}

/* The length of a comment line's start up to its first word if that word
 * starts with "retry", however spaced or capitalised; 0 otherwise. */
static apr_size_t retry_word(const char *s, apr_size_t n)
{
    apr_size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i + 2 > n || s[i] != '-' || s[i + 1] != '-')
        return 0;
    i += 2;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i + 5 > n || strncasecmp(s + i, "retry", 5) != 0)
        return 0;
    return i + 5;
}

/* 1 for the line right after "-- name:" when it means to be the marker: a
 * comment whose first word starts with "retry" ("-- retry safe", "-- retry =
 * safe", "-- retry-safe"), so that a misspelt marker is refused rather than
 * read as a comment (which would quietly leave its query never resent). */
static int is_retry_attempt(const char *s, apr_size_t n)
{
    return retry_word(s, n) > 0;
}

/* 1 for a line anywhere that is a "-- retry:" marker, however it is spaced
 * or capitalised; elsewhere than right after "-- name:" it is refused. */
static int is_retry_line(const char *s, apr_size_t n)
{
    apr_size_t i = retry_word(s, n);
    if (i == 0)
        return 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i < n && s[i] == ':';
}

/* The marker on the line right after "-- name:"; *safe is set from it. */
static apr_status_t parse_retry(apr_pool_t *p, const char *s, apr_size_t n,
                                const char *file, int line, int *safe, const char **err)
{
    static const char marker[] = "-- retry:";
    if (n < sizeof(marker) - 1 || strncmp(s, marker, sizeof(marker) - 1) != 0) {
        *err = apr_psprintf(p, "%s:%d: write the marker as '-- retry: safe'", file, line);
        return APR_EINVAL;
    }
    const char *v = s + sizeof(marker) - 1;
    apr_size_t v_len = n - (sizeof(marker) - 1);
    while (v_len > 0 && isspace((unsigned char)*v))
        v++, v_len--;
    while (v_len > 0 && isspace((unsigned char)v[v_len - 1]))
        v_len--;
    if (v_len != 4 || strncmp(v, "safe", 4) != 0) {
        *err = apr_psprintf(p, "%s:%d: unknown retry value '%s': the only one is 'safe' "
                            "(leave the line out for a query that must not be sent twice)",
                            file, line, apr_pstrmemdup(p, v, v_len));
        return APR_EINVAL;
    }
    *safe = 1;
    return APR_SUCCESS;
}

static apr_status_t add_query(apr_pool_t *p, portal_sqlcat *cat, const char *area,
                              const char *label, const char *body, apr_size_t n,
                              int retry_safe, const char *file, int line, const char **err)
{
    if (is_blank(body, n)) {
        *err = apr_psprintf(p, "%s:%d: query '%s' is empty", file, line, label);
        return APR_EINVAL;
    }
    portal_sql *q = apr_pcalloc(p, sizeof(*q));
    q->label = apr_pstrcat(p, area, ".", label, NULL);
    q->sql = apr_pstrmemdup(p, body, n);
    q->nparams = count_params(q->sql);
    q->retry_safe = retry_safe;
    if (apr_hash_get(cat->by_label, q->label, APR_HASH_KEY_STRING)) {
        *err = apr_psprintf(p, "%s:%d: query '%s' is defined twice", file, line, q->label);
        return APR_EINVAL;
    }
    apr_hash_set(cat->by_label, q->label, APR_HASH_KEY_STRING, q);
    return APR_SUCCESS;
}

apr_status_t portal_sqlcat_add_file(apr_pool_t *p, portal_sqlcat *cat, const char *name,
                                    const char *text, const char **err)
{
    static const char marker[] = "-- name:";
    if (!cat->by_label)
        cat->by_label = apr_hash_make(p);
    apr_size_t name_len = strcspn(name, ".");
    const char *area = apr_pstrmemdup(p, name, name_len);

    const char *label = NULL, *body = NULL;
    int line = 1, label_line = 0, retry_safe = 0;
    for (const char *s = text; *s; ) {
        const char *eol = strchr(s, '\n');
        apr_size_t len = eol ? (apr_size_t)(eol - s) : strlen(s);
        if (len >= sizeof(marker) - 1 && strncmp(s, marker, sizeof(marker) - 1) == 0) {
            if (label) {
                apr_status_t rv = add_query(p, cat, area, label, body, s - body,
                                            retry_safe, name, label_line, err);
                if (rv != APR_SUCCESS)
                    return rv;
            }
            const char *l = s + sizeof(marker) - 1;
            while (*l == ' ')
                l++;
            apr_size_t l_len = len - (l - s);
            while (l_len > 0 && isspace((unsigned char)l[l_len - 1]))
                l_len--;
            if (!label_valid(l, l_len)) {
                *err = apr_psprintf(p, "%s:%d: a query label is lowercase letters, "
                                    "digits and '_'", name, line);
                return APR_EINVAL;
            }
            label = apr_pstrmemdup(p, l, l_len);
            label_line = line;
            retry_safe = 0;
            body = eol ? eol + 1 : s + len;
        } else if ((label && line == label_line + 1 && is_retry_attempt(s, len))
                   || is_retry_line(s, len)) {
            /* Only right after "-- name:": anywhere else it would be unclear
             * which query it marks, or that it marks one at all. */
            if (!label || line != label_line + 1) {
                *err = apr_psprintf(p, "%s:%d: '-- retry:' belongs on the line right "
                                    "after '-- name:'", name, line);
                return APR_EINVAL;
            }
            apr_status_t rv = parse_retry(p, s, len, name, line, &retry_safe, err);
            if (rv != APR_SUCCESS)
                return rv;
            body = eol ? eol + 1 : s + len;   /* the query's text starts after it */
        } else if (!label && !is_blank(s, len)) {
            *err = apr_psprintf(p, "%s:%d: SQL before the first '-- name:' line", name, line);
            return APR_EINVAL;
        }
        s = eol ? eol + 1 : s + len;
        line++;
    }
    if (label)
        return add_query(p, cat, area, label, body, strlen(body), retry_safe, name,
                         label_line, err);
    return APR_SUCCESS;
}

apr_status_t portal_sqlcat_embedded(apr_pool_t *p, portal_sqlcat **out, const char **err)
{
    portal_sqlcat *cat = apr_pcalloc(p, sizeof(*cat));
    cat->by_label = apr_hash_make(p);
    for (const portal_embedded_file *f = portal_sql_files; f->name; f++) {
        apr_status_t rv = portal_sqlcat_add_file(p, cat, f->name, f->text, err);
        if (rv != APR_SUCCESS)
            return rv;
    }
    *out = cat;
    return APR_SUCCESS;
}

const portal_sql *portal_sqlcat_get(const portal_sqlcat *cat, const char *label)
{
    return apr_hash_get(cat->by_label, label, APR_HASH_KEY_STRING);
}
