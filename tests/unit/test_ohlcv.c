/* test_ohlcv.c -- the OHLCV CSV loader: the shipped files, every refusal's whole message (place
 * and reason) with the caller's series left empty, line ends, and a million-bar buffer.
 *
 * Run by hand with `--bench N` (release build: build/test_ohlcv --bench 10000000) it prints
 * tl_ohlcv_parse's speed over N synthetic lines as one JSON line instead (docs/PERFORMANCE.md). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "data/ohlcv.h"
#include "tradeloop/clock.h"

#define F(x)   ((tl_fixed)(x))
#define HDR    TL_OHLCV_HEADER "\n"
#define DATA   TL_SOURCE_DIR "/data/"
#define T2000  946684800LL /* 2000-01-01T00:00:00Z */
#define DAY_NS (86400LL * TL_NS_PER_SEC)

static const tl_bars empty_bars = {0};

static tl_bars parse_ok_n(const char *buf, size_t len)
{
    tl_bars b = {0};
    tl_err err;
    tl_err_clear(&err);
    if (tl_ohlcv_parse(buf, len, "t.csv", &b, &err) != 0)
        fail_msg("refused: %s", err.msg);
    return b;
}

static tl_bars parse_ok(const char *csv)
{
    return parse_ok_n(csv, strlen(csv));
}

/* buf[0..len) must be refused with code and exactly the message want; the series stays empty. */
static void refused_n(const char *buf, size_t len, int code, const char *want)
{
    tl_bars b = {0};
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_ohlcv_parse(buf, len, "t.csv", &b, &err);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("rc %d '%s'\n  want %d '%s'", rc, err.msg, code, want);
    assert_memory_equal(&b, &empty_bars, sizeof b);
}

static void refused(const char *csv, int code, const char *want)
{
    refused_n(csv, strlen(csv), code, want);
}

static void test_msft(void **state)
{
    (void)state;
    tl_bars b = {0};
    tl_err err;
    if (tl_ohlcv_load(DATA "msft_daily.csv", &b, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(b.n, 249);
    /* 2000-09-27T00:00:00Z,63.4375,63.5625,59.8125,60.625,53077800 */
    assert_int_equal(b.v[0].ts_ns, 970012800LL * TL_NS_PER_SEC);
    assert_int_equal(b.v[0].open, F(6343750000));
    assert_int_equal(b.v[0].high, F(6356250000));
    assert_int_equal(b.v[0].low, F(5981250000));
    assert_int_equal(b.v[0].close, F(6062500000));
    assert_int_equal(b.v[0].volume, TL_FIXED_INT(53077800));
    /* 2001-09-27T00:00:00Z,50.1,50.68,48,49.96,40595600 */
    const tl_bar *l = &b.v[248];
    assert_int_equal(l->ts_ns, 1001548800LL * TL_NS_PER_SEC);
    assert_int_equal(l->open, F(5010000000));
    assert_int_equal(l->high, F(5068000000));
    assert_int_equal(l->low, TL_FIXED_INT(48));
    assert_int_equal(l->close, F(4996000000));
    assert_int_equal(l->volume, TL_FIXED_INT(40595600));
    tl_bars_free(&b);
    assert_memory_equal(&b, &empty_bars, sizeof b);
    tl_bars_free(&b); /* twice is harmless, and NULL too */
    tl_bars_free(NULL);
}

static void test_eustock(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        tl_fixed first, last;
    } f[] = {
        {DATA "eustock_dax_daily.csv", F(162875000000), F(547372000000)},
        {DATA "eustock_smi_daily.csv", F(167810000000), F(767630000000)},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        tl_bars b = {0};
        tl_err err;
        if (tl_ohlcv_load(f[i].path, &b, &err) != 0)
            fail_msg("%s", err.msg);
        assert_int_equal(b.n, 1860);
        assert_int_equal(b.v[0].ts_ns, 678326400LL * TL_NS_PER_SEC); /* 1991-07-01 */
        assert_int_equal(b.v[0].close, f[i].first);
        assert_int_equal(b.v[0].high, f[i].first);
        assert_int_equal(b.v[1859].close, f[i].last);
        assert_int_equal(b.v[1859].volume, 0);
        tl_bars_free(&b);
    }
}

static void test_load_refusals(void **state)
{
    (void)state;
    tl_bars b = {0};
    tl_err err;
    assert_int_equal(tl_ohlcv_load(DATA "no_such.csv", &b, &err), TL_EIO);
    assert_string_equal(err.msg, DATA "no_such.csv: cannot open: No such file or directory");
    assert_int_equal(tl_ohlcv_load(DATA, &b, &err), TL_EIO);
    assert_string_equal(err.msg, DATA ": not a regular file");
    char path[] = "/tmp/test_ohlcv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char want[128];
    snprintf(want, sizeof want, "%s: no bars (empty file)", path);
    assert_int_equal(tl_ohlcv_load(path, &b, &err), TL_EINVAL);
    assert_string_equal(err.msg, want);
    unlink(path);
    assert_memory_equal(&b, &empty_bars, sizeof b);
}

/* Line ends: CRLF, none on the last line, empty lines at the end, a byte order mark, and the
 * other instant spellings tl_time_parse_iso takes. */
static void test_line_ends(void **state)
{
    (void)state;
    static const char *const ok[] = {
        HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n2000-01-02T00:00:00Z,2,3,1,2.5,0\n",
        TL_OHLCV_HEADER "\r\n2000-01-01T00:00:00Z,1,2,0.5,1.5,10\r\n"
                        "2000-01-02T00:00:00Z,2,3,1,2.5,0\r\n",
        HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n2000-01-02T00:00:00Z,2,3,1,2.5,0",
        TL_OHLCV_HEADER "\r\n2000-01-01T00:00:00Z,1,2,0.5,1.5,10\r\n"
                        "2000-01-02T00:00:00Z,2,3,1,2.5,0\r\n\r\n \t\n\n",
        "\xEF\xBB\xBF" HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n"
        "2000-01-02T00:00:00.000Z,2,3,1,2.5,0",
        HDR "2000-01-01T00:00:00+00:00,1,2,0.5,1.5,10\n2000-01-02T00:00:00Z,2,3,1,2.5,0\r",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        tl_bars b = parse_ok(ok[i]);
        assert_int_equal(b.n, 2);
        assert_int_equal(b.v[0].ts_ns, T2000 * TL_NS_PER_SEC);
        assert_int_equal(b.v[0].open, TL_FIXED_INT(1));
        assert_int_equal(b.v[0].high, TL_FIXED_INT(2));
        assert_int_equal(b.v[0].low, F(50000000));
        assert_int_equal(b.v[0].close, F(150000000));
        assert_int_equal(b.v[0].volume, TL_FIXED_INT(10));
        assert_int_equal(b.v[1].ts_ns, T2000 * TL_NS_PER_SEC + DAY_NS);
        assert_int_equal(b.v[1].close, F(250000000));
        assert_int_equal(b.v[1].volume, 0);
        tl_bars_free(&b);
    }
}

static void test_no_bars(void **state)
{
    (void)state;
    refused("", TL_EINVAL, "t.csv: no bars (empty file)");
    refused("\n\r\n \t\n", TL_EINVAL, "t.csv: no bars (empty file)");
    refused(TL_OHLCV_HEADER, TL_EINVAL, "t.csv: no bars (only the header)");
    refused(HDR "\r\n\n", TL_EINVAL, "t.csv: no bars (only the header)");
    tl_bars b = {0};
    assert_int_equal(tl_ohlcv_parse(NULL, 0, NULL, &b, NULL), TL_EINVAL);
    tl_err err;
    assert_int_equal(tl_ohlcv_parse(NULL, 0, NULL, &b, &err), TL_EINVAL);
    assert_string_equal(err.msg, "(buffer): no bars (empty file)");
    assert_int_equal(tl_ohlcv_parse(NULL, 1, NULL, &b, &err), TL_EINVAL);
    assert_string_equal(err.msg, "(buffer): NULL buffer");
    assert_memory_equal(&b, &empty_bars, sizeof b);
}

static void test_header_and_shape(void **state)
{
    (void)state;
    refused("time,open,high,low,close,volume\n2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:1: header: want 'timestamp,open,high,low,close,volume', got "
            "'time,open,high,low,close,volume'");
    refused("2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:1: header: want 'timestamp,open,high,low,close,volume', got "
            "'2000-01-01T00:00:00Z,1,2,0.5,1.5,10'");
    refused("\n" HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:1: header: want 'timestamp,open,high,low,close,volume', got ''");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n2000-01-02T00:00:00Z,1,2,0.5,1.5\n",
            TL_EINVAL, "t.csv:3: want 6 columns (timestamp,open,high,low,close,volume), got 5");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10,\n", TL_EINVAL,
            "t.csv:2: want 6 columns (timestamp,open,high,low,close,volume), got 7");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10,x,y,z\n", TL_EINVAL,
            "t.csv:2: want 6 columns (timestamp,open,high,low,close,volume), got 9");
    refused(HDR "2000-01-01T00:00:00Z;1;2;0.5;1.5;10\n", TL_EINVAL,
            "t.csv:2: want 6 columns (timestamp,open,high,low,close,volume), got 1");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n\n2000-01-02T00:00:00Z,1,2,0.5,1.5,10\n",
            TL_EINVAL,
            "t.csv:3: empty line before the bar on line 4 (only empty lines at the end are "
            "ignored)");
}

static void test_timestamp(void **state)
{
    (void)state;
    refused(HDR "2000-01-01,1,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:2: timestamp: malformed time '2000-01-01' (want 2025-01-01T00:00:00Z)");
    refused(HDR "2000-02-30T00:00:00Z,1,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:2: timestamp: invalid time '2000-02-30T00:00:00Z': day 30 out of range for "
            "2000-02");
    refused(HDR "2000-01-01T00:00:00Z  ,1,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:2: timestamp: malformed time '2000-01-01T00:00:00Z  ' (want "
            "2025-01-01T00:00:00Z)");
    refused(HDR "2000-01-01T00:00:00.0000000000000000000000000000000000000000000000Z,1,2,0.5,1.5,"
                "10\n",
            TL_EINVAL,
            "t.csv:2: timestamp: '2000-01-01T00:00:00.000000000000000000000000000000000000000000"
            "00...' is too long for an ISO-8601 instant"); /* the first 64 bytes */
    /* A NUL inside a field must not pass for its end. */
    static const char nul[] = HDR "2000-01-01T00:00:00Z\0x,1,2,0.5,1.5,10\n";
    refused_n(nul, sizeof nul - 1, TL_EINVAL,
              "t.csv:2: NUL byte in the timestamp column (a text file has none)");
    static const char nul2[] = HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10\n"
                                   "2000-01-02T00:00:00Z,1,2,0.5,1.5\0,10\n";
    refused_n(nul2, sizeof nul2 - 1, TL_EINVAL,
              "t.csv:3: NUL byte in the close column (a text file has none)");
    static const char nul3[] = HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,10,\0\n";
    refused_n(nul3, sizeof nul3 - 1, TL_EINVAL,
              "t.csv:2: NUL byte in column 7 (a text file has none)");
    static const char nul4[] = "timestamp\0,open,high,low,close,volume\n";
    refused_n(nul4, sizeof nul4 - 1, TL_EINVAL,
              "t.csv:1: NUL byte in the header (a text file has none)");
    refused(HDR "2000-01-03T00:00:00Z,1,2,0.5,1.5,10\n2000-01-04T00:00:00Z,1,2,0.5,1.5,10\n"
                "2000-01-02T00:00:00Z,1,2,0.5,1.5,10\n",
            TL_EINVAL,
            "t.csv:4: timestamp 2000-01-02T00:00:00Z goes back before line 3's "
            "2000-01-04T00:00:00Z (timestamps must strictly increase)");
    refused(HDR "2000-01-03T00:00:00Z,1,2,0.5,1.5,10\n2000-01-03T00:00:00Z,1,2,0.5,1.5,10\n",
            TL_EINVAL,
            "t.csv:3: timestamp 2000-01-03T00:00:00Z repeats line 2's 2000-01-03T00:00:00Z "
            "(timestamps must strictly increase)");
}

static void test_values(void **state)
{
    (void)state;
    refused(HDR "2000-01-01T00:00:00Z,abc,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:2: open: malformed decimal 'abc' (want [+-]digits[.digits])");
    refused(HDR "2000-01-01T00:00:00Z,1,,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:2: high: malformed decimal '' (want [+-]digits[.digits])");
    refused(HDR "2000-01-01T00:00:00Z,1,2,5e-1,1.5,10\n", TL_EINVAL,
            "t.csv:2: low: malformed decimal '5e-1' (want [+-]digits[.digits])");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5, 1.5,10\n", TL_EINVAL,
            "t.csv:2: close: malformed decimal ' 1.5' (want [+-]digits[.digits])");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,\"10\"\n", TL_EINVAL,
            "t.csv:2: volume: malformed decimal '\"10\"' (want [+-]digits[.digits])");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,1\r0\r\n", TL_EINVAL,
            "t.csv:2: volume: malformed decimal '1?0' (want [+-]digits[.digits])");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.123456789,10\n", TL_EPRECISION,
            "t.csv:2: close: decimal '1.123456789' has more than 8 decimals");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,100000000000\n", TL_ERANGE,
            "t.csv:2: volume: decimal '100000000000' out of range (max "
            "+/-92233720368.54775807)");
}

static void test_rules(void **state)
{
    (void)state;
    refused(HDR "2000-01-01T00:00:00Z,1,2,0,1.5,10\n", TL_EINVAL,
            "t.csv:2: low: must be > 0, got '0'");
    refused(HDR "2000-01-01T00:00:00Z,-1,2,-2,1.5,10\n", TL_EINVAL,
            "t.csv:2: low: must be > 0, got '-2'");
    refused(HDR "2000-01-01T00:00:00Z,2.5,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:2: high 2 is below open 2.5 (want high >= max(open, close))");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,2.00000001,10\n", TL_EINVAL,
            "t.csv:2: high 2 is below close 2.00000001 (want high >= max(open, close))");
    refused(HDR "2000-01-01T00:00:00Z,0.4,2,0.5,1.5,10\n", TL_EINVAL,
            "t.csv:2: low 0.5 is above open 0.4 (want low <= min(open, close))");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,0.49999999,10\n", TL_EINVAL,
            "t.csv:2: low 0.5 is above close 0.49999999 (want low <= min(open, close))");
    refused(HDR "2000-01-01T00:00:00Z,1,2,0.5,1.5,-0.00000001\n", TL_EINVAL,
            "t.csv:2: volume: must be >= 0, got '-0.00000001'");
    /* The edges are allowed: all four prices equal, volume 0. */
    tl_bars b = parse_ok(HDR "2000-01-01T00:00:00Z,1.5,1.5,1.5,1.5,0\n");
    assert_int_equal(b.n, 1);
    assert_int_equal(b.v[0].low, F(150000000));
    tl_bars_free(&b);
}

/* Writes n synthetic bars, one minute apart from 2000-01-01, into a malloc'ed buffer. */
static char *synth(size_t n, size_t *len)
{
    size_t cap = sizeof HDR + n * 80, pos = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    pos += (size_t)snprintf(buf, cap, "%s", HDR);
    for (size_t i = 0; i < n; i++) {
        char t[40];
        tl_time_format_iso((T2000 + (int64_t)i * 60) * TL_NS_PER_SEC, t, sizeof t);
        unsigned c = 10000 + (unsigned)(i % 5000); /* price in cents */
        pos += (size_t)snprintf(buf + pos, cap - pos, "%s,%u.%02u,%u.%02u,%u.%02u,%u.%02u,%zu\n", t,
                                c / 100, c % 100, (c + 50) / 100, (c + 50) % 100, (c - 25) / 100,
                                (c - 25) % 100, (c + 10) / 100, (c + 10) % 100, i % 100000);
    }
    *len = pos;
    return buf;
}

static void test_million(void **state)
{
    (void)state;
    size_t len, n = 1000000;
    char *buf = synth(n, &len);
    tl_bars b = parse_ok_n(buf, len);
    free(buf);
    assert_int_equal(b.n, n);
    size_t k = 777777;
    unsigned c = 10000 + (unsigned)(k % 5000);
    assert_int_equal(b.v[k].ts_ns, (T2000 + (int64_t)k * 60) * TL_NS_PER_SEC);
    assert_int_equal(b.v[k].open, F(c) * 1000000);
    assert_int_equal(b.v[k].high, F(c + 50) * 1000000);
    assert_int_equal(b.v[k].low, F(c - 25) * 1000000);
    assert_int_equal(b.v[k].close, F(c + 10) * 1000000);
    assert_int_equal(b.v[k].volume, TL_FIXED_INT(k % 100000));
    assert_int_equal(b.v[n - 1].ts_ns, (T2000 + (int64_t)(n - 1) * 60) * TL_NS_PER_SEC);
    tl_bars_free(&b);
}

/* --bench N: the best of three parses of N synthetic lines, as one JSON line. */
static int bench(size_t n)
{
    size_t len;
    char *buf = synth(n, &len);
    double best = 0;
    for (int r = 0; r < 3; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        tl_bars b = parse_ok_n(buf, len);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (b.n != n)
            return 1;
        tl_bars_free(&b);
        if (r == 0 || s < best)
            best = s;
    }
    printf("{\"bench\":\"ohlcv_parse\",\"bars\":%zu,\"bytes\":%zu,\"seconds\":%.3f,"
           "\"bars_per_s\":%.0f,\"mb_per_s\":%.0f}\n",
           n, len, best, (double)n / best, (double)len / best / 1e6);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--bench") == 0)
        return bench((size_t)strtoull(argv[2], NULL, 10));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msft),          cmocka_unit_test(test_eustock),
        cmocka_unit_test(test_load_refusals), cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_no_bars),       cmocka_unit_test(test_header_and_shape),
        cmocka_unit_test(test_timestamp),     cmocka_unit_test(test_values),
        cmocka_unit_test(test_rules),         cmocka_unit_test(test_million),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
