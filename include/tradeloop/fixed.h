/*
 * fixed.h -- fixed-point money.
 *
 * Prices, quantities, cash and P&L are int64_t counts of 1e-8 units (the seeds' DECIMAL(20,8)).
 * Range: about +/-92,233,720,368.54775807. Products and quotients go through 128-bit
 * intermediates. There is one rounding rule: a result that does not fit in 8 decimals is
 * rounded half away from zero (as PostgreSQL's numeric does), so 0.000000005 -> 0.00000001 and
 * -0.000000005 -> -0.00000001. Results that do not fit in 64 bits fail with TL_ERANGE; nothing
 * wraps silently. Parsing is exact: more than 8 decimals is TL_EPRECISION, never rounded.
 */
#ifndef TRADELOOP_FIXED_H
#define TRADELOOP_FIXED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../tradeloop.h"

#define TL_FIXED_DECIMALS 8
#define TL_FIXED_SCALE    100000000LL
#define TL_FIXED_MAX      INT64_MAX
#define TL_FIXED_MIN      (-INT64_MAX) /* symmetric, so negation never overflows */
/* Longest text tl_fixed_format can produce, with NUL: sign, 11 integer digits, point, 8 decimals. */
#define TL_FIXED_STRLEN 24

typedef int64_t tl_fixed;

/* A whole number as fixed-point, e.g. TL_FIXED_INT(42) == 42.00000000. Compile-time constant. */
#define TL_FIXED_INT(n) ((tl_fixed)(n) * TL_FIXED_SCALE)

/* Parses exactly the grammar [+-]?[0-9]+(\.[0-9]{1,8})? from s[0..len) (len may be (size_t)-1
 * for a NUL-terminated string). TL_EINVAL for anything else (empty, "1.", ".5", "1e3", spaces),
 * TL_EPRECISION for more than 8 decimals, TL_ERANGE past TL_FIXED_MAX. *out untouched on error. */
int tl_fixed_parse(const char *s, size_t len, tl_fixed *out, tl_err *err);

/* Shortest exact text: "42000", "0.001", "-1.5". Writes at most cap bytes including the NUL and
 * returns the length, or TL_ERANGE if cap is too small (then buf holds ""). */
int tl_fixed_format(tl_fixed v, char *buf, size_t cap);
/* Text with exactly `decimals` (0..8) digits after the point, rounding half away from zero when
 * decimals < 8: tl_fixed_format_dp(150075*SCALE, 8) is "150075.00000000". */
int tl_fixed_format_dp(tl_fixed v, int decimals, char *buf, size_t cap);
/* The same with the integer digits in groups of three for people to read (the RFQ desk's box):
 * tl_fixed_format_grouped(150075*SCALE, 8, ...) is "150,075.00000000". Never for machines. At most
 * TL_FIXED_GROUPED_STRLEN bytes with the NUL. */
#define TL_FIXED_GROUPED_STRLEN 28
int tl_fixed_format_grouped(tl_fixed v, int decimals, char *buf, size_t cap);

/* Checked arithmetic. All return 0 or TL_ERANGE; *out untouched on error.
 *
 * add, sub, mul and round_scaled are C99 inline definitions: the hot paths (positions, fees,
 * notionals) inline them, and fixed.c holds the one external definition of each, so they remain
 * ordinary library functions (addressable, same symbol) for everyone else. */
inline int tl_fixed_add(tl_fixed a, tl_fixed b, tl_fixed *out)
{
    tl_fixed r;
    /* In range means [TL_FIXED_MIN, TL_FIXED_MAX]: a sum that fits int64 is out of range only
     * when it is INT64_MIN. */
    if (__builtin_add_overflow(a, b, &r) || r == INT64_MIN)
        return TL_ERANGE;
    *out = r;
    return 0;
}

inline int tl_fixed_sub(tl_fixed a, tl_fixed b, tl_fixed *out)
{
    tl_fixed r;
    if (__builtin_sub_overflow(a, b, &r) || r == INT64_MIN)
        return TL_ERANGE;
    *out = r;
    return 0;
}

/* Rounds an exact 128-bit numerator / denominator half away from zero into a fixed (the one
 * rounding rule, shared by every module that keeps its own wide sums). TL_EINVAL when den == 0,
 * TL_ERANGE when the result does not fit. */
int tl_fixed_from_ratio128(__int128 num, __int128 den, tl_fixed *out);

/* p / TL_FIXED_SCALE rounded half away from zero: exactly tl_fixed_from_ratio128(p,
 * TL_FIXED_SCALE) for a numerator that fits 64 bits (e.g. a product of two fixed values in 1e-16
 * units), which cannot fail, and without a division instruction (the divisor is a constant). C
 * division truncates toward zero, so q and r carry p's sign and |r| >= SCALE/2 rounds |q| up. */
inline tl_fixed tl_fixed_round_scaled(int64_t p)
{
    tl_fixed q = p / TL_FIXED_SCALE, r = p % TL_FIXED_SCALE;
    if (r >= TL_FIXED_SCALE / 2)
        q++;
    else if (r <= -TL_FIXED_SCALE / 2)
        q--;
    return q; /* |q| <= 2^63 / 1e8 + 1: always in range */
}

/* a*b, rounded half away from zero to 8 decimals. */
inline int tl_fixed_mul(tl_fixed a, tl_fixed b, tl_fixed *out)
{
    tl_fixed p;
    if (!__builtin_mul_overflow(a, b, &p)) {
        *out = tl_fixed_round_scaled(p); /* the usual case: the raw product fits 64 bits */
        return 0;
    }
    /* |a*b| <= 2^126 for any int64 pair, so the wide product never overflows. */
    return tl_fixed_from_ratio128((__int128)a * b, TL_FIXED_SCALE, out);
}

/* a/b, rounded half away from zero; TL_EINVAL when b == 0. */
int tl_fixed_div(tl_fixed a, tl_fixed b, tl_fixed *out);
/* a*b/c computed in 128 bits with one rounding at the end; TL_EINVAL when c == 0. */
int tl_fixed_muldiv(tl_fixed a, tl_fixed b, tl_fixed c, tl_fixed *out);
/* From a whole number; TL_ERANGE when it does not fit. */
int tl_fixed_from_int(int64_t n, tl_fixed *out);

/* True when v is an exact multiple of step (step > 0). */
static inline bool tl_fixed_is_multiple(tl_fixed v, tl_fixed step)
{
    return step > 0 && v % step == 0;
}

static inline tl_fixed tl_fixed_abs(tl_fixed v)
{
    return v < 0 ? -v : v; /* cannot overflow: TL_FIXED_MIN is -INT64_MAX */
}

/* For statistics and display only; never feed the result back into money. */
static inline double tl_fixed_to_double(tl_fixed v)
{
    return (double)v / (double)TL_FIXED_SCALE;
}

#endif /* TRADELOOP_FIXED_H */
