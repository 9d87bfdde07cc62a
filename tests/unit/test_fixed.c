/* test_fixed.c -- fixed-point parsing, formatting, arithmetic and its one rounding rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tradeloop/fixed.h"

#define NTS ((size_t)-1)

static tl_fixed parse_ok(const char *s)
{
    tl_fixed v = 0;
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_fixed_parse(s, NTS, &v, &err);
    if (rc != 0)
        fail_msg("parse '%s' failed: %s", s, err.msg);
    return v;
}

/* Checks the code, that *out is untouched, and that the message quotes the input. */
static void parse_bad(const char *s, int want)
{
    tl_fixed v = 12345;
    tl_err err;
    tl_err_clear(&err);
    assert_int_equal(tl_fixed_parse(s, NTS, &v, &err), want);
    assert_int_equal(v, 12345);
    assert_int_equal(err.code, want);
    char quoted[128];
    snprintf(quoted, sizeof quoted, "'%s'", s);
    assert_non_null(strstr(err.msg, quoted));
}

static void test_parse_valid(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("0.001"), 100000);
    assert_int_equal(parse_ok("42000.00"), TL_FIXED_INT(42000));
    assert_int_equal(parse_ok("-1.5"), -150000000);
    assert_int_equal(parse_ok("150075.00000000"), TL_FIXED_INT(150075));
    assert_int_equal(parse_ok("+7"), TL_FIXED_INT(7));
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("-0"), 0);
    assert_int_equal(parse_ok("-0.00000000"), 0);
    assert_int_equal(parse_ok("0.00000001"), 1);
    assert_int_equal(parse_ok("-0.00000001"), -1);
    assert_int_equal(parse_ok("007.50"), 750000000);
    assert_int_equal(parse_ok("92233720368.54775807"), TL_FIXED_MAX);
    assert_int_equal(parse_ok("-92233720368.54775807"), TL_FIXED_MIN);
    assert_int_equal(parse_ok("92233720368"), TL_FIXED_INT(92233720368));
    /* Leading zeros do not count towards the range. */
    assert_int_equal(parse_ok("0000000000000000000001.5"), 150000000);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *bad[] = {"",    "-",   "+",     ".",   "1.",   ".5",  "1e3",  " 1", "1 ",
                                "--1", "+-1", "1.2.3", "1,5", "0x10", "abc", "1.-5", "-.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_bad(bad[i], TL_EINVAL);
    tl_fixed v = 7;
    tl_err err;
    assert_int_equal(tl_fixed_parse("\t1", NTS, &v, &err), TL_EINVAL);
    assert_null(strchr(err.msg, '\t')); /* control bytes never reach the one-line message */
    assert_int_equal(tl_fixed_parse(NULL, NTS, &v, NULL), TL_EINVAL);
    assert_int_equal(v, 7);
}

static void test_parse_precision_and_range(void **state)
{
    (void)state;
    parse_bad("0.000000001", TL_EPRECISION);
    parse_bad("1.123456789", TL_EPRECISION);
    parse_bad("1.000000000", TL_EPRECISION); /* exact in value, but not in the grammar */
    parse_bad("92233720368.54775808", TL_ERANGE);
    parse_bad("-92233720368.54775808", TL_ERANGE); /* TL_FIXED_MIN is -INT64_MAX */
    parse_bad("92233720369", TL_ERANGE);
    parse_bad("99999999999999999999999999", TL_ERANGE);
    /* Grammar beats range: a malformed huge number is malformed. */
    parse_bad("99999999999999999999999999x", TL_EINVAL);
    /* err may be NULL. */
    tl_fixed v = 3;
    assert_int_equal(tl_fixed_parse("1.5x", NTS, &v, NULL), TL_EINVAL);
    assert_int_equal(v, 3);
}

static void test_parse_len(void **state)
{
    (void)state;
    tl_fixed v = 0;
    /* Not NUL-terminated: only the first len bytes count. */
    const char buf[] = {'1', '2', '.', '5', '0', '9'};
    assert_int_equal(tl_fixed_parse(buf, 4, &v, NULL), 0);
    assert_int_equal(v, 1250000000);
    assert_int_equal(tl_fixed_parse(buf, 2, &v, NULL), 0);
    assert_int_equal(v, TL_FIXED_INT(12));
    assert_int_equal(tl_fixed_parse(buf, 3, &v, NULL), TL_EINVAL); /* "12." */
    assert_int_equal(tl_fixed_parse(buf, 0, &v, NULL), TL_EINVAL);
    /* A slice of a larger string, e.g. a CSV field. */
    const char *csv = "3.25,4.75";
    assert_int_equal(tl_fixed_parse(csv + 5, 4, &v, NULL), 0);
    assert_int_equal(v, 475000000);
    assert_int_equal(tl_fixed_parse(csv, 5, &v, NULL), TL_EINVAL); /* "3.25," */
    /* An embedded NUL within len is garbage, not an end. */
    assert_int_equal(tl_fixed_parse("1\0002", 3, &v, NULL), TL_EINVAL);
    /* The error message quotes only the slice. */
    tl_err err;
    assert_int_equal(tl_fixed_parse("1x,rest", 2, &v, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "'1x'"));
}

static void fmt_is(tl_fixed v, const char *want)
{
    char buf[TL_FIXED_STRLEN];
    int n = tl_fixed_format(v, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

static void test_format(void **state)
{
    (void)state;
    fmt_is(TL_FIXED_INT(42000), "42000");
    fmt_is(100000, "0.001");
    fmt_is(-150000000, "-1.5");
    fmt_is(0, "0");
    fmt_is(1, "0.00000001");
    fmt_is(-1, "-0.00000001");
    fmt_is(TL_FIXED_MAX, "92233720368.54775807");
    fmt_is(TL_FIXED_MIN, "-92233720368.54775807");
    fmt_is(1000000000, "10");
    fmt_is(1010000000, "10.1");

    /* cap: exactly enough, one short (buf emptied), zero. */
    char buf[8];
    assert_int_equal(tl_fixed_format(-150000000, buf, 5), 4);
    assert_string_equal(buf, "-1.5");
    memcpy(buf, "xxxxxxx", 8);
    assert_int_equal(tl_fixed_format(-150000000, buf, 4), TL_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tl_fixed_format(1, buf, 0), TL_ERANGE);
    /* INT64_MIN is outside the range but must still format without undefined behaviour. */
    char big[TL_FIXED_STRLEN];
    assert_int_equal(tl_fixed_format(INT64_MIN, big, sizeof big), 21);
    assert_string_equal(big, "-92233720368.54775808");
}

static void dp_is(tl_fixed v, int dp, const char *want)
{
    char buf[TL_FIXED_STRLEN];
    int n = tl_fixed_format_dp(v, dp, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

static void test_format_dp(void **state)
{
    (void)state;
    dp_is(TL_FIXED_INT(150075), 8, "150075.00000000");
    dp_is(TL_FIXED_INT(150075), 0, "150075");
    dp_is(-150000000, 2, "-1.50");
    dp_is(125000000, 1, "1.3");   /* 1.25 -> 1.3: half away from zero */
    dp_is(-125000000, 1, "-1.3"); /* -1.25 -> -1.3 */
    dp_is(124999999, 1, "1.2");
    dp_is(50000000, 0, "1"); /* 0.5 -> 1 */
    dp_is(-50000000, 0, "-1");
    dp_is(49999999, 0, "0");
    dp_is(-49999999, 0, "0");  /* never "-0" */
    dp_is(-4, 7, "0.0000000"); /* -0.00000004 -> -0.0000000 -> "0.0000000" */
    dp_is(-5, 7, "-0.0000001");
    dp_is(99999999, 2, "1.00"); /* carry into the integer part */
    dp_is(TL_FIXED_MAX, 0, "92233720369");
    dp_is(TL_FIXED_MIN, 2, "-92233720368.55");
    dp_is(0, 3, "0.000");
    char buf[TL_FIXED_STRLEN] = "x";
    assert_int_equal(tl_fixed_format_dp(1, 9, buf, sizeof buf), TL_EINVAL);
    assert_int_equal(tl_fixed_format_dp(1, -1, buf, sizeof buf), TL_EINVAL);
    assert_int_equal(tl_fixed_format_dp(TL_FIXED_INT(1), 2, buf, 4), TL_ERANGE);
    assert_string_equal(buf, "");
}

static void grouped_is(tl_fixed v, int dp, const char *want)
{
    char buf[TL_FIXED_GROUPED_STRLEN];
    int n = tl_fixed_format_grouped(v, dp, buf, sizeof buf);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

/* Groups of three in the integer part only, after the rounding of format_dp. */
static void test_format_grouped(void **state)
{
    (void)state;
    grouped_is(TL_FIXED_INT(150075), 8, "150,075.00000000");
    grouped_is(TL_FIXED_INT(100050), 4, "100,050.0000");
    grouped_is(150000000, 8, "1.50000000");
    grouped_is(TL_FIXED_INT(999), 0, "999");
    grouped_is(TL_FIXED_INT(1000), 0, "1,000");
    grouped_is(99999999950000000, 0, "1,000,000,000"); /* 999,999,999.5 rounds up */
    grouped_is(-TL_FIXED_INT(1234567), 2, "-1,234,567.00");
    grouped_is(TL_FIXED_MIN, 8, "-92,233,720,368.54775807");
    grouped_is(-1, 2, "0.00");
    char buf[TL_FIXED_GROUPED_STRLEN] = "x";
    assert_int_equal(tl_fixed_format_grouped(TL_FIXED_INT(1000), 0, buf, 5), TL_ERANGE);
    assert_string_equal(buf, "");
    assert_int_equal(tl_fixed_format_grouped(1, 9, buf, sizeof buf), TL_EINVAL);
}

static void test_round_trip(void **state)
{
    (void)state;
    static const tl_fixed vals[] = {0,
                                    1,
                                    -1,
                                    7,
                                    100000,
                                    -150000000,
                                    TL_FIXED_MAX,
                                    TL_FIXED_MIN,
                                    123456789,
                                    -987654321012LL,
                                    TL_FIXED_INT(42000),
                                    10};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        char buf[TL_FIXED_STRLEN];
        tl_fixed back = 0;
        assert_true(tl_fixed_format(vals[i], buf, sizeof buf) > 0);
        assert_int_equal(tl_fixed_parse(buf, NTS, &back, NULL), 0);
        assert_int_equal(back, vals[i]);
        assert_true(tl_fixed_format_dp(vals[i], 8, buf, sizeof buf) > 0);
        assert_int_equal(tl_fixed_parse(buf, NTS, &back, NULL), 0);
        assert_int_equal(back, vals[i]);
    }
    /* A pseudo-random sweep across the range. */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 5000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        tl_fixed v = (tl_fixed)(x >> (i % 63 + 1)) * ((i & 1) ? -1 : 1);
        char buf[TL_FIXED_STRLEN];
        tl_fixed back = 0;
        assert_true(tl_fixed_format(v, buf, sizeof buf) > 0);
        assert_int_equal(tl_fixed_parse(buf, NTS, &back, NULL), 0);
        assert_int_equal(back, v);
    }
}

static void test_add_sub(void **state)
{
    (void)state;
    tl_fixed r = 99;
    assert_int_equal(tl_fixed_add(TL_FIXED_INT(1), 50000000, &r), 0);
    assert_int_equal(r, 150000000);
    assert_int_equal(tl_fixed_sub(TL_FIXED_INT(1), TL_FIXED_INT(3), &r), 0);
    assert_int_equal(r, TL_FIXED_INT(-2));
    assert_int_equal(tl_fixed_add(TL_FIXED_MAX - 1, 1, &r), 0);
    assert_int_equal(r, TL_FIXED_MAX);
    assert_int_equal(tl_fixed_sub(TL_FIXED_MIN + 1, 1, &r), 0);
    assert_int_equal(r, TL_FIXED_MIN);

    r = 99;
    assert_int_equal(tl_fixed_add(TL_FIXED_MAX, 1, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_add(TL_FIXED_MIN, -1, &r), TL_ERANGE); /* would be INT64_MIN */
    assert_int_equal(tl_fixed_add(TL_FIXED_MAX, TL_FIXED_MAX, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_sub(TL_FIXED_MIN, 1, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_sub(TL_FIXED_MAX, -1, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_sub(TL_FIXED_MIN, TL_FIXED_MAX, &r), TL_ERANGE);
    assert_int_equal(r, 99);
}

static tl_fixed P(const char *s)
{
    return parse_ok(s);
}

static void test_mul(void **state)
{
    (void)state;
    tl_fixed r = 0;
    assert_int_equal(tl_fixed_mul(P("1.5"), P("2"), &r), 0);
    assert_int_equal(r, P("3"));
    assert_int_equal(tl_fixed_mul(P("-1.5"), P("2.5"), &r), 0);
    assert_int_equal(r, P("-3.75"));
    assert_int_equal(tl_fixed_mul(P("42000"), P("0.001"), &r), 0);
    assert_int_equal(r, P("42"));
    /* Rounding boundaries: 0.000000005 is exactly half a unit. */
    assert_int_equal(tl_fixed_mul(1, P("0.5"), &r), 0);
    assert_int_equal(r, 1);
    assert_int_equal(tl_fixed_mul(-1, P("0.5"), &r), 0);
    assert_int_equal(r, -1);
    assert_int_equal(tl_fixed_mul(1, P("-0.5"), &r), 0);
    assert_int_equal(r, -1);
    assert_int_equal(tl_fixed_mul(1, P("0.49999999"), &r), 0);
    assert_int_equal(r, 0);
    assert_int_equal(tl_fixed_mul(-1, P("0.49999999"), &r), 0);
    assert_int_equal(r, 0);
    assert_int_equal(tl_fixed_mul(3, P("0.5"), &r), 0); /* 0.000000015 -> 0.00000002 */
    assert_int_equal(r, 2);
    /* Exact at the top of the range. */
    assert_int_equal(tl_fixed_mul(TL_FIXED_MAX, P("1"), &r), 0);
    assert_int_equal(r, TL_FIXED_MAX);
    assert_int_equal(tl_fixed_mul(TL_FIXED_MAX, P("-1"), &r), 0);
    assert_int_equal(r, TL_FIXED_MIN);
    /* Products at the edge of 64 bits take either path with the same rounding: -2^63 exactly
     * (still 64 bits) is -92233720368.54775808 -> -92233720368.54775809 raw units rounded. */
    assert_int_equal(tl_fixed_mul(-((tl_fixed)1 << 32), (tl_fixed)1 << 31, &r), 0);
    assert_int_equal(r, -92233720369LL);
    assert_int_equal(tl_fixed_mul((tl_fixed)1 << 32, (tl_fixed)1 << 31, &r), 0); /* 2^63: wide */
    assert_int_equal(r, 92233720369LL);
    assert_int_equal(tl_fixed_mul(P("3037000499.97604969"), P("3.0370005"), &r), 0);
    assert_int_equal(r, P("9223372036.9275129")); /* raw product past 2^63: the wide path */
    /* Overflow. */
    r = 5;
    assert_int_equal(tl_fixed_mul(TL_FIXED_MAX, P("1.00000001"), &r), TL_ERANGE);
    assert_int_equal(tl_fixed_mul(P("100000"), P("1000000"), &r), TL_ERANGE);
    assert_int_equal(tl_fixed_mul(P("-100000"), P("1000000"), &r), TL_ERANGE);
    assert_int_equal(tl_fixed_mul(TL_FIXED_MIN, TL_FIXED_MIN, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_mul(INT64_MIN, INT64_MIN, &r), TL_ERANGE); /* no UB either */
    assert_int_equal(r, 5);
}

/* The rounding of a 64-bit raw product, as tl_fixed_from_ratio128(p, TL_FIXED_SCALE) does it. */
static void test_round_scaled(void **state)
{
    (void)state;
    const int64_t near_max = INT64_MAX - 50000000;
    const int64_t cases[] = {
        0,         1,         49999999,  50000000, 50000001,     99999999,  150000000,
        249999999, 250000000, INT64_MAX, near_max, near_max + 1, INT64_MIN, INT64_MIN + 1};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int neg = 0; neg < 2; neg++) {
            int64_t p = cases[i];
            if (neg && p != INT64_MIN)
                p = -p;
            tl_fixed want = 0;
            assert_int_equal(tl_fixed_from_ratio128(p, TL_FIXED_SCALE, &want), 0);
            assert_int_equal(tl_fixed_round_scaled(p), want);
        }
    }
    assert_int_equal(tl_fixed_round_scaled(50000000), 1); /* half a unit: away from zero */
    assert_int_equal(tl_fixed_round_scaled(-50000000), -1);
    assert_int_equal(tl_fixed_round_scaled(49999999), 0);
    assert_int_equal(tl_fixed_round_scaled(INT64_MIN), -92233720369LL);
}

static void test_div(void **state)
{
    (void)state;
    tl_fixed r = 0;
    assert_int_equal(tl_fixed_div(P("1"), P("3"), &r), 0);
    assert_int_equal(r, P("0.33333333"));
    assert_int_equal(tl_fixed_div(P("2"), P("3"), &r), 0);
    assert_int_equal(r, P("0.66666667"));
    assert_int_equal(tl_fixed_div(P("-2"), P("3"), &r), 0);
    assert_int_equal(r, P("-0.66666667"));
    assert_int_equal(tl_fixed_div(P("2"), P("-3"), &r), 0);
    assert_int_equal(r, P("-0.66666667"));
    assert_int_equal(tl_fixed_div(P("-2"), P("-3"), &r), 0);
    assert_int_equal(r, P("0.66666667"));
    assert_int_equal(tl_fixed_div(1, P("2"), &r), 0); /* 0.000000005 -> 0.00000001 */
    assert_int_equal(r, 1);
    assert_int_equal(tl_fixed_div(-1, P("2"), &r), 0);
    assert_int_equal(r, -1);
    assert_int_equal(tl_fixed_div(1, P("2.00000001"), &r), 0); /* just under half */
    assert_int_equal(r, 0);
    assert_int_equal(tl_fixed_div(P("150075"), P("0.001"), &r), 0);
    assert_int_equal(r, P("150075000"));
    /* Errors: division by zero, overflow. */
    r = 5;
    assert_int_equal(tl_fixed_div(P("1"), 0, &r), TL_EINVAL);
    assert_int_equal(tl_fixed_div(TL_FIXED_MAX, P("0.5"), &r), TL_ERANGE);
    assert_int_equal(tl_fixed_div(P("1000"), 1, &r), TL_ERANGE); /* 1000 / 1e-8 = 1e11 */
    assert_int_equal(tl_fixed_div(P("-1000"), 1, &r), TL_ERANGE);
    assert_int_equal(r, 5);
    assert_int_equal(tl_fixed_div(P("92233720368"), P("1"), &r), 0);
    assert_int_equal(r, P("92233720368"));
}

static void test_muldiv(void **state)
{
    (void)state;
    tl_fixed r = 0;
    /* (max * 2) / 2: the intermediate would overflow 64 bits; 128 bits keep it exact. */
    assert_int_equal(tl_fixed_muldiv(TL_FIXED_MAX, P("2"), P("2"), &r), 0);
    assert_int_equal(r, TL_FIXED_MAX);
    /* 1 * 2 / 3 with one rounding (two roundings would differ for some inputs). */
    assert_int_equal(tl_fixed_muldiv(P("1"), P("2"), P("3"), &r), 0);
    assert_int_equal(r, P("0.66666667"));
    /* Single rounding: 0.00000001 * 0.00000001 / 0.00000002 = 0.000000005 -> 0.00000001,
     * whereas mul then div would give 0 / 2 = 0. */
    assert_int_equal(tl_fixed_muldiv(1, 1, 2, &r), 0);
    assert_int_equal(r, 1);
    assert_int_equal(tl_fixed_muldiv(P("0.00000003"), P("0.5"), P("0.00000002"), &r), 0);
    assert_int_equal(r, P("0.75"));
    assert_int_equal(tl_fixed_muldiv(P("-1"), P("1"), P("-8"), &r), 0);
    assert_int_equal(r, P("0.125"));
    r = 5;
    assert_int_equal(tl_fixed_muldiv(P("1"), P("1"), 0, &r), TL_EINVAL);
    assert_int_equal(tl_fixed_muldiv(TL_FIXED_MAX, TL_FIXED_MAX, P("1"), &r), TL_ERANGE);
    assert_int_equal(tl_fixed_muldiv(TL_FIXED_MAX, P("2"), P("1"), &r), TL_ERANGE);
    assert_int_equal(tl_fixed_muldiv(TL_FIXED_MIN, P("2"), P("1"), &r), TL_ERANGE);
    assert_int_equal(r, 5);
}

static void test_from_ratio128(void **state)
{
    (void)state;
    tl_fixed r = 0;
    assert_int_equal(tl_fixed_from_ratio128(5, 10, &r), 0); /* 0.5 -> 1 */
    assert_int_equal(r, 1);
    assert_int_equal(tl_fixed_from_ratio128(-5, 10, &r), 0);
    assert_int_equal(r, -1);
    assert_int_equal(tl_fixed_from_ratio128(5, -10, &r), 0);
    assert_int_equal(r, -1);
    assert_int_equal(tl_fixed_from_ratio128(-5, -10, &r), 0);
    assert_int_equal(r, 1);
    assert_int_equal(tl_fixed_from_ratio128(4, 10, &r), 0);
    assert_int_equal(r, 0);
    assert_int_equal(tl_fixed_from_ratio128(-4, 10, &r), 0);
    assert_int_equal(r, 0);
    assert_int_equal(tl_fixed_from_ratio128(15, 10, &r), 0);
    assert_int_equal(r, 2);
    assert_int_equal(tl_fixed_from_ratio128(7, 3, &r), 0); /* 2.33 -> 2 */
    assert_int_equal(r, 2);
    assert_int_equal(tl_fixed_from_ratio128(8, 3, &r), 0); /* 2.67 -> 3 */
    assert_int_equal(r, 3);
    /* Odd huge denominator: the 2r >= den test must not overflow. */
    __int128 big = ((__int128)1 << 126) + 1;
    assert_int_equal(tl_fixed_from_ratio128(big / 2 + 1, big, &r), 0);
    assert_int_equal(r, 1);
    assert_int_equal(tl_fixed_from_ratio128(big / 2, big, &r), 0);
    assert_int_equal(r, 0);
    /* Range ends; INT128_MIN numerator must not trap. */
    assert_int_equal(tl_fixed_from_ratio128(TL_FIXED_MAX, 1, &r), 0);
    assert_int_equal(r, TL_FIXED_MAX);
    assert_int_equal(tl_fixed_from_ratio128(-(__int128)TL_FIXED_MAX, 1, &r), 0);
    assert_int_equal(r, TL_FIXED_MIN);
    r = 5;
    assert_int_equal(tl_fixed_from_ratio128((__int128)TL_FIXED_MAX + 1, 1, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_from_ratio128(-(__int128)TL_FIXED_MAX - 1, 1, &r), TL_ERANGE);
    /* TL_FIXED_MAX + 0.5 rounds up past the range. */
    assert_int_equal(tl_fixed_from_ratio128((__int128)TL_FIXED_MAX * 2 + 1, 2, &r), TL_ERANGE);
    __int128 i128_min = -(__int128)(((unsigned __int128)1 << 127) - 1) - 1;
    assert_int_equal(tl_fixed_from_ratio128(i128_min, 1, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_from_ratio128(1, 0, &r), TL_EINVAL);
    assert_int_equal(r, 5);
    assert_int_equal(tl_fixed_from_ratio128(i128_min, i128_min, &r), 0);
    assert_int_equal(r, 1);
}

static void test_from_int(void **state)
{
    (void)state;
    tl_fixed r = 0;
    assert_int_equal(tl_fixed_from_int(42, &r), 0);
    assert_int_equal(r, TL_FIXED_INT(42));
    assert_int_equal(tl_fixed_from_int(-92233720368LL, &r), 0);
    assert_int_equal(r, TL_FIXED_INT(-92233720368LL));
    r = 5;
    assert_int_equal(tl_fixed_from_int(92233720369LL, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_from_int(-92233720369LL, &r), TL_ERANGE);
    assert_int_equal(tl_fixed_from_int(INT64_MIN, &r), TL_ERANGE);
    assert_int_equal(r, 5);
}

static void test_helpers(void **state)
{
    (void)state;
    assert_true(tl_fixed_is_multiple(P("1.5"), P("0.5")));
    assert_false(tl_fixed_is_multiple(P("1.5"), P("0.4")));
    assert_false(tl_fixed_is_multiple(P("1.5"), 0));
    assert_int_equal(tl_fixed_abs(TL_FIXED_MIN), TL_FIXED_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_precision_and_range),
        cmocka_unit_test(test_parse_len),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_dp),
        cmocka_unit_test(test_format_grouped),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_add_sub),
        cmocka_unit_test(test_mul),
        cmocka_unit_test(test_round_scaled),
        cmocka_unit_test(test_div),
        cmocka_unit_test(test_muldiv),
        cmocka_unit_test(test_from_ratio128),
        cmocka_unit_test(test_from_int),
        cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
