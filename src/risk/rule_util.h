/*
 * rule_util.h -- what every rule of the risk table shares: the inlining macro and the exact texts
 * of fixed and 128-bit values. Included by the files that define rules (risk_rules.c and the
 * rules_*.h it includes), nothing else.
 */
#ifndef TL_RISK_RULE_UTIL_H
#define TL_RISK_RULE_UTIL_H

#include <stdbool.h>

#include "risk/risk.h"

#define NS_PER_SEC 1000000000LL
/* Rules are inlined into tl_risk_check, which runs them all for every order (see there). */
#define RULE static inline __attribute__((always_inline)) tl_risk_reason
/* Text of a 128-bit value: sign, 39 digits, point, NUL. */
#define WIDE_STRLEN 48

/* Exact text of (neg ? -1 : 1) * mag / 10^decimals, trailing zeros trimmed, for products that
 * may not fit a tl_fixed (|qty| x price is in 1e-16 units and can exceed the fixed range). */
static inline const char *fmt_wide_u(unsigned __int128 mag, bool neg, int decimals, char *buf)
{
    unsigned __int128 pow = 1;
    char tmp[WIDE_STRLEN];
    int n = 0, i = 0;

    for (int d = 0; d < decimals; d++)
        pow *= 10;
    unsigned __int128 ip = mag / pow, fp = mag % pow;
    do {
        tmp[n++] = (char)('0' + (int)(ip % 10));
        ip /= 10;
    } while (ip);
    if (neg && mag)
        buf[i++] = '-';
    while (n)
        buf[i++] = tmp[--n];
    if (fp) {
        int width = decimals;
        while (fp % 10 == 0) {
            fp /= 10;
            width--;
        }
        buf[i++] = '.';
        for (int d = width - 1; d >= 0; d--) {
            buf[i + d] = (char)('0' + (int)(fp % 10));
            fp /= 10;
        }
        i += width;
    }
    buf[i] = '\0';
    return buf;
}

static inline const char *fmt_wide(__int128 v, int decimals, char *buf)
{
    unsigned __int128 mag = v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
    return fmt_wide_u(mag, v < 0, decimals, buf);
}

static inline const char *fmt(tl_fixed v, char *buf)
{
    tl_fixed_format(v, buf, TL_FIXED_STRLEN);
    return buf;
}

#endif /* TL_RISK_RULE_UTIL_H */
