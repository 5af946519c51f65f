#include "format.h"

#include <ctype.h>
#include <string.h>
#include <apr_strings.h>
#include "buf.h"
#include "i18n.h"

apr_off_t portal_parse_size(const char *s)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    apr_off_t n = 0;
    while (isdigit((unsigned char)*s)) {
        n = n * 10 + (*s++ - '0');
        if (n > ((apr_off_t)1 << 40))
            return -1;
    }
    apr_off_t unit = 1;
    switch (*s) {
    case '\0': break;
    case 'k': case 'K': unit = 1024; s++; break;
    case 'm': case 'M': unit = 1024 * 1024; s++; break;
    case 'g': case 'G': unit = 1024 * 1024 * 1024; s++; break;
    default: return -1;
    }
    if (*s == 'b' || *s == 'B')
        s++;
    if (*s || n > APR_INT64_MAX / unit)   /* "1000000000000G" would wrap */
        return -1;
    return n * unit;
}

long portal_parse_duration(const char *s)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    long n = 0;
    while (isdigit((unsigned char)*s)) {
        n = n * 10 + (*s++ - '0');
        if (n > 10L * 366 * 24 * 3600)
            return -1;
    }
    long unit = 1;
    switch (*s) {
    case '\0': break;
    case 's': unit = 1; s++; break;
    case 'm': unit = 60; s++; break;
    case 'h': unit = 3600; s++; break;
    case 'd': unit = 24 * 3600; s++; break;
    default: return -1;
    }
    if (*s || n == 0 || n > 10L * 366 * 24 * 3600 / unit)
        return -1;
    return n * unit;
}

const char *portal_format_size(apr_pool_t *p, apr_off_t bytes)
{
    static const char *units[] = { "bytes", "KB", "MB", "GB" };
    int u = 0;
    apr_off_t scaled10 = bytes * 10;
    while (u < 3 && bytes >= 1024) {
        scaled10 = bytes * 10 / 1024;
        bytes /= 1024;
        u++;
    }
    if (u > 0 && scaled10 % 10 != 0)
        return apr_psprintf(p, "%" APR_OFF_T_FMT ".%" APR_OFF_T_FMT " %s",
                            scaled10 / 10, scaled10 % 10, units[u]);
    return apr_psprintf(p, "%" APR_OFF_T_FMT " %s", bytes, units[u]);
}

static const struct {
    const char *code;
    const char *symbol;
    int exponent;
} currencies[] = {
    { "USD", "$", 2 }, { "EUR", "€", 2 }, { "GBP", "£", 2 }, { "AZN", "₼", 2 },
    { "TRY", "₺", 2 }, { "RUB", "₽", 2 }, { "JPY", "¥", 0 }, { "KZT", "₸", 2 },
    { "GEL", "₾", 2 }, { "UAH", "₴", 2 },
};

int portal_currency_exponent(const char *currency)
{
    for (apr_size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
        if (strcmp(currencies[i].code, currency) == 0)
            return currencies[i].exponent;
    return 2;
}

const char *portal_currency_symbol(const char *currency)
{
    for (apr_size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
        if (strcmp(currencies[i].code, currency) == 0)
            return currencies[i].symbol;
    return currency;
}

/* Integer part with group separators every three digits. */
static const char *grouped(apr_pool_t *p, long long whole, const char *group)
{
    char digits[32];
    int n = apr_snprintf(digits, sizeof(digits), "%" APR_INT64_T_FMT,
                         (apr_int64_t)whole);
    portal_buf out;
    portal_buf_init(&out, p, 32);
    for (int i = 0; i < n; i++) {
        portal_buf_putc(&out, digits[i]);
        int left = n - i - 1;
        if (left > 0 && left % 3 == 0)
            portal_buf_puts(&out, group);
    }
    return out.data;
}

const char *portal_format_money(apr_pool_t *p, long long minor, const char *currency,
                                const portal_money_style *style)
{
    int exp = portal_currency_exponent(currency);
    long long scale = 1;
    for (int i = 0; i < exp; i++)
        scale *= 10;
    int negative = minor < 0;
    unsigned long long abs_minor = negative ? 0ULL - (unsigned long long)minor
                                            : (unsigned long long)minor;
    const char *amount = grouped(p, (long long)(abs_minor / scale), style->group);
    if (exp > 0)
        amount = apr_psprintf(p, "%s%s%0*" APR_UINT64_T_FMT, amount, style->decimal, exp,
                              (apr_uint64_t)(abs_minor % (unsigned long long)scale));
    const char *vars[] = { "symbol", portal_currency_symbol(currency), "amount", amount, NULL };
    const char *text = portal_i18n_format(p, style->pattern, vars);
    return negative ? apr_pstrcat(p, "-", text, NULL) : text;
}
