/*
 * clock.c -- real, frozen and simulated clocks; strict ISO-8601 UTC text.
 *
 * Calendar arithmetic is done here (Howard Hinnant's days-from-civil algorithms, shared with the
 * time zone reader through core/civil.h) instead of timegm/mktime/gmtime, which depend on TZ and
 * the C library: the same text must give the same instant on every machine.
 */
#include <string.h>
#include <time.h>

#include "core/civil.h"
#include "tradeloop/clock.h"

#define QUOTE_MAX   64
#define SEC_PER_DAY TL_SEC_PER_DAY

static int64_t real_now(const tl_clock *clock)
{
    (void)clock;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TL_NS_PER_SEC + ts.tv_nsec;
}

static int64_t stored_now(const tl_clock *clock)
{
    return clock->t_ns;
}

static const tl_clock_ops real_ops = {
    .version = TL_CLOCK_OPS_VERSION,
    .name = "real",
    .now = real_now,
};

static const tl_clock_ops frozen_ops = {
    .version = TL_CLOCK_OPS_VERSION,
    .name = "frozen",
    .now = stored_now,
};

static const tl_clock_ops sim_ops = {
    .version = TL_CLOCK_OPS_VERSION,
    .name = "sim",
    .now = stored_now,
};

void tl_clock_init_real(tl_clock *clock)
{
    clock->ops = &real_ops;
    clock->t_ns = 0;
}

void tl_clock_init_frozen(tl_clock *clock, int64_t t_ns)
{
    clock->ops = &frozen_ops;
    clock->t_ns = t_ns;
}

void tl_clock_init_sim(tl_clock *clock, int64_t start_ns)
{
    clock->ops = &sim_ops;
    clock->t_ns = start_ns;
}

int tl_clock_advance(tl_clock *clock, int64_t dt_ns)
{
    if (clock->ops != &sim_ops || dt_ns < 0)
        return TL_EINVAL;
    if (clock->t_ns > INT64_MAX - dt_ns)
        return TL_ERANGE;
    clock->t_ns += dt_ns;
    return 0;
}

int tl_clock_set(tl_clock *clock, int64_t t_ns)
{
    if (clock->ops != &sim_ops || t_ns < clock->t_ns)
        return TL_EINVAL;
    clock->t_ns = t_ns;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t tl__days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tl__civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int tl__is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int tl__days_in_month(int64_t y, int64_t m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && tl__is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly n digits at s[*i]; -1 when any is missing. */
static int64_t digits(const char *s, size_t *i, int n)
{
    int64_t v = 0;
    for (int k = 0; k < n; k++) {
        char c = s[*i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
        (*i)++;
    }
    return v;
}

static int expect(const char *s, size_t *i, char c)
{
    if (s[*i] != c)
        return 0;
    (*i)++;
    return 1;
}

static int malformed(const char *s, tl_err *err)
{
    return tl_err_set(err, TL_EINVAL, "malformed time '%.*s' (want 2025-01-01T00:00:00Z)",
                      QUOTE_MAX, s);
}

int tl_time_parse_iso(const char *s, int64_t *out_ns, tl_err *err)
{
    if (s == NULL)
        return tl_err_set(err, TL_EINVAL, "time: NULL input");

    /* Reading stops at the first unexpected byte, so the NUL ends every scan safely. */
    size_t i = 0;
    int64_t y = digits(s, &i, 4);
    if (y < 0 || !expect(s, &i, '-'))
        return malformed(s, err);
    int64_t mo = digits(s, &i, 2);
    if (mo < 0 || !expect(s, &i, '-'))
        return malformed(s, err);
    int64_t d = digits(s, &i, 2);
    if (d < 0 || !expect(s, &i, 'T'))
        return malformed(s, err);
    int64_t h = digits(s, &i, 2);
    if (h < 0 || !expect(s, &i, ':'))
        return malformed(s, err);
    int64_t mi = digits(s, &i, 2);
    if (mi < 0 || !expect(s, &i, ':'))
        return malformed(s, err);
    int64_t sec = digits(s, &i, 2);
    if (sec < 0)
        return malformed(s, err);

    int64_t frac = 0;
    if (expect(s, &i, '.')) {
        int n = 0;
        while (s[i] >= '0' && s[i] <= '9' && n < 9) {
            frac = frac * 10 + (s[i] - '0');
            i++;
            n++;
        }
        if (n == 0 || (s[i] >= '0' && s[i] <= '9'))
            return malformed(s, err); /* no digit, or more than 9 */
        for (; n < 9; n++)
            frac *= 10;
    }
    if (expect(s, &i, 'Z')) {
        /* nothing */
    } else if (strncmp(s + i, "+00:00", 6) == 0) {
        i += 6;
    } else {
        return malformed(s, err);
    }
    if (s[i] != '\0')
        return malformed(s, err);

    if (mo < 1 || mo > 12)
        return tl_err_set(err, TL_EINVAL, "invalid time '%.*s': month %02d out of range", QUOTE_MAX,
                          s, (int)mo);
    if (d < 1 || d > tl__days_in_month(y, mo))
        return tl_err_set(err, TL_EINVAL,
                          "invalid time '%.*s': day %02d out of range for %04d-%02d", QUOTE_MAX, s,
                          (int)d, (int)y, (int)mo);
    if (h > 23 || mi > 59 || sec > 59)
        return tl_err_set(err, TL_EINVAL, "invalid time '%.*s': time of day out of range",
                          QUOTE_MAX, s);

    /* Years 0000..9999 reach about +/-3e20 ns: exact in 128 bits, then checked for int64. */
    __int128 secs =
        (__int128)tl__days_from_civil(y, mo, d) * SEC_PER_DAY + h * 3600 + mi * 60 + sec;
    __int128 ns = secs * TL_NS_PER_SEC + frac;
    if (ns > INT64_MAX || ns < INT64_MIN)
        return tl_err_set(err, TL_ERANGE,
                          "time '%.*s' out of range (1677-09-21 to 2262-04-11 representable)",
                          QUOTE_MAX, s);
    *out_ns = (int64_t)ns;
    return 0;
}

int tl_time_format_iso(int64_t t_ns, char *buf, size_t cap)
{
    /* Floor division, so instants before 1970 get a non-negative fraction. */
    int64_t secs = t_ns / TL_NS_PER_SEC;
    int64_t frac = t_ns % TL_NS_PER_SEC;
    if (frac < 0) {
        frac += TL_NS_PER_SEC;
        secs--;
    }
    int64_t days = secs / SEC_PER_DAY;
    int64_t sod = secs % SEC_PER_DAY;
    if (sod < 0) {
        sod += SEC_PER_DAY;
        days--;
    }
    int64_t y, m, d;
    tl__civil_from_days(days, &y, &m, &d);

    /* Built by hand rather than snprintf: fixed widths, and no locale in the way. */
    char tmp[32];
    int64_t fields[6] = {y, m, d, sod / 3600, sod % 3600 / 60, sod % 60};
    static const char seps[6] = {'-', '-', 'T', ':', ':', 0};
    size_t n = 0;
    for (int f = 0; f < 6; f++) {
        int width = f == 0 ? 4 : 2;
        for (int k = width - 1; k >= 0; k--) {
            tmp[n + (size_t)k] = (char)('0' + fields[f] % 10);
            fields[f] /= 10;
        }
        n += (size_t)width;
        if (seps[f])
            tmp[n++] = seps[f];
    }
    if (frac != 0) {
        tmp[n++] = '.';
        for (int k = 8; k >= 0; k--) {
            tmp[n + (size_t)k] = (char)('0' + frac % 10);
            frac /= 10;
        }
        n += 9;
    }
    tmp[n++] = 'Z';

    if (buf == NULL || cap < n + 1) {
        if (buf != NULL && cap > 0)
            buf[0] = '\0';
        return TL_ERANGE;
    }
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return (int)n;
}
