/* test_clock.c -- real/frozen/sim clocks, strict ISO-8601 parsing and formatting. The freeze
 * variables are the configuration layer's: test_config.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tradeloop/clock.h"

#define SEC TL_NS_PER_SEC

static int64_t parse_ok(const char *s)
{
    int64_t t = 0;
    tl_err err;
    tl_err_clear(&err);
    if (tl_time_parse_iso(s, &t, &err) != 0)
        fail_msg("parse '%s': %s", s, err.msg);
    return t;
}

static void parse_bad(const char *s, int want)
{
    int64_t t = 777;
    tl_err err;
    tl_err_clear(&err);
    assert_int_equal(tl_time_parse_iso(s, &t, &err), want);
    assert_int_equal(t, 777);
    assert_int_equal(err.code, want);
    assert_non_null(strstr(err.msg, s)); /* the message quotes the input */
}

static void test_real(void **state)
{
    (void)state;
    tl_clock c;
    tl_clock_init_real(&c);
    assert_string_equal(c.ops->name, "real");
    assert_int_equal(c.ops->version, TL_CLOCK_OPS_VERSION);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t before = (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
    int64_t now = tl_clock_now(&c);
    assert_true(now >= before && now - before < 5 * SEC);
    assert_int_equal(tl_clock_advance(&c, 1), TL_EINVAL);
    assert_int_equal(tl_clock_set(&c, now + SEC), TL_EINVAL);
}

static void test_frozen(void **state)
{
    (void)state;
    tl_clock c;
    tl_clock_init_frozen(&c, 1735689600 * SEC);
    assert_string_equal(c.ops->name, "frozen");
    assert_int_equal(tl_clock_now(&c), 1735689600 * SEC);
    assert_int_equal(tl_clock_now(&c), 1735689600 * SEC);
    assert_int_equal(tl_clock_advance(&c, 1), TL_EINVAL);
    assert_int_equal(tl_clock_set(&c, 1735689601 * SEC), TL_EINVAL);
    assert_int_equal(tl_clock_now(&c), 1735689600 * SEC);
}

static void test_sim(void **state)
{
    (void)state;
    tl_clock c;
    tl_clock_init_sim(&c, 1000);
    assert_string_equal(c.ops->name, "sim");
    assert_int_equal(tl_clock_now(&c), 1000);
    assert_int_equal(tl_clock_advance(&c, 0), 0);
    assert_int_equal(tl_clock_advance(&c, 500), 0);
    assert_int_equal(tl_clock_now(&c), 1500);
    assert_int_equal(tl_clock_advance(&c, -1), TL_EINVAL);
    assert_int_equal(tl_clock_set(&c, 1499), TL_EINVAL); /* backwards */
    assert_int_equal(tl_clock_now(&c), 1500);
    assert_int_equal(tl_clock_set(&c, 1500), 0); /* same instant is fine */
    assert_int_equal(tl_clock_set(&c, 9000), 0);
    assert_int_equal(tl_clock_now(&c), 9000);
    /* No wrap past the end of time. */
    assert_int_equal(tl_clock_set(&c, INT64_MAX - 1), 0);
    assert_int_equal(tl_clock_advance(&c, 2), TL_ERANGE);
    assert_int_equal(tl_clock_now(&c), INT64_MAX - 1);
    assert_int_equal(tl_clock_advance(&c, 1), 0);
    assert_int_equal(tl_clock_now(&c), INT64_MAX);
}

static void test_parse_valid(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2025-01-01T00:00:00Z"), 1735689600 * SEC);
    assert_int_equal(parse_ok("2025-01-01T00:00:00+00:00"), 1735689600 * SEC);
    assert_int_equal(parse_ok("2025-01-01T00:00:00.250Z"), 1735689600 * SEC + 250000000);
    assert_int_equal(parse_ok("2025-01-01T00:00:00.5+00:00"), 1735689600 * SEC + 500000000);
    assert_int_equal(parse_ok("2025-01-01T00:00:00.000000001Z"), 1735689600 * SEC + 1);
    assert_int_equal(parse_ok("2024-02-29T12:34:56Z"), 1709210096 * SEC); /* leap year */
    assert_int_equal(parse_ok("2000-02-29T23:59:59Z"), 951868799 * SEC);  /* 400-year leap */
    assert_int_equal(parse_ok("1900-03-01T00:00:00Z"), -2203891200LL * SEC);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.999999999Z"), -1);
    assert_int_equal(parse_ok("2025-12-31T23:59:59Z"), (1735689600LL + 365 * 86400 - 1) * SEC);
    /* The ends of int64 nanoseconds. */
    assert_int_equal(parse_ok("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
    assert_int_equal(parse_ok("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *malformed[] = {
        "",
        "2025-01-01",
        "2025-01-01T00:00:00",  /* missing Z */
        "2025-01-01T00:00:00z", /* lowercase */
        "2025-01-01t00:00:00Z",
        "2025-01-01 00:00:00Z",
        "2025-01-01T00:00:00ZZ", /* trailing garbage */
        "2025-01-01T00:00:00Z ",
        " 2025-01-01T00:00:00Z",
        "2025-01-01T00:00:00+01:00", /* UTC only */
        "2025-01-01T00:00:00-00:00",
        "2025-01-01T00:00:00+00",
        "2025-01-01T00:00:00.Z",           /* empty fraction */
        "2025-01-01T00:00:00.1234567890Z", /* 10 digits */
        "2025-1-01T00:00:00Z",
        "25-01-01T00:00:00Z",
        "+2025-01-01T00:00:00Z",
        "2025-01-01T0:00:00Z",
        "2025-01-01T00:00Z",
        "2025/01/01T00:00:00Z",
        "2025-01-01T00:00:0aZ",
    };
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        parse_bad(malformed[i], TL_EINVAL);
    static const char *bad_calendar[] = {
        "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z", "2025-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-01-00T00:00:00Z", "2025-01-32T00:00:00Z", "2025-01-01T24:00:00Z",
        "2025-01-01T00:60:00Z", "2025-01-01T00:00:60Z",
    };
    for (size_t i = 0; i < sizeof bad_calendar / sizeof bad_calendar[0]; i++)
        parse_bad(bad_calendar[i], TL_EINVAL);
    /* Valid calendar, but not representable in int64 nanoseconds. */
    parse_bad("2262-04-11T23:47:16.854775808Z", TL_ERANGE);
    parse_bad("1677-09-21T00:12:43.145224191Z", TL_ERANGE);
    parse_bad("9999-12-31T23:59:59Z", TL_ERANGE);
    parse_bad("0000-01-01T00:00:00Z", TL_ERANGE);

    tl_err err;
    tl_time_parse_iso("2025-02-29T00:00:00Z", &(int64_t){0}, &err);
    assert_non_null(strstr(err.msg, "day 29"));
    int64_t t = 5;
    assert_int_equal(tl_time_parse_iso(NULL, &t, NULL), TL_EINVAL);
    assert_int_equal(tl_time_parse_iso("nope", &t, NULL), TL_EINVAL);
    assert_int_equal(t, 5);
}

static void fmt_is(int64_t t, const char *want)
{
    char buf[40];
    int n = tl_time_format_iso(t, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

static void test_format(void **state)
{
    (void)state;
    fmt_is(0, "1970-01-01T00:00:00Z");
    fmt_is(1735689600 * SEC, "2025-01-01T00:00:00Z");
    fmt_is(1735689600 * SEC + 250000000, "2025-01-01T00:00:00.250000000Z");
    fmt_is(1709210096 * SEC, "2024-02-29T12:34:56Z");
    fmt_is(-1, "1969-12-31T23:59:59.999999999Z");
    fmt_is(-SEC, "1969-12-31T23:59:59Z");
    fmt_is(-2203891200LL * SEC, "1900-03-01T00:00:00Z");
    fmt_is(INT64_MAX, "2262-04-11T23:47:16.854775807Z");
    fmt_is(INT64_MIN, "1677-09-21T00:12:43.145224192Z");

    /* cap: 30 bytes with NUL for the long form, 21 for the short one. */
    char buf[32];
    assert_int_equal(tl_time_format_iso(1, buf, 31), 30);
    assert_int_equal(tl_time_format_iso(1, buf, 30), TL_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tl_time_format_iso(0, buf, 21), 20);
    assert_int_equal(tl_time_format_iso(0, buf, 20), TL_ERANGE);
    assert_int_equal(tl_time_format_iso(0, buf, 0), TL_ERANGE);
}

/* Format then parse gives the instant back, day by day from 1680 to 2260 (1700/1800/1900/2100 are
 * not leap years, 2000 is). */
static void test_round_trip(void **state)
{
    (void)state;
    char buf[40];
    for (int64_t day = -106000; day <= 106000; day += 1) {
        /* Vary the time of day and the fraction too (zero fraction every 1000th day). */
        int64_t hour = (day % 24 + 24) % 24, frac = (day % 1000 + 1000) % 1000 * 1000;
        int64_t t = day * 86400 * SEC + hour * 3600 * SEC + frac;
        assert_true(tl_time_format_iso(t, buf, sizeof buf) > 0);
        int64_t back = 0;
        assert_int_equal(tl_time_parse_iso(buf, &back, NULL), 0);
        assert_int_equal(back, t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real),          cmocka_unit_test(test_frozen),
        cmocka_unit_test(test_sim),           cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid), cmocka_unit_test(test_format),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
