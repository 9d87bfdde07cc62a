/*
 * tz_rule.c -- the POSIX TZ string of a TZif footer ("CET-1CEST,M3.5.0,M10.5.0/3"): parsing and
 * the offset it gives at an instant. Grammar and extensions as in RFC 8536 section 3.3.
 */
#include <string.h>

#include "core/civil.h"
#include "core/text.h"
#include "core/tz.h"

#define QUOTE_MAX 64

typedef struct cursor {
    const char *s;
    size_t len, i;
} cursor;

static int peek(const cursor *c)
{
    return c->i < c->len ? (unsigned char)c->s[c->i] : -1;
}

static int is_digit(int ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_alpha(int ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
}

/* Up to max_digits digits as a number in [lo, hi]; -1 when none or out of range. */
static int number(cursor *c, int max_digits, int lo, int hi)
{
    int v = 0, n = 0;
    while (n < max_digits && is_digit(peek(c))) {
        v = v * 10 + (peek(c) - '0');
        c->i++;
        n++;
    }
    if (n == 0 || is_digit(peek(c)) || v < lo || v > hi)
        return -1;
    return v;
}

/* A zone abbreviation: 3+ letters, or <...> of letters, digits, '+' and '-' (3+ of them). */
static int abbrev(cursor *c)
{
    size_t start = c->i;
    if (peek(c) == '<') {
        c->i++;
        while (is_alpha(peek(c)) || is_digit(peek(c)) || peek(c) == '+' || peek(c) == '-')
            c->i++;
        if (peek(c) != '>' || c->i - start - 1 < 3)
            return -1;
        c->i++;
        return 0;
    }
    while (is_alpha(peek(c)))
        c->i++;
    return c->i - start >= 3 ? 0 : -1;
}

/* [+-]h[h...][:mm[:ss]] with |hours| <= max_h, as signed seconds. */
static int hms(cursor *c, int max_h, int32_t *out)
{
    int sign = 1;
    if (peek(c) == '+' || peek(c) == '-') {
        sign = peek(c) == '-' ? -1 : 1;
        c->i++;
    }
    int h = number(c, 3, 0, max_h), m = 0, s = 0;
    if (h < 0)
        return -1;
    if (peek(c) == ':') {
        c->i++;
        if ((m = number(c, 2, 0, 59)) < 0)
            return -1;
        if (peek(c) == ':') {
            c->i++;
            if ((s = number(c, 2, 0, 59)) < 0)
                return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 0;
}

static int date(cursor *c, tl_tz_date *d)
{
    memset(d, 0, sizeof *d);
    int v;
    if (peek(c) == 'M') {
        c->i++;
        d->kind = 'M';
        if ((v = number(c, 2, 1, 12)) < 0)
            return -1;
        d->month = (int8_t)v;
        if (peek(c) != '.')
            return -1;
        c->i++;
        if ((v = number(c, 1, 1, 5)) < 0)
            return -1;
        d->week = (int8_t)v;
        if (peek(c) != '.')
            return -1;
        c->i++;
        if ((v = number(c, 1, 0, 6)) < 0)
            return -1;
        d->wday = (int8_t)v;
    } else if (peek(c) == 'J') {
        c->i++;
        d->kind = 'J';
        if ((v = number(c, 3, 1, 365)) < 0)
            return -1;
        d->n = (int16_t)v;
    } else {
        d->kind = 'N';
        if ((v = number(c, 3, 0, 365)) < 0)
            return -1;
        d->n = (int16_t)v;
    }
    d->time = 2 * 3600;
    if (peek(c) == '/') {
        c->i++;
        return hms(c, 167, &d->time);
    }
    return 0;
}

static int bad(const char *s, size_t len, size_t at, tl_err *err)
{
    return tl_err_set(err, TL_ECORRUPT, "TZ string '%.*s': malformed at position %zu",
                      (int)(len < QUOTE_MAX ? len : QUOTE_MAX), s, at + 1);
}

static int rule_parse(const char *s, size_t len, tl_tz_rule *out, tl_err *err)
{
    tl_tz_rule r;
    memset(&r, 0, sizeof r);
    cursor c = {s, len, 0};
    size_t at = 0; /* where the part being read starts: the position a message names */
    int32_t west;

    if (abbrev(&c) < 0)
        return bad(s, len, at, err);
    at = c.i;
    if (hms(&c, 24, &west) < 0)
        return bad(s, len, at, err);
    r.std_off = -west;
    if (c.i < len) {
        at = c.i;
        if (abbrev(&c) < 0)
            return bad(s, len, at, err);
        r.has_dst = true;
        r.dst_off = r.std_off + 3600;
        if (peek(&c) != ',' && c.i < len) {
            at = c.i;
            if (hms(&c, 24, &west) < 0)
                return bad(s, len, at, err);
            r.dst_off = -west;
        }
        if (c.i == len)
            return tl_err_set(err, TL_ENOTSUP,
                              "TZ string '%.*s': daylight time without a rule is not supported",
                              (int)(len < QUOTE_MAX ? len : QUOTE_MAX), s);
        at = c.i;
        if (peek(&c) != ',')
            return bad(s, len, at, err);
        c.i++;
        at = c.i;
        if (date(&c, &r.start) < 0)
            return bad(s, len, at, err);
        at = c.i;
        if (peek(&c) != ',')
            return bad(s, len, at, err);
        c.i++;
        at = c.i;
        if (date(&c, &r.end) < 0)
            return bad(s, len, at, err);
    }
    if (c.i != len)
        return bad(s, len, c.i, err);
    r.valid = true;
    *out = r;
    return 0;
}

int tl_tz_rule_parse(const char *s, size_t len, tl_tz_rule *out, tl_err *err)
{
    int rc = rule_parse(s, len, out, err);
    if (rc != 0)
        tl__err_printable(err); /* the messages quote the string */
    return rc;
}

/* The day (days since 1970-01-01) a rule's date falls on in year y. */
static int64_t date_day(const tl_tz_date *d, int64_t y)
{
    int64_t jan1 = tl__days_from_civil(y, 1, 1);
    if (d->kind == 'J') /* Feb 29 is never counted: J60 is always March 1 */
        return jan1 + d->n - 1 + (tl__is_leap(y) && d->n >= 60);
    if (d->kind == 'N')
        return jan1 + d->n;
    int64_t first = tl__days_from_civil(y, d->month, 1);
    int64_t first_wday = ((first + 4) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
    int64_t day = 1 + (d->wday - first_wday + 7) % 7 + (d->week - 1) * 7;
    if (day > tl__days_in_month(y, d->month))
        day -= 7; /* week 5: the last one, which may be the fourth */
    return first + day - 1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int32_t tl_tz_rule_offset(const tl_tz_rule *r, int64_t utc_sec)
{
    if (!r->has_dst)
        return r->std_off;
    /* The year is the one of standard local time; both transitions of that year are computed and
     * the instant compared with them in UTC. A southern zone (start after end) is in daylight
     * time outside [end, start). */
    int64_t y, m, d;
    tl__civil_from_days(floor_div(utc_sec + r->std_off, TL_SEC_PER_DAY), &y, &m, &d);
    int64_t start = date_day(&r->start, y) * TL_SEC_PER_DAY + r->start.time - r->std_off;
    int64_t end = date_day(&r->end, y) * TL_SEC_PER_DAY + r->end.time - r->dst_off;
    bool dst =
        start < end ? (utc_sec >= start && utc_sec < end) : !(utc_sec >= end && utc_sec < start);
    return dst ? r->dst_off : r->std_off;
}
