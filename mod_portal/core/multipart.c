#include "multipart.h"
#include "crypto.h"
#include "utf8.h"

#include <string.h>
#include <apr_strings.h>
#include <apr_lib.h>

enum {
    S_PREAMBLE,  /* looking for the first delimiter, discarding */
    S_TAIL,      /* right after a delimiter: "--", padding or CRLF */
    S_DASH2,     /* after "--boundary-": the second '-' of the close */
    S_PAD,       /* transport padding after a delimiter */
    S_LF,        /* the LF of the delimiter line's CRLF */
    S_HEADERS,   /* collecting a part's header block */
    S_BODY,      /* streaming a part's data, looking for the delimiter */
    S_EPILOGUE,  /* after the close delimiter: everything is ignored */
    S_ERROR
};

struct portal_multipart {
    apr_pool_t *pool;
    apr_pool_t *part_pool;          /* the current part's header strings */
    portal_multipart_callbacks cb;
    void *baton;
    char *delim;                    /* "\r\n--" boundary */
    apr_size_t dlen;
    apr_size_t k;                   /* delimiter bytes matched, held back */
    int state;
    char *hbuf;                     /* header block, hlen bytes so far */
    apr_size_t hlen;
    int hend;                       /* bytes of "\r\n\r\n" matched */
    int parts;
    int in_part;                    /* part_begin called, part_end not yet */
    apr_status_t status;
    const char *error;
};


static int is_bchar(unsigned char c)
{
    return apr_isalnum(c) || (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

static int boundary_ok(const char *b)
{
    apr_size_t n = b ? strlen(b) : 0;
    if (n < 1 || n > 70 || b[n - 1] == ' ')
        return 0;
    for (apr_size_t i = 0; i < n; i++)
        if (!is_bchar((unsigned char)b[i]))
            return 0;
    return 1;
}

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static const char *token(apr_pool_t *p, const char **s)
{
    const char *b = *s;
    while (portal_is_tchar((unsigned char)**s))
        (*s)++;
    return *s > b ? apr_pstrmemdup(p, b, (apr_size_t)(*s - b)) : NULL;
}

/* A quoted-string at *s (which is at the opening quote). \" and \\ are
 * escapes; a backslash before anything else is kept. NULL if unterminated. */
static char *quoted(apr_pool_t *p, const char **s)
{
    const char *c = *s + 1;
    char *out = apr_palloc(p, strlen(c) + 1), *o = out;

    for (; *c && *c != '"'; c++) {
        if (*c == '\\' && (c[1] == '"' || c[1] == '\\'))
            c++;
        *o++ = *c;
    }
    if (*c != '"')
        return NULL;
    *o = '\0';
    *s = c + 1;
    return out;
}

/* Parameter list "; a=b; c="d"" at *s, calling take for each parameter.
 * With loose values (Content-Type), an unquoted value runs to ';' or white
 * space; otherwise it must be a token. */
typedef int (*param_fn)(void *ctx, const char *name, const char *value);

static int params(apr_pool_t *p, const char *s, int loose, param_fn take,
                  void *ctx)
{
    for (;;) {
        s = skip_ows(s);
        if (!*s)
            return 1;
        if (*s++ != ';')
            return 0;
        s = skip_ows(s);
        if (!*s || *s == ';')
            continue;
        const char *name = token(p, &s);
        if (!name)
            return 0;
        s = skip_ows(s);
        if (*s++ != '=')
            return 0;
        s = skip_ows(s);
        const char *value;
        if (*s == '"')
            value = quoted(p, &s);
        else if (loose) {
            const char *b = s;
            while (*s && *s != ';' && *s != ' ' && *s != '\t')
                s++;
            value = s > b ? apr_pstrmemdup(p, b, (apr_size_t)(s - b)) : NULL;
        }
        else
            value = token(p, &s);
        if (!value || !take(ctx, name, value))
            return 0;
    }
}

static int take_boundary(void *ctx, const char *name, const char *value)
{
    const char **b = ctx;
    if (strcasecmp(name, "boundary") != 0)
        return 1;
    if (*b)
        return 0;
    *b = value;
    return 1;
}

apr_status_t portal_multipart_boundary(apr_pool_t *p,
                                       const char *content_type_header,
                                       const char **boundary)
{
    static const char type[] = "multipart/form-data";
    const char *s, *b = NULL;

    *boundary = NULL;
    if (!content_type_header)
        return APR_EINVAL;
    s = skip_ows(content_type_header);
    if (strncasecmp(s, type, sizeof(type) - 1) != 0)
        return APR_EINVAL;
    s += sizeof(type) - 1;
    if (*s && *s != ';' && *s != ' ' && *s != '\t')
        return APR_EINVAL;
    if (!params(p, s, 1, take_boundary, &b) || !boundary_ok(b))
        return APR_EINVAL;
    *boundary = b;
    return APR_SUCCESS;
}

portal_multipart *portal_multipart_make(apr_pool_t *p, const char *boundary,
                                        const portal_multipart_callbacks *cb,
                                        void *baton)
{
    portal_multipart *m;

    if (!boundary_ok(boundary))
        return NULL;
    m = apr_pcalloc(p, sizeof(*m));
    m->pool = p;
    if (apr_pool_create(&m->part_pool, p) != APR_SUCCESS)
        return NULL;
    if (cb)
        m->cb = *cb;
    m->baton = baton;
    m->delim = apr_pstrcat(p, "\r\n--", boundary, NULL);
    m->dlen = strlen(m->delim);
    m->k = 2;               /* the first delimiter may open the body */
    m->state = S_PREAMBLE;
    m->hbuf = apr_palloc(p, PORTAL_MULTIPART_MAX_HEADER);
    return m;
}

static apr_status_t fail(portal_multipart *m, apr_status_t rv, const char *code)
{
    if (!m->error)
        m->error = code;
    m->status = rv;
    m->state = S_ERROR;
    return rv;
}

void portal_multipart_set_error(portal_multipart *m, const char *code)
{
    if (!m->error)
        m->error = code;
}

const char *portal_multipart_error(const portal_multipart *m)
{
    return m->error;
}

static apr_status_t emit(portal_multipart *m, const char *d, apr_size_t n)
{
    apr_status_t rv;
    if (n == 0 || !m->cb.part_data)
        return APR_SUCCESS;
    rv = m->cb.part_data(m->baton, d, n);
    return rv == APR_SUCCESS ? rv : fail(m, rv, "callback");
}

/* The part being collected, from its header block. */
typedef struct {
    apr_pool_t *p;
    const char *name, *filename, *filename_ext;
    int bad_utf8;
} disposition;

static int take_disposition(void *ctx, const char *name, const char *value)
{
    disposition *d = ctx;
    const char **slot = NULL;

    if (strcasecmp(name, "name") == 0)
        slot = &d->name;
    else if (strcasecmp(name, "filename") == 0)
        slot = &d->filename;
    else if (strcasecmp(name, "filename*") == 0)
        slot = &d->filename_ext;
    if (!slot)
        return 1;
    if (*slot)
        return 0;
    *slot = value;
    return 1;
}

/* RFC 5987 ext-value: charset "'" [language] "'" pct-encoded value. The
 * decoded name may hold any character (CR, LF, '"', '/' ...): portal_upload
 * makes it safe after taking its basename. A NUL would cut the C string
 * short, so it is refused with invalid UTF-8. */
static int decode_ext(disposition *d, const char *ext, const char **out)
{
    const char *q1 = strchr(ext, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    char *o;
    apr_size_t n = 0;

    if (!q2 || (apr_size_t)(q1 - ext) != 5 || strncasecmp(ext, "UTF-8", 5) != 0)
        return 0;
    o = apr_palloc(d->p, strlen(q2));
    for (const char *c = q2 + 1; *c; c++) {
        if (*c == '%') {
            int hi = portal_hex_digit((unsigned char)c[1]);
            int lo = hi < 0 ? -1 : portal_hex_digit((unsigned char)c[2]);
            if (lo < 0)
                return 0;
            o[n++] = (char)(hi * 16 + lo);
            c += 2;
        }
        else
            o[n++] = *c;
    }
    o[n] = '\0';
    if (memchr(o, '\0', n) || !portal_utf8_valid(o, n))
        d->bad_utf8 = 1;
    *out = o;
    return 1;
}

/* Parses hbuf (lines ending in CRLF, then an empty line) and begins the
 * part. */
static apr_status_t begin_part(portal_multipart *m)
{
    apr_pool_t *p = m->part_pool;
    const char *cd = NULL, *ct = NULL, *s;
    const char *line = m->hbuf, *end = m->hbuf + m->hlen;
    disposition d = { p, NULL, NULL, NULL, 0 };

    for (;;) {
        const char *eol = line;
        while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
            eol++;
        apr_size_t n = (apr_size_t)(eol - line);
        if (n == 0)
            break;      /* the empty line: hbuf always ends with one */
        if (!portal_utf8_valid(line, n))
            return fail(m, APR_EINVAL, "bad_utf8");
        for (apr_size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)line[i];
            if ((c < 0x20 && c != '\t') || c == 0x7F)
                return fail(m, APR_EINVAL, "malformed");
        }
        char *copy = apr_pstrmemdup(p, line, n);
        s = copy;
        const char *hname = token(p, &s);
        if (!hname || *s++ != ':')
            return fail(m, APR_EINVAL, "malformed");
        s = skip_ows(s);
        char *v = apr_pstrdup(p, s), *ve = v + strlen(v);
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            *--ve = '\0';
        if (strcasecmp(hname, "Content-Disposition") == 0) {
            if (cd)
                return fail(m, APR_EINVAL, "malformed");
            cd = v;
        }
        else if (strcasecmp(hname, "Content-Type") == 0) {
            if (ct)
                return fail(m, APR_EINVAL, "malformed");
            ct = v;
        }
        line = eol + 2;
    }
    if (!cd)
        return fail(m, APR_EINVAL, "malformed");
    s = cd;
    const char *type = token(p, &s);
    if (!type || strcasecmp(type, "form-data") != 0
        || !params(p, s, 0, take_disposition, &d) || !d.name)
        return fail(m, APR_EINVAL, "malformed");
    if (d.filename_ext && !decode_ext(&d, d.filename_ext, &d.filename))
        return fail(m, APR_EINVAL, "malformed");
    if (d.bad_utf8)
        return fail(m, APR_EINVAL, "bad_utf8");
    if (m->cb.part_begin) {
        apr_status_t rv = m->cb.part_begin(m->baton, d.name, d.filename, ct);
        if (rv != APR_SUCCESS)
            return fail(m, rv, "callback");
    }
    m->state = S_BODY;
    m->in_part = 1;
    m->k = 0;
    return APR_SUCCESS;
}

/* The delimiter line after a part is complete: the part ends. */
static apr_status_t end_part(portal_multipart *m)
{
    apr_status_t rv;
    if (!m->in_part)
        return APR_SUCCESS;
    m->in_part = 0;
    if (m->cb.part_end && (rv = m->cb.part_end(m->baton)) != APR_SUCCESS)
        return fail(m, rv, "callback");
    return APR_SUCCESS;
}

/* Looks for the delimiter in data[*pos..len), handing the part's data on
 * and holding back a possible delimiter prefix at the end of the chunk. The
 * delimiter's only CR is its first byte, so after a mismatch the held-back
 * bytes can hold no other match start: they are data. */
static apr_status_t scan_body(portal_multipart *m, const char *data,
                              apr_size_t len, apr_size_t *pos)
{
    apr_size_t i = *pos, start = i, mstart = i;
    apr_size_t held = m->k;     /* matched in earlier chunks */
    apr_status_t rv;

    while (i < len) {
        if (m->k == 0) {
            const char *cr = memchr(data + i, '\r', len - i);
            if (!cr) {
                i = len;
                break;
            }
            i = (apr_size_t)(cr - data);
            mstart = i++;
            m->k = 1;
            continue;
        }
        if (data[i] == m->delim[m->k]) {
            i++;
            if (++m->k < m->dlen)
                continue;
            /* The delimiter: what came before it in this chunk is data. */
            if ((rv = emit(m, data + start, mstart - start)) != APR_SUCCESS)
                return rv;
            m->k = 0;
            *pos = i;
            m->state = S_TAIL;  /* the part ends once the line is complete */
            return APR_SUCCESS;
        }
        /* Mismatch: bytes held from earlier chunks were data after all. */
        if (held) {
            if ((rv = emit(m, m->delim, held)) != APR_SUCCESS)
                return rv;
            held = 0;
        }
        m->k = 0;       /* and look at data[i] again */
    }
    *pos = len;
    return emit(m, data + start, (m->k ? mstart : len) - start);
}

/* One byte of a header block. */
static apr_status_t header_byte(portal_multipart *m, char c)
{
    static const char crlf2[] = "\r\n\r\n";

    if (m->hlen == PORTAL_MULTIPART_MAX_HEADER)
        return fail(m, APR_EINVAL, "header_too_large");
    m->hbuf[m->hlen++] = c;
    if (c == crlf2[m->hend])
        m->hend++;
    else
        m->hend = c == '\r';
    return m->hend == 4 ? begin_part(m) : APR_SUCCESS;
}

/* One byte after a delimiter. */
static apr_status_t tail_byte(portal_multipart *m, char c)
{
    switch (m->state) {
    case S_TAIL:
        if (c == '-') {
            m->state = S_DASH2;
            return APR_SUCCESS;
        }
        /* fall through */
    case S_PAD:
        if (c == ' ' || c == '\t')
            m->state = S_PAD;
        else if (c == '\r')
            m->state = S_LF;
        else
            return fail(m, APR_EINVAL, "malformed");
        return APR_SUCCESS;
    case S_DASH2:
        if (c != '-')
            return fail(m, APR_EINVAL, "malformed");
        m->state = S_EPILOGUE;
        return end_part(m);
    default: /* S_LF */
        if (c != '\n')
            return fail(m, APR_EINVAL, "malformed");
        if (end_part(m) != APR_SUCCESS)
            return m->status;
        if (++m->parts > PORTAL_MULTIPART_MAX_PARTS)
            return fail(m, APR_EINVAL, "too_many_parts");
        apr_pool_clear(m->part_pool);
        m->state = S_HEADERS;
        m->hlen = 0;
        m->hend = 2;    /* an empty header block is a lone CRLF */
        return APR_SUCCESS;
    }
}

apr_status_t portal_multipart_feed(portal_multipart *m, const char *data,
                                   apr_size_t len)
{
    apr_size_t i = 0;
    apr_status_t rv = APR_SUCCESS;

    while (i < len && rv == APR_SUCCESS) {
        switch (m->state) {
        case S_ERROR:
            return m->status;
        case S_EPILOGUE:
            return APR_SUCCESS;
        case S_PREAMBLE:
            for (; i < len && m->state == S_PREAMBLE; i++) {
                if (data[i] == m->delim[m->k]) {
                    if (++m->k == m->dlen) {
                        m->k = 0;
                        m->state = S_TAIL;
                    }
                }
                else
                    m->k = data[i] == '\r';
            }
            break;
        case S_BODY:
            rv = scan_body(m, data, len, &i);
            break;
        case S_HEADERS:
            rv = header_byte(m, data[i++]);
            break;
        default:
            rv = tail_byte(m, data[i++]);
            break;
        }
    }
    return m->state == S_ERROR ? m->status : rv;
}

apr_status_t portal_multipart_finish(portal_multipart *m)
{
    if (m->state == S_ERROR)
        return m->status;
    if (m->state != S_EPILOGUE)
        return fail(m, APR_EINVAL, "malformed");
    return APR_SUCCESS;
}
