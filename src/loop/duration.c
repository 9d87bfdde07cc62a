/*
 * duration.c -- "5m", "90s", "500ms", "1h30m" into nanoseconds (duration.h).
 */
#include <string.h>

#include "core/text.h"
#include "loop/duration.h"
#include "tradeloop/clock.h"

#define QUOTE_MAX 40

static const struct unit {
    const char *name;
    int64_t ns;
} units[] = {
    /* A unit counts only when the text or a digit follows it, so "ms" is never "m" + junk. */
    {"ns", 1},
    {"us", TL_NS_PER_US},
    {"ms", TL_NS_PER_MS},
    {"s", TL_NS_PER_SEC},
    {"m", 60 * TL_NS_PER_SEC},
    {"h", 3600 * TL_NS_PER_SEC},
};

static int parse(const char *s, size_t len, int64_t *out_ns, tl_err *err)
{
    if (s == NULL)
        return tl_err_set(err, TL_EINVAL, "duration: missing");
    if (len == (size_t)-1)
        len = strlen(s);
    int q = (int)(len < QUOTE_MAX ? len : QUOTE_MAX);
    if (len == 0)
        return tl_err_set(err, TL_EINVAL, "duration: empty (e.g. 500ms, 90s, 5m, 1h)");
    __int128 total = 0;
    size_t i = 0;
    while (i < len) {
        __int128 n = 0;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            n = n * 10 + (s[i] - '0');
            if (n > INT64_MAX)
                return tl_err_set(err, TL_ERANGE, "duration '%.*s': too long", q, s);
            i++;
        }
        if (i == start)
            return tl_err_set(err, TL_EINVAL,
                              "duration '%.*s': want <digits><unit> parts, units ns us ms s m h "
                              "(e.g. 500ms, 90s, 1h30m)",
                              q, s);
        const struct unit *u = NULL;
        for (size_t k = 0; k < sizeof units / sizeof units[0] && u == NULL; k++) {
            size_t ul = strlen(units[k].name);
            if (len - i >= ul && memcmp(s + i, units[k].name, ul) == 0 &&
                (len - i == ul || (s[i + ul] >= '0' && s[i + ul] <= '9')))
                u = &units[k];
        }
        if (u == NULL)
            return tl_err_set(
                err, TL_EINVAL, "duration '%.*s': %s after %.*s (units: ns us ms s m h)", q, s,
                i == len ? "unit missing" : "unknown unit", (int)(i - start), s + start);
        i += strlen(u->name);
        total += n * u->ns;
        if (total > INT64_MAX)
            return tl_err_set(err, TL_ERANGE, "duration '%.*s': too long (at most about 292 years)",
                              q, s);
    }
    *out_ns = (int64_t)total;
    return 0;
}

int tl_duration_parse(const char *s, size_t len, int64_t *out_ns, tl_err *err)
{
    int rc = parse(s, len, out_ns, err);
    if (rc != 0)
        tl__err_printable(err); /* the messages quote the text */
    return rc;
}
