#include "identity_rules.h"

#include <string.h>
#include <apr_strings.h>
#include "contact_rules.h"

const char *portal_email_normalize(apr_pool_t *p, const char *email)
{
    if (!email)
        return NULL;
    while (*email == ' ' || *email == '\t')
        email++;
    apr_size_t n = strlen(email);
    while (n > 0 && (email[n - 1] == ' ' || email[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 254)
        return NULL;
    char *e = apr_pstrmemdup(p, email, n);
    for (char *c = e; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return portal_email_plausible(e) ? e : NULL;
}
