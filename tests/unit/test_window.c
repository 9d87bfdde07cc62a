/* test_window.c -- the trading window (parse, its exact limits in a zone, across midnight and
 * DST) and the duration parser of --cooldown and its kind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "loop/duration.h"
#include "loop/window.h"
#include "tradeloop/clock.h"

static tl_window win(const char *s)
{
    tl_window w;
    tl_err err;
    if (tl_window_parse(s, (size_t)-1, &w, &err) != 0)
        fail_msg("'%s': %s", s, err.msg);
    return w;
}

static void win_bad(const char *s, const char *want)
{
    tl_window w = {7, 8};
    tl_err err;
    tl_err_clear(&err);
    if (tl_window_parse(s, (size_t)-1, &w, &err) != TL_EINVAL || strcmp(err.msg, want) != 0)
        fail_msg("'%s': '%s', want '%s'", s, err.msg, want);
    assert_int_equal(w.start_min, 7);
    assert_int_equal(w.end_min, 8);
}

static int64_t at(const char *iso)
{
    int64_t t;
    assert_int_equal(tl_time_parse_iso(iso, &t, NULL), 0);
    return t;
}

static void test_parse(void **state)
{
    (void)state;
    tl_window w = win(TL_WINDOW_DEFAULT);
    assert_int_equal(w.start_min, 570);
    assert_int_equal(w.end_min, 960);
    w = win("00:00-24:00");
    assert_int_equal(w.end_min, 1440);
    w = win("23:59-00:00");
    assert_int_equal(w.start_min, 1439);
    char buf[16];
    assert_int_equal(tl_window_format(&w, buf, sizeof buf), 11);
    assert_string_equal(buf, "23:59-00:00");
    assert_int_equal(tl_window_format(&w, buf, 11), TL_ERANGE);
    win_bad("9:30-16:00", "trading window '9:30-16:00': want HH:MM-HH:MM (e.g. 09:30-16:00)");
    win_bad("09:30-16:00 ", "trading window '09:30-16:00 ': want HH:MM-HH:MM (e.g. 09:30-16:00)");
    win_bad("09:30_16:00", "trading window '09:30_16:00': want HH:MM-HH:MM (e.g. 09:30-16:00)");
    win_bad("24:00-16:00", "trading window: start hour 24 out of range (00-23)");
    win_bad("09:60-16:00", "trading window: start minute 60 out of range (00-59)");
    win_bad("09:30-24:01", "trading window: end hour 24 out of range (00-23, or 24:00)");
    win_bad("09:30-16:60", "trading window: end minute 60 out of range (00-59)");
    win_bad("09:3a-16:00", "trading window: start '09:3a' is not HH:MM");
    win_bad("09:30-16.00", "trading window: end '16.00' is not HH:MM");
    win_bad("09:30-09:30",
            "trading window '09:30-09:30': start equals end (00:00-24:00 is all day)");
    win_bad("00:00-00:00",
            "trading window '00:00-00:00': start equals end (00:00-24:00 is all day)");
    tl_window w2;
    assert_int_equal(tl_window_parse("09:30-16:00\0x", 13, &w2, NULL), TL_EINVAL);
    assert_int_equal(tl_window_parse("09:30-16:00x", 11, &w2, NULL), 0); /* len counts */
}

/* The rule: exactly at a limit accepted, one unit (1 ns) past refused. */
static void test_limits_utc(void **state)
{
    (void)state;
    tl_tz utc;
    tl_tz_init_utc(&utc);
    tl_window w = win("09:30-16:00");
    assert_false(tl_window_contains(&w, &utc, at("2025-01-02T09:29:59.999999999Z")));
    assert_true(tl_window_contains(&w, &utc, at("2025-01-02T09:30:00Z")));
    assert_true(tl_window_contains(&w, &utc, at("2025-01-02T12:00:00Z")));
    assert_true(tl_window_contains(&w, &utc, at("2025-01-02T16:00:00Z")));
    assert_false(tl_window_contains(&w, &utc, at("2025-01-02T16:00:00.000000001Z")));
    /* Before 1970: the time of day is still a floor modulo. */
    assert_true(tl_window_contains(&w, &utc, at("1960-06-01T16:00:00Z")));
    assert_false(tl_window_contains(&w, &utc, at("1960-06-01T16:00:00.000000001Z")));
    assert_false(tl_window_contains(&w, &utc, INT64_MIN));
    assert_false(tl_window_contains(&w, &utc, INT64_MAX)); /* 23:47:16 */
    tl_window all = win("00:00-24:00");
    assert_true(tl_window_contains(&all, &utc, at("2025-01-02T00:00:00Z")));
    assert_true(tl_window_contains(&all, &utc, at("2025-01-02T23:59:59.999999999Z")));
}

static void test_across_midnight(void **state)
{
    (void)state;
    tl_tz utc;
    tl_tz_init_utc(&utc);
    tl_window w = win("22:00-02:00");
    assert_false(tl_window_contains(&w, &utc, at("2025-01-02T21:59:59.999999999Z")));
    assert_true(tl_window_contains(&w, &utc, at("2025-01-02T22:00:00Z")));
    assert_true(tl_window_contains(&w, &utc, at("2025-01-02T23:59:59.999999999Z")));
    assert_true(tl_window_contains(&w, &utc, at("2025-01-03T00:00:00Z")));
    assert_true(tl_window_contains(&w, &utc, at("2025-01-03T02:00:00Z")));
    assert_false(tl_window_contains(&w, &utc, at("2025-01-03T02:00:00.000000001Z")));
    assert_false(tl_window_contains(&w, &utc, at("2025-01-03T12:00:00Z")));
}

/* New York's 09:30-16:00 is 14:30-21:00 UTC in winter and 13:30-20:00 in summer. */
static void test_zone_and_dst(void **state)
{
    (void)state;
    tl_tz ny;
    tl_err err;
    if (tl_tz_load(&ny, "America/New_York", &err) != 0)
        fail_msg("%s", err.msg);
    tl_window w = win("09:30-16:00");
    assert_false(tl_window_contains(&w, &ny, at("2025-01-02T14:29:59.999999999Z")));
    assert_true(tl_window_contains(&w, &ny, at("2025-01-02T14:30:00Z")));
    assert_true(tl_window_contains(&w, &ny, at("2025-01-02T21:00:00Z")));
    assert_false(tl_window_contains(&w, &ny, at("2025-01-02T21:00:00.000000001Z")));
    assert_true(tl_window_contains(&w, &ny, at("2025-07-01T13:30:00Z")));
    assert_false(tl_window_contains(&w, &ny, at("2025-07-01T13:29:59.999999999Z")));
    assert_true(tl_window_contains(&w, &ny, at("2025-07-01T20:00:00Z")));
    assert_false(tl_window_contains(&w, &ny, at("2025-07-01T20:00:00.000000001Z")));
    /* The Monday after the spring change (2025-03-09): already summer hours. */
    assert_true(tl_window_contains(&w, &ny, at("2025-03-10T13:30:00Z")));
    assert_false(tl_window_contains(&w, &ny, at("2025-03-07T13:30:00Z")));
    tl_tz_close(&ny);
}

static int64_t dur(const char *s)
{
    int64_t v = -1;
    tl_err err;
    if (tl_duration_parse(s, (size_t)-1, &v, &err) != 0)
        fail_msg("'%s': %s", s, err.msg);
    return v;
}

static void dur_bad(const char *s, int code, const char *want)
{
    int64_t v = 42;
    tl_err err;
    tl_err_clear(&err);
    if (tl_duration_parse(s, (size_t)-1, &v, &err) != code || strcmp(err.msg, want) != 0)
        fail_msg("'%s': '%s', want '%s'", s, err.msg, want);
    assert_int_equal(v, 42);
}

static void test_duration(void **state)
{
    (void)state;
    assert_int_equal(dur("5m"), 300 * TL_NS_PER_SEC);
    assert_int_equal(dur("90s"), 90 * TL_NS_PER_SEC);
    assert_int_equal(dur("500ms"), 500 * TL_NS_PER_MS);
    assert_int_equal(dur("1h"), 3600 * TL_NS_PER_SEC);
    assert_int_equal(dur("1h30m"), 5400 * TL_NS_PER_SEC);
    assert_int_equal(dur("1m30s250ms"), 90250 * TL_NS_PER_MS);
    assert_int_equal(dur("7us"), 7000);
    assert_int_equal(dur("0s"), 0);
    assert_int_equal(dur("0005s"), 5 * TL_NS_PER_SEC);
    assert_int_equal(dur("9223372036854775807ns"), INT64_MAX);
    assert_int_equal(dur("2562047h47m16s854775807ns"), INT64_MAX);
    dur_bad("9223372036854775808ns", TL_ERANGE, "duration '9223372036854775808ns': too long");
    dur_bad("2562047h47m16s854775808ns", TL_ERANGE,
            "duration '2562047h47m16s854775808ns': too long (at most about 292 years)");
    dur_bad("2562048h", TL_ERANGE, "duration '2562048h': too long (at most about 292 years)");
    dur_bad("", TL_EINVAL, "duration: empty (e.g. 500ms, 90s, 5m, 1h)");
    dur_bad("5", TL_EINVAL, "duration '5': unit missing after 5 (units: ns us ms s m h)");
    dur_bad("5d", TL_EINVAL, "duration '5d': unknown unit after 5 (units: ns us ms s m h)");
    dur_bad("5mx", TL_EINVAL, "duration '5mx': unknown unit after 5 (units: ns us ms s m h)");
    dur_bad("1.5s", TL_EINVAL, "duration '1.5s': unknown unit after 1 (units: ns us ms s m h)");
    dur_bad("-5s", TL_EINVAL,
            "duration '-5s': want <digits><unit> parts, units ns us ms s m h (e.g. 500ms, 90s, "
            "1h30m)");
    dur_bad("5s ", TL_EINVAL, "duration '5s ': unknown unit after 5 (units: ns us ms s m h)");
    dur_bad("ms", TL_EINVAL,
            "duration 'ms': want <digits><unit> parts, units ns us ms s m h (e.g. 500ms, 90s, "
            "1h30m)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),           cmocka_unit_test(test_limits_utc),
        cmocka_unit_test(test_across_midnight), cmocka_unit_test(test_zone_and_dst),
        cmocka_unit_test(test_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
