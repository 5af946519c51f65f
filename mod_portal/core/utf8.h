/* Strict UTF-8 checks for every text that enters mod_portal from outside,
 * and the trimming every form applies to it. */
#ifndef PORTAL_UTF8_H
#define PORTAL_UTF8_H

#include <apr.h>
#include <apr_pools.h>

/* 1 if s[0..n) is well-formed UTF-8 (RFC 3629): no overlong forms, no
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
 * sequence at the end. NUL bytes are well-formed UTF-8. 0 otherwise. */
int portal_utf8_valid(const char *s, apr_size_t n);

/* 1 if s[0..n) is valid UTF-8 and holds no control character (C0 or DEL)
 * other than TAB, CR and LF; in particular no NUL. C1 controls
 * (U+0080..U+009F) are refused too. 0 otherwise. */
int portal_text_valid(const char *s, apr_size_t n);

/* Decodes the one character at s[0..n) (n > 0): its length in bytes and,
 * in *cp, its code point; 0 if s does not start with a well-formed
 * sequence (then *cp is unchanged). For code that walks text character by
 * character, such as portal_filename_safe. */
apr_size_t portal_utf8_decode(const char *s, apr_size_t n, unsigned long *cp);

/* An RFC 7230 tchar: a character of an HTTP token (header names, cookie
 * names, media-type parameters). */
int portal_is_tchar(unsigned char c);

/* s without the spaces, tabs, CRs and LFs around it, as a copy in p ("" for
 * NULL). */
const char *portal_text_trim(apr_pool_t *p, const char *s);

#endif
