#include "identity_rules.h"

#include <string.h>
#include <apr_strings.h>
#include "contact_rules.h"
#include "password.h"
#include "utf8.h"

const char *const portal_signup_countries[] = {
    "AZ", "TR", "GE", "KZ", "UZ", "TM", "KG", "RU", "UA", "DE", "GB", "AE", "US", NULL
};

/* Text for one line: no control characters at all, at most max bytes. */
static int one_line(const char *s, apr_size_t max)
{
    apr_size_t n = strlen(s);
    if (n > max || !portal_text_valid(s, n))
        return 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return 0;
    return 1;
}

int portal_text_one_line(const char *s, apr_size_t max)
{
    return s && one_line(s, max);
}

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

int portal_signup_validate(apr_pool_t *p, portal_signup_input *in, apr_table_t *errors)
{
    in->company = portal_text_trim(p, in->company);
    in->tax_id = portal_text_trim(p, in->tax_id);
    in->city = portal_text_trim(p, in->city);
    in->phone = portal_text_trim(p, in->phone);
    in->name = portal_text_trim(p, in->name);
    const char *email = portal_email_normalize(p, in->email);
    in->email = email ? email : portal_text_trim(p, in->email);
    if (!*in->company || !one_line(in->company, 160))
        apr_table_setn(errors, "company", "signup.errors.company");
    if (in->tax_id[0] && (strlen(in->tax_id) > 32
                          || strspn(in->tax_id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "abcdefghijklmnopqrstuvwxyz-") != strlen(in->tax_id)))
        apr_table_setn(errors, "tax_id", "signup.errors.tax_id");
    int known = 0;
    for (const char *const *c = portal_signup_countries; *c; c++)
        known |= in->country && strcmp(in->country, *c) == 0;
    if (!known)
        apr_table_setn(errors, "country", "signup.errors.country");
    if (!one_line(in->city, 120))
        apr_table_setn(errors, "city", "signup.errors.city");
    if (in->phone[0] && (strlen(in->phone) > 40
                         || strspn(in->phone, "+0123456789 ()-") != strlen(in->phone)))
        apr_table_setn(errors, "phone", "signup.errors.phone");
    if (!*in->name || !one_line(in->name, 120))
        apr_table_setn(errors, "name", "signup.errors.name");
    if (!email)
        apr_table_setn(errors, "email", "signup.errors.email");
    const char *local = email ? apr_pstrmemdup(p, email, strcspn(email, "@")) : "";
    const char *context[] = { in->email, local, in->company, in->name, NULL };
    const char *problem = portal_password_problem(in->password ? in->password : "", context);
    if (problem)
        apr_table_setn(errors, "password", apr_pstrcat(p, "signup.errors.password_", problem,
                                                       NULL));
    if (!in->terms || strcmp(in->terms, "yes") != 0)
        apr_table_setn(errors, "terms", "signup.errors.terms");
    return apr_table_elts(errors)->nelts;
}

const char *portal_code_digits(apr_pool_t *p, const char *typed)
{
    char digits[7];
    int n = 0;
    for (const char *c = typed ? typed : ""; *c; c++) {
        if (*c >= '0' && *c <= '9') {
            if (n == 6)
                return NULL;
            digits[n++] = *c;
        } else if (*c != ' ' && *c != '-') {
            return NULL;
        }
    }
    if (n != 6)
        return NULL;
    digits[6] = '\0';
    return apr_pstrdup(p, digits);
}

const char *portal_device_label(apr_pool_t *p, const char *ua)
{
    /* Order matters: Edge and Opera say Chrome too, Chrome says Safari. */
    static const struct { const char *mark, *name; } browsers[] = {
        { "Edg/", "Edge" }, { "OPR/", "Opera" }, { "Firefox/", "Firefox" },
        { "Chrome/", "Chrome" }, { "Version/", "Safari" },
    };
    static const struct { const char *mark, *name; } systems[] = {
        { "Windows", "Windows" }, { "Android", "Android" }, { "iPhone", "iOS" },
        { "iPad", "iOS" }, { "Mac OS X", "macOS" }, { "Linux", "Linux" },
    };
    const char *browser = NULL, *system = NULL;
    for (apr_size_t i = 0; ua && !browser && i < sizeof(browsers) / sizeof(browsers[0]); i++)
        if (strstr(ua, browsers[i].mark))
            browser = browsers[i].name;
    for (apr_size_t i = 0; ua && !system && i < sizeof(systems) / sizeof(systems[0]); i++)
        if (strstr(ua, systems[i].mark))
            system = systems[i].name;
    if (browser && system)
        return apr_pstrcat(p, browser, " · ", system, NULL);
    return browser ? browser : system;
}
