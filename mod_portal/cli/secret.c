/* portalctl secret FILE: the server secret behind every HMAC of the portal. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include "crypto.h"

int portal_cli_secret(portal_cli *cli, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        const char *dir = apr_pstrmemdup(cli->pool, path, slash - path);
        apr_status_t rv = apr_dir_make_recursive(dir, APR_FPROT_UREAD | APR_FPROT_UWRITE
                                                 | APR_FPROT_UEXECUTE | APR_FPROT_GREAD
                                                 | APR_FPROT_GEXECUTE | APR_FPROT_WREAD
                                                 | APR_FPROT_WEXECUTE, cli->pool);
        if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
            fprintf(stderr, "portalctl: cannot create %s\n", dir);
            return 1;
        }
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {
            printf("secret: %s exists, kept as it is\n", path);
            return 0;
        }
        fprintf(stderr, "portalctl: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    unsigned char raw[48];
    if (portal_random_bytes(raw, sizeof(raw)) != APR_SUCCESS) {
        close(fd);
        unlink(path);
        fprintf(stderr, "portalctl: no randomness available\n");
        return 1;
    }
    const char *text = apr_pstrcat(cli->pool, portal_b64url_encode(cli->pool, raw, sizeof(raw)),
                                   "\n", NULL);
    ssize_t n = write(fd, text, strlen(text));
    if (close(fd) != 0 || n != (ssize_t)strlen(text)) {
        unlink(path);
        fprintf(stderr, "portalctl: cannot write %s\n", path);
        return 1;
    }
    printf("secret: created %s (mode 0600)\n", path);
    return 0;
}
