#include "contact_rules.h"

#include <string.h>
#include <strings.h>
#include <apr_strings.h>
#include "utf8.h"
#include "../core/utf8.h"

const char *const portal_contact_topics[] = {
    "sales", "support", "billing", "partnership", "other", NULL
};

/* Characters, not bytes: the limits people read are in letters. */
static apr_size_t chars(const char *s)
{
    apr_size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static int one_line(const char *s)
{
    return strpbrk(s, "\r\n\t") == NULL;
}

int portal_email_plausible(const char *s)
{
    apr_size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@'))
        return 0;
    const char *domain = at + 1;
    const char *dot = strrchr(domain, '.');
    if (!dot || dot == domain || dot[1] == '\0' || domain[0] == '.')
        return 0;
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c <= ' ' || strchr("<>()[]\\,;:\"", *c))
            return 0;
    return 1;
}

static int topic_known(const char *topic)
{
    for (const char *const *t = portal_contact_topics; *t; t++)
        if (strcmp(*t, topic) == 0)
            return 1;
    return 0;
}

static const char *extension(const char *filename)
{
    const char *dot = strrchr(filename, '.');
    return dot ? dot + 1 : "";
}

/* The attachment's media type when its bytes and its name agree on one we
 * accept, else NULL. */
static const char *attachment_type(const portal_contact_file *f)
{
    const char *ext = extension(f->filename);
    const unsigned char *h = f->head;
    apr_size_t n = f->head_len;
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return strcasecmp(ext, "png") == 0 ? "image/png" : NULL;
    if (n >= 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF)
        return strcasecmp(ext, "jpg") == 0 || strcasecmp(ext, "jpeg") == 0 ? "image/jpeg"
                                                                             : NULL;
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
        return strcasecmp(ext, "pdf") == 0 ? "application/pdf" : NULL;
    if (strcasecmp(ext, "txt") == 0 || strcasecmp(ext, "log") == 0) {
        /* The head may end inside a character: allow a cut of up to 3 bytes. */
        for (apr_size_t cut = 0; cut < 4 && cut <= n; cut++)
            if (portal_text_valid((const char *)h, n - cut))
                return "text/plain";
    }
    return NULL;
}

int portal_contact_validate(apr_pool_t *p, portal_contact_input *in,
                            const portal_contact_file *file, apr_table_t *errors,
                            const char **file_type)
{
    in->name = portal_text_trim(p, in->name);
    in->email = portal_text_trim(p, in->email);
    in->company = portal_text_trim(p, in->company);
    in->topic = portal_text_trim(p, in->topic);
    in->message = portal_text_trim(p, in->message);
    *file_type = NULL;

    apr_size_t name_len = chars(in->name);
    if (name_len < 1 || name_len > 120 || !one_line(in->name))
        apr_table_setn(errors, "name", "contact.errors.name");
    if (!portal_email_plausible(in->email))
        apr_table_setn(errors, "email", "contact.errors.email");
    if (chars(in->company) > 160 || !one_line(in->company))
        apr_table_setn(errors, "company", "contact.errors.company");
    if (!topic_known(in->topic))
        apr_table_setn(errors, "topic", "contact.errors.topic");
    apr_size_t message_len = chars(in->message);
    if (message_len < 10 || message_len > 5000)
        apr_table_setn(errors, "message", "contact.errors.message");
    if (file) {
        if (file->size > PORTAL_CONTACT_MAX_FILE)
            apr_table_setn(errors, "attachment", "contact.errors.attachment_size");
        else if (!(*file_type = attachment_type(file)))
            apr_table_setn(errors, "attachment", "contact.errors.attachment_type");
    }
    return apr_table_elts(errors)->nelts;
}
