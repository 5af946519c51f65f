/* Formatting and parsing of quantities people read and write: sizes and
 * money. Plain data in, strings out. */
#ifndef PORTAL_FORMAT_H
#define PORTAL_FORMAT_H

#include <apr_pools.h>

/* "64k", "10M", "1G", "512" (bytes) -> bytes; -1 when malformed or huge. */
apr_off_t portal_parse_size(const char *s);
/* "90s", "30m", "12h", "7d", "3600" (seconds) -> seconds; -1 when
 * malformed, zero or over ten years. */
long portal_parse_duration(const char *s);
/* 5242880 -> "5 MB", 1536 -> "1.5 KB" (binary multiples, people's units). */
const char *portal_format_size(apr_pool_t *p, apr_off_t bytes);

/* How a locale writes an amount: "{symbol}{amount}" or "{amount} {symbol}",
 * the decimal mark and the digit-group separator. */
typedef struct {
    const char *pattern;
    const char *decimal;
    const char *group;
} portal_money_style;

/* Digits after the decimal mark of an ISO 4217 currency (2 if unknown). */
int portal_currency_exponent(const char *currency);
/* "$", "€", "₼", ... or the code itself. */
const char *portal_currency_symbol(const char *currency);
/* 4999 USD -> "$49.99" under an en style; minor units are the truth. */
const char *portal_format_money(apr_pool_t *p, long long minor, const char *currency,
                                const portal_money_style *style);

#endif
