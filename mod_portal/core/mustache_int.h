/* Internals shared by mustache_parse.c (which builds the tree) and
 * mustache_render.c (which walks it). Not part of the public API.
 *
 * A parsed template is a tree of nodes. Whitespace rules are settled at parse
 * time: standalone lines are already cut out of the text, and each node says
 * whether it starts a line (so that an indentation, known only at render time,
 * is written before it) and how much leading whitespace its lines lose to the
 * block that defines them (block re-indentation). */
#ifndef PORTAL_MUSTACHE_INT_H
#define PORTAL_MUSTACHE_INT_H

#include <apr_hash.h>

#include "mustache.h"

enum {
    MN_TEXT,      /* s/n: literal bytes */
    MN_VAR,       /* {{name}}: escaped */
    MN_RAW,       /* {{{name}}} / {{&name}} */
    MN_SECTION,   /* {{#name}} kids {{/name}} */
    MN_INVERTED,  /* {{^name}} kids {{/name}} */
    MN_PARTIAL,   /* {{>s}} */
    MN_PARENT,    /* {{<s}} kids (its blocks only) {{/s}} */
    MN_BLOCK,     /* {{$s}} kids (default content) {{/s}} */
    MN_INDENT     /* nothing but the indentation of a line that starts here */
};

typedef struct mnode mnode;

typedef struct {
    const mnode *v;
    int n;
} mlist;

/* A dotted name split at parse time; nparts == 0 is ".". */
typedef struct {
    const char *const *parts;
    int nparts;
} mname;

struct mnode {
    unsigned char kind;
    unsigned char bol;          /* a line starts here: write the indentation first */
    unsigned char standalone;   /* partial/parent/block: stood alone on its line, so
                                 * its content is indented by `indent`; section: its
                                 * opening tag stood alone */
    int line;
    const char *s;              /* text bytes, or the partial/parent/block name */
    apr_size_t n;
    apr_size_t dedent;          /* text: leading blanks each line start drops */
    const char *indent;         /* standalone partial/parent/block */
    apr_size_t indent_len;
    mname name;                 /* var, raw, section, inverted */
    mlist kids;
};

struct portal_mustache {
    const char *name;
    mlist root;
};

struct portal_mustache_set {
    apr_pool_t *pool;
    apr_hash_t *byname;
};

/* --- parsing internals: mustache_lex.c hands its tokens to mustache_parse.c */

enum { T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_PARTIAL,
       T_DELIM, T_PARENT, T_BLOCK };

typedef struct {
    unsigned char kind;
    unsigned char cut_left;      /* tag: takes the blanks before it on its line */
    unsigned char cut_right;     /* tag: takes the rest of its line, line end included */
    unsigned char pair;          /* block: "  {{$b}}...{{/b}}" alone on its line */
    int line;
    int match;                   /* opener <-> closer */
    int owner;                   /* innermost enclosing opener, -1 at top level */
    apr_size_t start, end;       /* the whole token in src */
    apr_size_t head_cut, tail_cut;  /* text: bytes taken by standalone tags */
    apr_size_t name, nlen;       /* tag: trimmed content, offset in src */
} mtok;

typedef struct {
    apr_pool_t *pool;            /* the template's nodes */
    apr_pool_t *tmp;             /* tokens; gone after parsing */
    apr_pool_t *errpool;
    const char *tname;
    const char *src;
    apr_size_t len;
    mtok *t;
    int nt;
    const char *err;             /* "name:line: message" */
} mparser;

/* Lexes ps->src into ps->t, pairs openers with closers and marks what
 * standalone tags cut from the text around them. */
apr_status_t portal_mustache_tokenize(mparser *ps);

/* Sets ps->err to "name:line: message"; returns APR_EINVAL. */
apr_status_t portal_mustache_fail(mparser *ps, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Names quoted in error messages: at most 40 bytes of them. */
#define MUSTACHE_QN(ps, k) (int)((k)->nlen > 40 ? 40 : (k)->nlen), (ps)->src + (k)->name

#endif
