#include "apache_conf.h"

#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <apr_strings.h>

#define MAX_DEPTH 8

static const char *expand(apr_pool_t *p, const char *s, apr_table_t *defines)
{
    const char *out = "";
    while (*s) {
        const char *open = strstr(s, "${");
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close)
            break;
        const char *name = apr_pstrmemdup(p, open + 2, close - open - 2);
        const char *value = apr_table_get(defines, name);
        if (!value)
            value = getenv(name);
        out = apr_pstrcat(p, out, apr_pstrmemdup(p, s, open - s), value ? value : "", NULL);
        s = close + 1;
    }
    return apr_pstrcat(p, out, s, NULL);
}

/* The first argument of a directive line: quoted or bare. */
static const char *first_arg(apr_pool_t *p, const char *s, const char **rest)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '"') {
        const char *end = strchr(s + 1, '"');
        if (!end)
            end = s + strlen(s);
        *rest = *end ? end + 1 : end;
        return apr_pstrmemdup(p, s + 1, end - s - 1);
    }
    apr_size_t n = strcspn(s, " \t");
    *rest = s + n;
    return apr_pstrmemdup(p, s, n);
}

static apr_status_t read_file(apr_pool_t *p, const char *path, apr_table_t *out,
                              apr_table_t *defines, int depth, int optional, const char **err);

static apr_status_t include(apr_pool_t *p, const char *pattern, apr_table_t *out,
                            apr_table_t *defines, int depth, int optional, const char **err)
{
    /* Relative to ServerRoot, as Apache reads it. */
    if (pattern[0] != '/')
        pattern = apr_pstrcat(p, apr_table_get(defines, " root"), "/", pattern, NULL);
    glob_t g;
    int rc = glob(pattern, 0, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        if (optional || strpbrk(pattern, "*?["))
            return APR_SUCCESS;
        *err = apr_psprintf(p, "Include %s: no such file", pattern);
        return APR_ENOENT;
    }
    apr_status_t rv = APR_SUCCESS;
    for (size_t i = 0; rc == 0 && rv == APR_SUCCESS && i < g.gl_pathc; i++)
        rv = read_file(p, g.gl_pathv[i], out, defines, depth + 1, optional, err);
    globfree(&g);
    return rv;
}

static apr_status_t read_file(apr_pool_t *p, const char *path, apr_table_t *out,
                              apr_table_t *defines, int depth, int optional, const char **err)
{
    if (depth > MAX_DEPTH) {
        *err = apr_psprintf(p, "%s: Include nested too deeply", path);
        return APR_EINVAL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        if (optional)
            return APR_SUCCESS;
        *err = apr_psprintf(p, "%s: cannot read (%s)", path, strerror(errno));
        return APR_ENOENT;
    }
    char line[4096];
    apr_status_t rv = APR_SUCCESS;
    while (rv == APR_SUCCESS && fgets(line, sizeof(line), f)) {
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        s[strcspn(s, "\r\n")] = '\0';
        if (strncasecmp(s, "<Location", 9) == 0 && isspace((unsigned char)s[9])) {
            const char *ignored;
            char *loc = (char *)first_arg(p, s + 9, &ignored);
            loc[strcspn(loc, ">")] = '\0';
            apr_table_set(defines, " location", expand(p, loc, defines));
            continue;
        }
        if (strncasecmp(s, "</Location", 10) == 0)
            apr_table_unset(defines, " location");
        if (*s == '#' || *s == '<' || *s == '\0')
            continue;
        apr_size_t n = strcspn(s, " \t");
        const char *name = apr_pstrmemdup(p, s, n);
        const char *rest;
        const char *arg = expand(p, first_arg(p, s + n, &rest), defines);
        if (strcasecmp(name, "Define") == 0) {
            const char *value = expand(p, first_arg(p, rest, &rest), defines);
            apr_table_set(defines, arg, value);
        } else if (strcasecmp(name, "Include") == 0 || strcasecmp(name, "IncludeOptional") == 0) {
            rv = include(p, arg, out, defines, depth, strcasecmp(name, "IncludeOptional") == 0,
                         err);
        } else if (strcasecmp(name, "ServerRoot") == 0) {
            apr_table_set(defines, " root", arg);
        } else {
            if (strcasecmp(name, "SetHandler") == 0 && apr_table_get(defines, " location"))
                apr_table_set(out, apr_pstrcat(p, PORTAL_CONF_MOUNT_OF, arg, NULL),
                              apr_table_get(defines, " location"));
            apr_table_set(out, name, arg);   /* as Apache: the last one wins */
        }
    }
    fclose(f);
    return rv;
}

apr_status_t portal_apache_conf_read(apr_pool_t *p, const char *path, apr_table_t **out,
                                     const char **err)
{
    *out = apr_table_make(p, 16);
    apr_table_t *defines = apr_table_make(p, 4);
    const char *slash = strrchr(path, '/');
    apr_table_set(defines, " root", slash ? apr_pstrmemdup(p, path, slash - path) : ".");
    return read_file(p, path, *out, defines, 0, 0, err);
}
