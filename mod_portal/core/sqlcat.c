#include "sqlcat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
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

/* The first keyword of sql, past blanks and "--" comments, lowercased. */
static const char *first_keyword(const char *sql, char *word, apr_size_t size)
{
    const char *s = sql;
    while (*s) {
        if (isspace((unsigned char)*s))
            s++;
        else if (s[0] == '-' && s[1] == '-')
            s += strcspn(s, "\n");
        else
            break;
    }
    apr_size_t n = 0;
    while (n + 1 < size && isalpha((unsigned char)s[n])) {
        word[n] = (char)tolower((unsigned char)s[n]);
        n++;
    }
    word[n] = '\0';
    return word;
}

static int is_read_only(const char *sql)
{
    char word[16];
    first_keyword(sql, word, sizeof(word));
    return strcmp(word, "select") == 0 || strcmp(word, "values") == 0;
}

static apr_status_t add_query(apr_pool_t *p, portal_sqlcat *cat, const char *area,
                              const char *label, const char *body, apr_size_t n,
                              const char *file, int line, const char **err)
{
    if (is_blank(body, n)) {
        *err = apr_psprintf(p, "%s:%d: query '%s' is empty", file, line, label);
        return APR_EINVAL;
    }
    portal_sql *q = apr_pcalloc(p, sizeof(*q));
    q->label = apr_pstrcat(p, area, ".", label, NULL);
    q->sql = apr_pstrmemdup(p, body, n);
    q->nparams = count_params(q->sql);
    q->read_only = is_read_only(q->sql);
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
    int line = 1, label_line = 0;
    for (const char *s = text; *s; ) {
        const char *eol = strchr(s, '\n');
        apr_size_t len = eol ? (apr_size_t)(eol - s) : strlen(s);
        if (len >= sizeof(marker) - 1 && strncmp(s, marker, sizeof(marker) - 1) == 0) {
            if (label) {
                apr_status_t rv = add_query(p, cat, area, label, body, s - body, name,
                                            label_line, err);
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
            body = eol ? eol + 1 : s + len;
        } else if (!label && !is_blank(s, len)) {
            *err = apr_psprintf(p, "%s:%d: SQL before the first '-- name:' line", name, line);
            return APR_EINVAL;
        }
        s = eol ? eol + 1 : s + len;
        line++;
    }
    if (label)
        return add_query(p, cat, area, label, body, strlen(body), name, label_line, err);
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
