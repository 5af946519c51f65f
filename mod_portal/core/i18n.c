#include "i18n.h"

#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <apr_strings.h>
#include "buf.h"
#include "json.h"

const portal_locale portal_locales[] = {
    { "en", "English" },
    { "tr", "Türkçe" },
    { "az", "Azərbaycanca" },
    { "ru", "Русский" },
};
const int portal_locale_count = sizeof(portal_locales) / sizeof(portal_locales[0]);

struct portal_i18n {
    json_t *catalogs[sizeof(portal_locales) / sizeof(portal_locales[0])];
};

static int locale_index(const char *code)
{
    for (int i = 0; i < portal_locale_count; i++)
        if (strcmp(portal_locales[i].code, code) == 0)
            return i;
    return -1;
}

apr_status_t portal_i18n_load(apr_pool_t *p, const char *dir, portal_i18n **out,
                              const char **err)
{
    portal_i18n *i = apr_pcalloc(p, sizeof(*i));
    for (int k = 0; k < portal_locale_count; k++) {
        const char *path = apr_pstrcat(p, dir, "/", portal_locales[k].code, ".json", NULL);
        json_error_t jerr;
        json_t *cat = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
        if (!cat) {
            *err = apr_psprintf(p, "%s:%d: %s", path, jerr.line, jerr.text);
            return APR_EINVAL;
        }
        portal_json_owned(p, cat);
        if (!json_is_object(cat)) {
            *err = apr_psprintf(p, "%s: the catalog must be a JSON object", path);
            return APR_EINVAL;
        }
        i->catalogs[k] = cat;
    }
    *out = i;
    return APR_SUCCESS;
}

const char *portal_i18n_supported(const char *code)
{
    if (!code)
        return NULL;
    for (int i = 0; i < portal_locale_count; i++)
        if (strcasecmp(portal_locales[i].code, code) == 0)
            return portal_locales[i].code;
    return NULL;
}

/* The best supported language of an Accept-Language header, by q-value and
 * then by order; "tr-TR" matches "tr". */
static const char *from_accept_language(const char *header)
{
    const char *best = NULL;
    double best_q = 0.0;
    const char *s = header;
    while (s && *s) {
        while (*s == ' ' || *s == ',')
            s++;
        apr_size_t tag_len = strcspn(s, ";, ");
        char tag[16] = "";
        if (tag_len > 0 && tag_len < sizeof(tag)) {
            memcpy(tag, s, tag_len);
            tag[tag_len] = '\0';
            tag[strcspn(tag, "-_")] = '\0';
        }
        const char *end = strchr(s, ',');
        double q = 1.0;
        const char *qp = strstr(s, ";q=");
        if (!qp)
            qp = strstr(s, "; q=");
        if (qp && (!end || qp < end)) {
            q = strtod(strchr(qp, '=') + 1, NULL);
            if (!(q >= 0.0 && q <= 1.0))
                q = 0.0;
        }
        const char *code = portal_i18n_supported(tag);
        if (code && q > best_q) {
            best = code;
            best_q = q;
        }
        s = end;
    }
    return best;
}

const char *portal_i18n_negotiate(const char *choice, const char *accept_language,
                                  const char *fallback)
{
    const char *code = portal_i18n_supported(choice);
    if (code)
        return code;
    code = accept_language ? from_accept_language(accept_language) : NULL;
    if (code)
        return code;
    code = portal_i18n_supported(fallback);
    return code ? code : "en";
}

json_t *portal_i18n_catalog(const portal_i18n *i, const char *locale)
{
    int k = locale_index(locale);
    return i->catalogs[k < 0 ? 0 : k];
}

static const char *lookup(json_t *cat, const char *key)
{
    char path[256];
    if (strlen(key) >= sizeof(path))
        return NULL;
    strcpy(path, key);
    json_t *node = cat;
    char *save = NULL;
    for (char *part = strtok_r(path, ".", &save); part && node;
         part = strtok_r(NULL, ".", &save))
        node = json_object_get(node, part);
    return json_is_string(node) ? json_string_value(node) : NULL;
}

const char *portal_i18n_get(const portal_i18n *i, const char *locale, const char *key)
{
    const char *s = lookup(portal_i18n_catalog(i, locale), key);
    if (!s)
        s = lookup(i->catalogs[0], key);
    return s ? s : key;
}

const char *portal_i18n_format(apr_pool_t *p, const char *text, const char *const *vars)
{
    portal_buf out;
    portal_buf_init(&out, p, strlen(text) + 32);
    const char *s = text;
    while (*s) {
        const char *open = strchr(s, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close)
            break;
        const char *value = NULL;
        for (const char *const *v = vars; v && v[0]; v += 2)
            if ((apr_size_t)(close - open - 1) == strlen(v[0])
                && strncmp(open + 1, v[0], close - open - 1) == 0) {
                value = v[1] ? v[1] : "";
                break;
            }
        if (value) {
            portal_buf_append(&out, s, open - s);
            portal_buf_puts(&out, value);
            s = close + 1;
        } else {
            portal_buf_append(&out, s, open - s + 1);
            s = open + 1;
        }
    }
    portal_buf_puts(&out, s);
    return out.data;
}

const char *portal_i18n_plural(const char *locale, long long n)
{
    if (n < 0)
        n = -n;
    if (strcmp(locale, "ru") == 0) {
        long long mod10 = n % 10, mod100 = n % 100;
        if (mod10 == 1 && mod100 != 11)
            return "one";
        if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14))
            return "few";
        return "many";
    }
    return n == 1 ? "one" : "other";
}

const char *portal_i18n_count(apr_pool_t *p, const portal_i18n *i, const char *locale,
                              const char *base, long long n)
{
    const char *key = apr_pstrcat(p, base, ".", portal_i18n_plural(locale, n), NULL);
    const char *text = portal_i18n_get(i, locale, key);
    const char *vars[] = { "n", apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)n), NULL };
    return portal_i18n_format(p, text, vars);
}

static int walk_missing(apr_pool_t *p, json_t *a, json_t *b, const char *prefix,
                        void (*fn)(void *, const char *), void *baton)
{
    int missing = 0;
    const char *key;
    json_t *value;
    json_object_foreach(a, key, value) {
        const char *path = *prefix ? apr_pstrcat(p, prefix, ".", key, NULL) : key;
        json_t *other = json_is_object(b) ? json_object_get(b, key) : NULL;
        if (json_is_object(value)) {
            missing += walk_missing(p, value, other, path, fn, baton);
        } else if (!other || json_typeof(other) != json_typeof(value)) {
            missing++;
            if (fn)
                fn(baton, path);
        }
    }
    return missing;
}

int portal_i18n_missing_keys(apr_pool_t *p, json_t *a, json_t *b,
                             void (*fn)(void *baton, const char *key), void *baton)
{
    return walk_missing(p, a, b, "", fn, baton);
}
