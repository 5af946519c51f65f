/* Mustache templates (https://mustache.github.io/mustache.5.html), the one
 * template language of mod_portal's HTML pages and e-mails.
 *
 * Conforms to the official spec (mustache/spec): comments, delimiters,
 * interpolation, inverted, partials, sections and the optional ~inheritance
 * module (parents {{<layout}}...{{/layout}} and blocks {{$name}}...{{/name}}),
 * including standalone lines, partial indentation and block re-indentation.
 * Lambdas and dynamic names are not supported (views are plain JSON).
 *
 * Templates are parsed exactly once, when added to a set; rendering walks the
 * parsed tree. A set is filled at configuration time and then shared read-only:
 * portal_mustache_render never modifies the set or its templates, so any
 * number of threads may render the same set at once.
 *
 * Values (the view is a jansson value, usually an object):
 *   {{x}}          HTML-escaped (& < > " ' become entities); {{{x}}} and
 *                  {{& x}} are written raw.
 *   strings        as they are; integers in decimal; reals in the shortest form
 *                  that reads back to the same double (1.21 -> "1.21",
 *                  1.0 -> "1"); true -> "true", false -> "false"; null, a
 *                  missing name, objects and arrays -> nothing.
 *   names          "a.b.c": "a" is looked up through the context stack (the
 *                  innermost context holding the key wins, even when its value
 *                  is null), "b" and "c" only in what "a" found. "." is the
 *                  current context.
 * Sections {{#x}}...{{/x}} and inverted sections {{^x}}...{{/x}}:
 *   falsy          false, null, a missing name, an empty array and the empty
 *                  string "" (our choice: the spec leaves "" open; with it
 *                  {{#note}}<p>{{note}}</p>{{/note}} needs no extra flag);
 *                  0 and 0.0 are truthy.
 *   arrays         render the section once per element, element pushed on the
 *                  context stack; other truthy values are pushed once.
 * Partials {{>name}} and parents {{<name}} resolve to templates of the same
 * set by name; a missing one renders as nothing (the spec's rule). Block
 * overrides given by an outer parent take precedence over inner ones (within
 * one parent the last wins), and stay visible inside partials rendered from
 * the parent ({{>x}} is {{<x}}{{/x}}, as the spec says).
 *
 * Whitespace: a tag alone on its line (only blanks around it) takes the whole
 * line. A standalone partial, and a parent whose {{<p}} starts a line and
 * whose {{/p}} ends one, indent every line of the included template by the
 * blanks before the tag; an inline one adds no indentation (newlines inside
 * interpolated values are never indented). Blocks follow the section rules,
 * plus the ~inheritance re-indentation: a block whose content starts on the
 * line after its tag loses the indentation common to its content lines, and
 * a standalone block is expanded with that "intrinsic" indentation (or the
 * blanks before its tag when it has no content); "  {{$b}}...{{/b}}" alone on
 * one line is indented as a whole and keeps its line end. Inside a parent only
 * the blocks count: {{$b}} takes its line end when nothing follows it, {{/b}}
 * the blanks before it when nothing precedes it.
 *
 * Limits: templates nest sections/blocks/parents at most
 * PORTAL_MUSTACHE_MAX_NESTING deep (deeper is a syntax error); rendering
 * follows partials, parents and block overrides at most
 * PORTAL_MUSTACHE_MAX_DEPTH deep and recurses at most
 * PORTAL_MUSTACHE_MAX_RENDER_NESTING frames in all: past either limit nothing
 * more is written and the render returns APR_EINVAL (a template recursing into
 * itself, never a stack overflow). */
#ifndef PORTAL_MUSTACHE_H
#define PORTAL_MUSTACHE_H

#include <apr_pools.h>
#include <apr_errno.h>
#include <jansson.h>

#include "buf.h"

#define PORTAL_MUSTACHE_MAX_NESTING 64
#define PORTAL_MUSTACHE_MAX_DEPTH 64
#define PORTAL_MUSTACHE_MAX_RENDER_NESTING 256

typedef struct portal_mustache portal_mustache;          /* one parsed template: immutable after parsing */
typedef struct portal_mustache_set portal_mustache_set;  /* templates by name: partials and parents resolve here */

/* An empty set; it and every template added later live in p. */
portal_mustache_set *portal_mustache_set_make(apr_pool_t *p);

/* Parses src (len bytes, need not be NUL-terminated) and stores it under name,
 * replacing any template of that name. On a syntax error returns APR_EINVAL
 * and *err = "name:line: message" (e.g. "public/home:12: unclosed section
 * 'plans'"); the set is left as it was. Not thread-safe: fill the set before
 * sharing it. */
apr_status_t portal_mustache_set_add(portal_mustache_set *set, const char *name,
                                     const char *src, apr_size_t len, const char **err);

/* The template stored under name, or NULL. */
const portal_mustache *portal_mustache_set_get(const portal_mustache_set *set, const char *name);

/* Number of templates in the set. */
unsigned int portal_mustache_set_count(const portal_mustache_set *set);

/* Renders template `name` of the set with `view` (a jansson value, usually an
 * object; NULL renders like null) and appends the result to out. Missing
 * partials/parents render as empty. Returns APR_SUCCESS; APR_NOTFOUND if
 * `name` itself is absent (nothing appended); APR_EINVAL when a depth limit
 * was hit (what was rendered before stays in out). Thread-safe. */
apr_status_t portal_mustache_render(const portal_mustache_set *set, const char *name,
                                    json_t *view, portal_buf *out);

/* portal_mustache_render with a work budget, for untrusted templates (the
 * fuzzer): stops with APR_ENOSPC once more than max_steps template nodes have
 * been visited or out has grown by more than max_output bytes (0 = no limit). */
apr_status_t portal_mustache_render_limited(const portal_mustache_set *set, const char *name,
                                            json_t *view, portal_buf *out,
                                            apr_size_t max_steps, apr_size_t max_output);

#endif
