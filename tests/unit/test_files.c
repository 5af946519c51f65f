/* File-system helpers: private directories, writability, the sweep of what
 * killed children left in storage/tmp. */
#include <apr_general.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include "check.h"
#include "files.h"

static void touch(apr_pool_t *p, const char *path, time_t mtime)
{
    apr_file_t *f;
    apr_file_open(&f, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE, APR_FPROT_OS_DEFAULT, p);
    apr_file_close(f);
    struct utimbuf t = { mtime, mtime };
    utime(path, &t);
}

int main(void)
{
    apr_initialize();
    apr_pool_t *p;
    apr_pool_create(&p, NULL);
    char base[] = "/tmp/portal-files-XXXXXX";
    CHECK(mkdtemp(base) != NULL);

    const char *dir = apr_pstrcat(p, base, "/storage/tmp", NULL);
    CHECK(portal_private_dir(dir, p) == APR_SUCCESS);
    CHECK(portal_private_dir(dir, p) == APR_SUCCESS);   /* exists: fine */
    struct stat st;
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
    CHECK(portal_dir_writable_by(dir, getuid(), getgid()));
    CHECK(!portal_dir_writable_by(dir, 65534, 65534));  /* nobody: not the owner */
    CHECK(!portal_dir_writable_by(apr_pstrcat(p, base, "/missing", NULL), 0, 0));

    time_t now = time(NULL);
    touch(p, apr_pstrcat(p, dir, "/upload-old1", NULL), now - 3 * 86400);
    touch(p, apr_pstrcat(p, dir, "/upload-old2", NULL), now - 2 * 86400);
    touch(p, apr_pstrcat(p, dir, "/upload-fresh", NULL), now);
    touch(p, apr_pstrcat(p, dir, "/keep-old", NULL), now - 3 * 86400);
    CHECK_INT(portal_sweep_dir(dir, "upload-", apr_time_now() - apr_time_from_sec(86400), p), 2);
    CHECK(access(apr_pstrcat(p, dir, "/upload-fresh", NULL), F_OK) == 0);
    CHECK(access(apr_pstrcat(p, dir, "/keep-old", NULL), F_OK) == 0);
    CHECK(access(apr_pstrcat(p, dir, "/upload-old1", NULL), F_OK) != 0);
    CHECK_INT(portal_sweep_dir(apr_pstrcat(p, base, "/missing", NULL), "upload-", 0, p), 0);

    system(apr_pstrcat(p, "rm -rf ", base, NULL));
    apr_pool_destroy(p);
    apr_terminate();
    return check_summary("files");
}
