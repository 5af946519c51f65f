/* The unit tests' whole framework: CHECK records a pass or a failure with
 * its place, and check_summary() prints the line CI counts. */
#ifndef PORTAL_CHECK_H
#define PORTAL_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) check_one(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(got, want) check_str((got), (want), #got, __FILE__, __LINE__)
#define CHECK_INT(got, want) check_int((long long)(got), (long long)(want), #got, __FILE__, __LINE__)

static inline int check_one(int ok, const char *what, const char *file, int line)
{
    if (ok)
        check_passed++;
    else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

static inline int check_str(const char *got, const char *want, const char *what,
                            const char *file, int line)
{
    int ok = (got == NULL && want == NULL)
          || (got != NULL && want != NULL && strcmp(got, want) == 0);
    if (!ok) {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n  got:  %s\n  want: %s\n", file, line,
                what, got ? got : "(null)", want ? want : "(null)");
    } else
        check_passed++;
    return ok;
}

static inline int check_int(long long got, long long want, const char *what,
                            const char *file, int line)
{
    if (got == want) {
        check_passed++;
        return 1;
    }
    check_failed++;
    fprintf(stderr, "FAIL %s:%d: %s is %lld, want %lld\n", file, line, what, got, want);
    return 0;
}

/* Prints "<suite>: N passed, N failed" and returns the process exit code. */
static inline int check_summary(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
