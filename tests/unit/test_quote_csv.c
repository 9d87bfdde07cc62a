/* test_quote_csv.c -- the quotes file reader: both formats, the spread's rounding, every refusal
 * and its text, and the shipped data/usdchf_30m.csv parsed whole. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "loop/quote_csv.h"
#include "tradeloop/clock.h"

#define F(x) ((tl_fixed)(x))

static int feed(tl_quote_csv *r, const char *line, tl_quote *q, tl_err *err)
{
    return tl_quote_csv_line(r, line, strlen(line), q, err);
}

static void init_ok(tl_quote_csv *r, const char *sym, tl_fixed spread)
{
    tl_err err;
    if (tl_quote_csv_init(r, sym, spread, &err) != 0)
        fail_msg("init: %s", err.msg);
}

/* Feeds a line that must be refused with code and a message containing want. The reader and the
 * output are unchanged. */
static void refused(tl_quote_csv *r, const char *line, int code, const char *want)
{
    tl_quote q, before;
    memset(&q, 0x5a, sizeof q);
    before = q;
    tl_quote_csv saved = *r;
    tl_err err;
    tl_err_clear(&err);
    int rc = feed(r, line, &q, &err);
    if (rc != code || strstr(err.msg, want) == NULL)
        fail_msg("'%s': rc %d msg '%s', want %d '%s'", line, rc, err.msg, code, want);
    assert_memory_equal(&q, &before, sizeof q);
    assert_memory_equal(r, &saved, sizeof saved);
}

static void test_bidask(void **state)
{
    (void)state;
    tl_quote_csv r;
    tl_quote q;
    tl_err err;
    init_ok(&r, NULL, 0);
    assert_int_equal(feed(&r, "\n", &q, &err), 0);
    assert_int_equal(feed(&r, "timestamp,symbol,bid,ask\r\n", &q, &err), 0);
    assert_int_equal(r.format, TL_QUOTE_CSV_BIDASK);
    assert_int_equal(feed(&r, "2025-01-02T14:30:00Z,BTCUSDT,42000.5,42001\r\n", &q, &err), 1);
    assert_string_equal(q.symbol, "BTCUSDT");
    assert_int_equal(q.bid, F(4200050000000));
    assert_int_equal(q.ask, TL_FIXED_INT(42001));
    assert_int_equal(q.ts_ns, 1735828200LL * TL_NS_PER_SEC);
    /* Blank lines between quotes; bid == ask and the same timestamp are fine. */
    assert_int_equal(feed(&r, " \t\r\n", &q, &err), 0);
    assert_int_equal(feed(&r, "2025-01-02T14:30:00Z,ETHUSDT,0.00000001,0.00000001", &q, &err), 1);
    assert_int_equal(q.bid, 1);
    assert_int_equal(q.ask, 1);
    assert_int_equal(feed(&r, "2025-01-02T14:30:00.001Z,ETHUSDT,3000,3000.1", &q, &err), 1);
    assert_int_equal(r.quotes, 3);
}

static void test_bidask_refusals(void **state)
{
    (void)state;
    tl_quote_csv r;
    tl_quote q;
    tl_err err;
    init_ok(&r, NULL, 0);
    refused(&r, "2025-01-02T14:30:00Z,BTCUSDT,1,2", TL_EINVAL,
            "header: want 'timestamp,symbol,bid,ask' or 'timestamp,price' first, got "
            "'2025-01-02T14:30:00Z,BTCUSDT,1,2'");
    refused(&r, "timestamp,price", TL_EINVAL, "this format needs a symbol and a spread");
    refused(&r, "Timestamp,Symbol,Bid,Ask", TL_EINVAL, "header: want");
    assert_int_equal(feed(&r, "\xEF\xBB\xBFtimestamp,symbol,bid,ask\n", &q, &err), 0);
    assert_int_equal(feed(&r, "2025-01-02T14:30:00.5Z,X1,1,2", &q, &err), 1);

    refused(&r, "2025-01-02T14:30:01Z,X1,1", TL_EINVAL,
            "want 4 columns (timestamp,symbol,bid,ask), got 3");
    refused(&r, "2025-01-02T14:30:01Z,X1,1,2,", TL_EINVAL, "got 5");
    refused(&r, "2025-01-02T14:30:01Z,X1,1,2,3,4", TL_EINVAL, "got 6");
    refused(&r, "2025-01-02 14:30:01,X1,1,2", TL_EINVAL,
            "timestamp: malformed time '2025-01-02 14:30:01'");
    refused(&r, "2025-02-30T14:30:01Z,X1,1,2", TL_EINVAL, "timestamp: invalid time");
    refused(&r, "2025-01-02T14:30:00.4999Z,X1,1,2", TL_EINVAL,
            "timestamp 2025-01-02T14:30:00.4999Z goes backwards (previous quote: "
            "2025-01-02T14:30:00.500000000Z)");
    refused(&r, "2025-01-02T14:30:01Z,x1,1,2", TL_EINVAL, "symbol 'x1' must be 1..15 of [A-Z0-9]");
    refused(&r, "2025-01-02T14:30:01Z,,1,2", TL_EINVAL, "symbol: '' must be 1..15");
    refused(&r, "2025-01-02T14:30:01Z,ABCDEFGHIJKLMNOP,1,2", TL_EINVAL,
            "symbol: 'ABCDEFGHIJKLMNOP' must be 1..15");
    refused(&r, "2025-01-02T14:30:01Z,X1,0,2", TL_EINVAL, "bid: must be positive, got '0'");
    refused(&r, "2025-01-02T14:30:01Z,X1,-1,2", TL_EINVAL, "bid: must be positive, got '-1'");
    refused(&r, "2025-01-02T14:30:01Z,X1,1.000000001,2", TL_EPRECISION,
            "bid: decimal '1.000000001' has more than 8 decimals");
    refused(&r, "2025-01-02T14:30:01Z,X1,1, 2", TL_EINVAL, "ask: malformed decimal ' 2'");
    refused(&r, "2025-01-02T14:30:01Z,X1,\"1\",2", TL_EINVAL, "bid: malformed decimal '\"1\"'");
    refused(&r, "2025-01-02T14:30:01Z,X1,2,1.99999999", TL_EINVAL, "ask 1.99999999 is below bid 2");
    refused(&r, "2025-01-02T14:30:01Z,X1,1,2\r\r\n", TL_EINVAL, "ask: malformed decimal '2?'");
    /* Control bytes never reach a message. */
    refused(&r, "2025-01-02T14:30:01Z,X\x01,1,2", TL_EINVAL, "'X?'");
    /* A NUL inside a field is refused, not read as the field's end. */
    static const char with_nul[] = "2025-01-02T14:30:01Z\0xyz,X1,1,2";
    tl_quote_csv saved = r;
    tl_err_clear(&err);
    assert_int_equal(tl_quote_csv_line(&r, with_nul, sizeof with_nul - 1, &q, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "a NUL byte at column 21"));
    assert_memory_equal(&r, &saved, sizeof r);
    /* Still going: the refusals changed nothing. */
    assert_int_equal(feed(&r, "2025-01-02T14:30:00.5Z,X1,1,2", &q, &err), 1);
}

static void test_init(void **state)
{
    (void)state;
    tl_quote_csv r;
    tl_err err;
    assert_int_equal(tl_quote_csv_init(&r, "usdchf", 0, &err), TL_EINVAL);
    assert_int_equal(tl_quote_csv_init(&r, "USDCHF", -1, &err), TL_EINVAL);
    assert_int_equal(tl_quote_csv_init(&r, "USDCHF", TL_QUOTE_CSV_SPREAD_MAX, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "spread 20000 bps out of range"));
    assert_int_equal(tl_quote_csv_init(&r, "USDCHF", TL_QUOTE_CSV_SPREAD_MAX - 1, &err), 0);
    /* A symbol for a file that names its own. */
    assert_int_equal(tl_quote_csv_init(&r, "USDCHF", 0, &err), 0);
    refused(&r, "timestamp,symbol,bid,ask", TL_EINVAL, "the file names its symbols");
}

static void test_price_spread(void **state)
{
    (void)state;
    tl_quote_csv r;
    tl_quote q;
    tl_err err;
    /* 2 bps on 1.193: bid = 1.193 * 19998/20000 = 1.1928807 exactly, ask = 1.1931193. */
    init_ok(&r, "USDCHF", TL_FIXED_INT(2));
    assert_int_equal(feed(&r, "timestamp,price\n", &q, &err), 0);
    assert_int_equal(r.format, TL_QUOTE_CSV_PRICE);
    assert_int_equal(feed(&r, "1996-04-01T00:00:00Z,1.193\n", &q, &err), 1);
    assert_string_equal(q.symbol, "USDCHF");
    assert_int_equal(q.bid, F(119288070));
    assert_int_equal(q.ask, F(119311930));
    /* One rounding per side, half away from zero: 0.00000003 * 19999/20000 = 2.99985e-8 -> 3e-8
     * and * 20001/20000 = 3.00015e-8 -> 3e-8 (1 bps). */
    init_ok(&r, "USDCHF", TL_FIXED_INT(1));
    feed(&r, "timestamp,price", &q, &err);
    assert_int_equal(feed(&r, "1996-04-01T00:00:00Z,0.00000003", &q, &err), 1);
    assert_int_equal(q.bid, 3);
    assert_int_equal(q.ask, 3);
    /* 1.5 bps on 1.00000001: bid = 1.00000001 * 19998.5/20000 = 0.99992500999925 -> 0.99992501,
     * ask = 1.00000001 * 20001.5/20000 = 1.00007501000075 -> 1.00007501. */
    init_ok(&r, "USDCHF", F(150000000));
    feed(&r, "timestamp,price", &q, &err);
    assert_int_equal(feed(&r, "1996-04-01T00:00:00Z,1.00000001", &q, &err), 1);
    assert_int_equal(q.bid, F(99992501));
    assert_int_equal(q.ask, F(100007501));
    /* Half a unit rounds away from zero: 0.00000001 at 10000 bps is 0.000000005 / 0.000000015. */
    init_ok(&r, "USDCHF", TL_FIXED_INT(10000));
    feed(&r, "timestamp,price", &q, &err);
    assert_int_equal(feed(&r, "1996-04-01T00:00:00Z,0.00000001", &q, &err), 1);
    assert_int_equal(q.bid, 1);
    assert_int_equal(q.ask, 2);
    /* A bid that rounds to nothing, and an ask past the range. */
    init_ok(&r, "USDCHF", F(1999999999999));
    feed(&r, "timestamp,price", &q, &err);
    refused(&r, "1996-04-01T00:00:00Z,0.00000001", TL_EINVAL, "price: 0.00000001 gives a bid");
    init_ok(&r, "USDCHF", TL_FIXED_INT(2));
    feed(&r, "timestamp,price", &q, &err);
    refused(&r, "1996-04-01T00:00:00Z,92233720368", TL_ERANGE,
            "price: 92233720368 with the spread is out of range");
    refused(&r, "1996-04-01T00:00:00Z,0", TL_EINVAL, "price: must be positive, got '0'");
    refused(&r, "1996-04-01T00:00:00Z,USDCHF,1,2", TL_EINVAL,
            "want 2 columns (timestamp,price), got 4");
    /* Zero spread: bid = ask = price. */
    init_ok(&r, "USDCHF", 0);
    feed(&r, "timestamp,price", &q, &err);
    assert_int_equal(feed(&r, "1996-04-01T00:00:00Z,1.7429", &q, &err), 1);
    assert_int_equal(q.bid, F(174290000));
    assert_int_equal(q.ask, F(174290000));
}

/* The file the product ships, read line by line as the loop will: every line a quote. */
static void test_usdchf_whole(void **state)
{
    (void)state;
    FILE *fp = fopen(TL_SOURCE_DIR "/data/usdchf_30m.csv", "r");
    assert_non_null(fp);
    tl_quote_csv r;
    init_ok(&r, "USDCHF", TL_FIXED_INT(2));
    char line[256];
    long lines = 0, quotes = 0;
    tl_quote q, first = {0}, last = {0};
    tl_err err;
    while (fgets(line, sizeof line, fp) != NULL) {
        lines++;
        int rc = tl_quote_csv_line(&r, line, strlen(line), &q, &err);
        if (rc < 0)
            fail_msg("usdchf_30m.csv line %ld: %s", lines, err.msg);
        if (rc == 1) {
            if (quotes++ == 0)
                first = q;
            last = q;
            assert_true(q.bid > 0 && q.ask > q.bid);
        }
    }
    fclose(fp);
    assert_int_equal(lines, 62497);
    assert_int_equal(quotes, 62496);
    assert_int_equal(r.quotes, 62496);
    char t[40];
    tl_time_format_iso(first.ts_ns, t, sizeof t);
    assert_string_equal(t, "1996-04-01T00:00:00Z");
    tl_time_format_iso(last.ts_ns, t, sizeof t);
    assert_string_equal(t, "2001-03-30T23:30:00Z");
    assert_int_equal(last.bid, F(174272571)); /* 1.7429 * 0.9999 = 1.74272571 */
    assert_int_equal(last.ask, F(174307429)); /* 1.7429 * 1.0001 = 1.74307429 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bidask),       cmocka_unit_test(test_bidask_refusals),
        cmocka_unit_test(test_init),         cmocka_unit_test(test_price_spread),
        cmocka_unit_test(test_usdchf_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
