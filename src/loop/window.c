/*
 * window.c -- parsing the trading window and testing an instant against it (window.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/text.h"
#include "loop/window.h"
#include "tradeloop/clock.h"

#define QUOTE_MAX  40
#define NS_PER_MIN (60 * TL_NS_PER_SEC)
#define NS_PER_DAY (1440 * NS_PER_MIN)

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* One "HH:MM" at s (5 bytes available) into minutes, or an error naming which end. */
static int clock_time(const char *s, const char *which, int allow_24, int32_t *min, tl_err *err)
{
    int h = two_digits(s), m = two_digits(s + 3);
    if (h < 0 || m < 0 || s[2] != ':')
        return tl_err_set(err, TL_EINVAL, "trading window: %s '%.5s' is not HH:MM", which, s);
    if (allow_24 && h == 24 && m == 0) {
        *min = 1440;
        return 0;
    }
    if (h > 23)
        return tl_err_set(err, TL_EINVAL, "trading window: %s hour %02d out of range (00-23%s)",
                          which, h, allow_24 ? ", or 24:00" : "");
    if (m > 59)
        return tl_err_set(err, TL_EINVAL, "trading window: %s minute %02d out of range (00-59)",
                          which, m);
    *min = h * 60 + m;
    return 0;
}

static int parse(const char *s, size_t len, tl_window *out, tl_err *err)
{
    if (s == NULL)
        return tl_err_set(err, TL_EINVAL, "trading window: missing");
    if (len == (size_t)-1)
        len = strlen(s);
    if (len != 11 || s[5] != '-' || memchr(s, '\0', len) != NULL)
        return tl_err_set(err, TL_EINVAL, "trading window '%.*s': want HH:MM-HH:MM (e.g. %s)",
                          (int)(len < QUOTE_MAX ? len : QUOTE_MAX), s, TL_WINDOW_DEFAULT);
    tl_window w;
    int rc;
    if ((rc = clock_time(s, "start", 0, &w.start_min, err)) != 0 ||
        (rc = clock_time(s + 6, "end", 1, &w.end_min, err)) != 0)
        return rc;
    if (w.start_min == w.end_min)
        return tl_err_set(err, TL_EINVAL,
                          "trading window '%.11s': start equals end (00:00-24:00 is all day)", s);
    *out = w;
    return 0;
}

int tl_window_format(const tl_window *w, char *buf, size_t cap)
{
    char tmp[16];
    int n =
        snprintf(tmp, sizeof tmp, "%02d:%02d-%02d:%02d", (int)(w->start_min / 60 % 100),
                 (int)(w->start_min % 60), (int)(w->end_min / 60 % 100), (int)(w->end_min % 60));
    if (n < 0 || (size_t)n >= cap) {
        if (cap > 0)
            buf[0] = '\0';
        return TL_ERANGE;
    }
    memcpy(buf, tmp, (size_t)n + 1);
    return n;
}

bool tl_window_contains(const tl_window *w, const tl_tz *tz, int64_t utc_ns)
{
    /* 128 bits: an offset added to an instant near the int64 limits must not wrap. */
    __int128 local = (__int128)utc_ns + (__int128)tl_tz_offset(tz, utc_ns) * TL_NS_PER_SEC;
    int64_t tod = (int64_t)(local % NS_PER_DAY);
    if (tod < 0)
        tod += NS_PER_DAY;
    int64_t start = w->start_min * NS_PER_MIN, end = w->end_min * NS_PER_MIN;
    if (w->start_min < w->end_min)
        return tod >= start && tod <= end;
    return tod >= start || tod <= end; /* across midnight */
}

int tl_window_parse(const char *s, size_t len, tl_window *out, tl_err *err)
{
    int rc = parse(s, len, out, err);
    if (rc != 0)
        tl__err_printable(err); /* the messages quote the text */
    return rc;
}
