/* Message catalogs (templates/i18n/<locale>.json), locale negotiation,
 * placeholders and plural categories. Plain data and pools only. */
#ifndef PORTAL_I18N_H
#define PORTAL_I18N_H

#include <apr_pools.h>
#include <jansson.h>

typedef struct portal_i18n portal_i18n;

/* The locales mod_portal ships, in switcher order, with their native names. */
typedef struct {
    const char *code;
    const char *name;
} portal_locale;
extern const portal_locale portal_locales[];
extern const int portal_locale_count;

/* Loads <dir>/<code>.json for every shipped locale. On failure *err is one
 * line naming the file and what is wrong with it. */
apr_status_t portal_i18n_load(apr_pool_t *p, const char *dir, portal_i18n **out,
                              const char **err);

/* The shipped locale code equal to code (case-insensitive), or NULL. */
const char *portal_i18n_supported(const char *code);

/* The locale for a request: an explicit choice (query or cookie) if it is
 * supported, else the best Accept-Language match, else fallback. */
const char *portal_i18n_negotiate(const char *choice, const char *accept_language,
                                  const char *fallback);

/* The catalog of a locale (borrowed; lives as long as the i18n). */
json_t *portal_i18n_catalog(const portal_i18n *i, const char *locale);

/* The string at a dotted key ("errors.not_found.title") in locale, falling
 * back to en, then to the key itself so a gap shows instead of crashing. */
const char *portal_i18n_get(const portal_i18n *i, const char *locale, const char *key);

/* Replaces {name} placeholders of text with values: vars is a NULL-ended
 * list of name, value pairs. Unknown placeholders stay as they are. */
const char *portal_i18n_format(apr_pool_t *p, const char *text, const char *const *vars);

/* CLDR plural category of an integer n in locale: "one", "few", "many" or
 * "other". */
const char *portal_i18n_plural(const char *locale, long long n);

/* portal_i18n_get of "<base>.<plural category of n>" with {n} filled in. */
const char *portal_i18n_count(apr_pool_t *p, const portal_i18n *i, const char *locale,
                              const char *base, long long n);

/* Calls fn for every leaf key of catalog a that is missing from catalog b
 * (as a dotted path); returns how many. Used by tests and portalctl doctor. */
int portal_i18n_missing_keys(apr_pool_t *p, json_t *a, json_t *b,
                             void (*fn)(void *baton, const char *key), void *baton);

#endif
