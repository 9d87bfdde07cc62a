/*
 * fixed.c -- fixed-point money: exact parsing, exact formatting, checked arithmetic.
 *
 * Every operation that can produce more than 8 decimals goes through tl_fixed_from_ratio128, so
 * the engine has exactly one rounding rule (half away from zero) and one overflow check.
 */
#include <string.h>

#include "tradeloop/fixed.h"

/* Longest slice of a bad input quoted back in an error message. */
#define QUOTE_MAX 64

static const uint64_t pow10_u64[TL_FIXED_DECIMALS + 1] = {
    1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL,
};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int quote_len(size_t len)
{
    return len > QUOTE_MAX ? QUOTE_MAX : (int)len;
}

int tl_fixed_parse(const char *s, size_t len, tl_fixed *out, tl_err *err)
{
    if (s == NULL)
        return tl_err_set(err, TL_EINVAL, "fixed-point: NULL input");
    if (len == (size_t)-1)
        len = strlen(s);

    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }

    /* Integer part: accumulate while it can still fit; keep validating past that point so a
     * malformed input is reported as malformed, not as out of range. */
    const uint64_t int_max = (uint64_t)TL_FIXED_MAX / (uint64_t)TL_FIXED_SCALE;
    uint64_t ip = 0;
    int too_big = 0;
    size_t int_start = i;
    while (i < len && is_digit(s[i])) {
        if (!too_big) {
            ip = ip * 10 + (uint64_t)(s[i] - '0');
            too_big = ip > int_max;
        }
        i++;
    }
    size_t int_digits = i - int_start;

    uint64_t frac = 0;
    size_t frac_digits = 0;
    int has_point = 0;
    if (i < len && s[i] == '.') {
        has_point = 1;
        i++;
        size_t frac_start = i;
        while (i < len && is_digit(s[i])) {
            if (i - frac_start < TL_FIXED_DECIMALS)
                frac = frac * 10 + (uint64_t)(s[i] - '0');
            i++;
        }
        frac_digits = i - frac_start;
    }

    if (int_digits == 0 || (has_point && frac_digits == 0) || i != len)
        return tl_err_set(err, TL_EINVAL, "malformed decimal '%.*s' (want [+-]digits[.digits])",
                          quote_len(len), s);
    if (frac_digits > TL_FIXED_DECIMALS)
        return tl_err_set(err, TL_EPRECISION, "decimal '%.*s' has more than %d decimals",
                          quote_len(len), s, TL_FIXED_DECIMALS);

    /* ip <= int_max here, so ip * SCALE + frac < 2^64 and the comparison below is exact. */
    uint64_t mag = 0;
    if (!too_big)
        mag = ip * (uint64_t)TL_FIXED_SCALE + frac * pow10_u64[TL_FIXED_DECIMALS - frac_digits];
    if (too_big || mag > (uint64_t)TL_FIXED_MAX)
        return tl_err_set(err, TL_ERANGE,
                          "decimal '%.*s' out of range (max +/-92233720368.54775807)",
                          quote_len(len), s);

    *out = neg ? -(tl_fixed)mag : (tl_fixed)mag;
    return 0;
}

/* Copies tmp[0..n) and a NUL into buf when it fits; otherwise empties buf. */
static int emit(const char *tmp, size_t n, char *buf, size_t cap)
{
    if (buf == NULL || cap < n + 1) {
        if (buf != NULL && cap > 0)
            buf[0] = '\0';
        return TL_ERANGE;
    }
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return (int)n;
}

/* Writes the decimal digits of v at the end of a buffer; returns the start. */
static char *put_u64(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    return end;
}

/* Magnitude as unsigned, defined even for INT64_MIN (which is outside the fixed range but can
 * still be handed to the formatter; it must not be undefined behaviour). */
static uint64_t magnitude(tl_fixed v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Shared by both formatters: integer part, then exactly `fd` digits of frac (frac < 10^fd). */
static int format_parts(int neg, uint64_t ip, uint64_t frac, int fd, char *buf, size_t cap)
{
    char tmp[48];
    char *end = tmp + sizeof tmp;
    char *p = end;
    for (int k = 0; k < fd; k++) {
        *--p = (char)('0' + frac % 10);
        frac /= 10;
    }
    if (fd > 0)
        *--p = '.';
    p = put_u64(p, ip);
    if (neg)
        *--p = '-';
    return emit(p, (size_t)(end - p), buf, cap);
}

int tl_fixed_format(tl_fixed v, char *buf, size_t cap)
{
    uint64_t mag = magnitude(v);
    uint64_t ip = mag / (uint64_t)TL_FIXED_SCALE;
    uint64_t frac = mag % (uint64_t)TL_FIXED_SCALE;
    int fd = frac == 0 ? 0 : TL_FIXED_DECIMALS;
    while (fd > 0 && frac % 10 == 0) { /* shortest exact: drop trailing zeros */
        frac /= 10;
        fd--;
    }
    return format_parts(v < 0, ip, frac, fd, buf, cap);
}

int tl_fixed_format_dp(tl_fixed v, int decimals, char *buf, size_t cap)
{
    if (decimals < 0 || decimals > TL_FIXED_DECIMALS) {
        if (buf != NULL && cap > 0)
            buf[0] = '\0';
        return TL_EINVAL;
    }
    uint64_t mag = magnitude(v);
    uint64_t div = pow10_u64[TL_FIXED_DECIMALS - decimals];
    uint64_t q = mag / div, r = mag % div;
    if (r >= div - r) /* 2r >= div without overflow: half away from zero */
        q++;
    uint64_t unit = pow10_u64[decimals];
    /* A value that rounds to zero prints without a sign: never "-0.00". */
    return format_parts(v < 0 && q != 0, q / unit, q % unit, decimals, buf, cap);
}

int tl_fixed_format_grouped(tl_fixed v, int decimals, char *buf, size_t cap)
{
    char plain[TL_FIXED_STRLEN], tmp[TL_FIXED_GROUPED_STRLEN];
    int n = tl_fixed_format_dp(v, decimals, plain, sizeof plain);
    if (n < 0) {
        if (buf != NULL && cap > 0)
            buf[0] = '\0';
        return n;
    }
    const char *p = plain;
    size_t k = 0;
    if (*p == '-')
        tmp[k++] = *p++;
    size_t digits = strcspn(p, ".");
    for (size_t i = 0; i < digits; i++) {
        if (i > 0 && (digits - i) % 3 == 0)
            tmp[k++] = ',';
        tmp[k++] = p[i];
    }
    size_t rest = strlen(p + digits); /* ".00000000" or "" */
    memcpy(tmp + k, p + digits, rest);
    return emit(tmp, k + rest, buf, cap);
}

static int from_i128(__int128 r, tl_fixed *out)
{
    if (r > (__int128)TL_FIXED_MAX || r < (__int128)TL_FIXED_MIN)
        return TL_ERANGE;
    *out = (tl_fixed)r;
    return 0;
}

/* The external definitions of the inline functions in fixed.h (C99 inline semantics). */
extern inline int tl_fixed_add(tl_fixed a, tl_fixed b, tl_fixed *out);
extern inline int tl_fixed_sub(tl_fixed a, tl_fixed b, tl_fixed *out);
extern inline int tl_fixed_mul(tl_fixed a, tl_fixed b, tl_fixed *out);
extern inline tl_fixed tl_fixed_round_scaled(int64_t p);

int tl_fixed_from_ratio128(__int128 num, __int128 den, tl_fixed *out)
{
    if (den == 0)
        return TL_EINVAL;
    /* Work on magnitudes in unsigned 128 bits: negating INT128_MIN would overflow. */
    unsigned __int128 un = num < 0 ? -(unsigned __int128)num : (unsigned __int128)num;
    unsigned __int128 ud = den < 0 ? -(unsigned __int128)den : (unsigned __int128)den;
    unsigned __int128 q, r;
    if (((un | ud) >> 64) == 0) {
        /* Both fit 64 bits (the usual case): one hardware division instead of the 128-bit
         * library routine. Same quotient and remainder, so the same rounding below. */
        uint64_t n64 = (uint64_t)un, d64 = (uint64_t)ud;
        q = n64 / d64;
        r = n64 % d64;
    } else {
        q = un / ud;
        r = un % ud;
    }
    if (r >= ud - r) /* 2r >= ud without overflow */
        q++;
    if (q > (unsigned __int128)TL_FIXED_MAX)
        return TL_ERANGE;
    tl_fixed m = (tl_fixed)q;
    *out = (num < 0) != (den < 0) ? -m : m;
    return 0;
}

int tl_fixed_div(tl_fixed a, tl_fixed b, tl_fixed *out)
{
    if (b == 0)
        return TL_EINVAL;
    return tl_fixed_from_ratio128((__int128)a * TL_FIXED_SCALE, b, out);
}

/* The scale cancels: (a/S)*(b/S)/(c/S) = (a*b/c)/S, so the raw ratio is already fixed-point. */
int tl_fixed_muldiv(tl_fixed a, tl_fixed b, tl_fixed c, tl_fixed *out)
{
    if (c == 0)
        return TL_EINVAL;
    return tl_fixed_from_ratio128((__int128)a * b, c, out);
}

int tl_fixed_from_int(int64_t n, tl_fixed *out)
{
    return from_i128((__int128)n * TL_FIXED_SCALE, out);
}
