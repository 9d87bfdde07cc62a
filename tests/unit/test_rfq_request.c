/* test_rfq_request.c -- the desk's input lines: requests (every token's refusal, named), pairs,
 * commands, waits, comments. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rfq/script.h"
#include "tradeloop/clock.h"

static tl_rfq_request req_ok(const char *line)
{
    tl_rfq_request r;
    tl_err err;
    if (tl_rfq_request_parse(line, (size_t)-1, &r, &err) != 0)
        fail_msg("'%s' refused: %s", line, err.msg);
    return r;
}

static void req_bad(const char *line, const char *want)
{
    tl_rfq_request r, before;
    memset(&r, 0x3c, sizeof r);
    before = r;
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_rfq_request_parse(line, (size_t)-1, &r, &err);
    if (rc != TL_EINVAL || strcmp(err.msg, want) != 0)
        fail_msg("'%s': rc %d '%s', want '%s'", line, rc, err.msg, want);
    assert_memory_equal(&r, &before, sizeof r);
}

static void test_pair(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"BTCUSDT", "BTC", "USDT"}, {"ETHBTC", "ETH", "BTC"},     {"EURUSD", "EUR", "USD"},
        {"USDCHF", "USD", "CHF"},   {"USDCUSDT", "USDC", "USDT"}, {"BTCFDUSD", "BTC", "FDUSD"},
        {"SOLETH", "SOL", "ETH"},   {"XUSD", "X", "USD"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char base[TL_PAIR_ASSET_MAX], quote[TL_PAIR_ASSET_MAX];
        tl_err err;
        if (tl_pair_parse(cases[i][0], base, quote, &err) != 0)
            fail_msg("%s: %s", cases[i][0], err.msg);
        assert_string_equal(base, cases[i][1]);
        assert_string_equal(quote, cases[i][2]);
    }
    char base[TL_PAIR_ASSET_MAX] = "keep", quote[TL_PAIR_ASSET_MAX] = "keep";
    tl_err err;
    assert_int_equal(tl_pair_parse("USDT", base, quote, &err), TL_EINVAL); /* no base */
    assert_non_null(strstr(err.msg, "USDT: unknown quote asset"));
    assert_int_equal(tl_pair_parse("BTCXYZ", base, quote, &err), TL_EINVAL);
    assert_int_equal(tl_pair_parse("btcusdt", base, quote, &err), TL_EINVAL); /* upper case only */
    assert_int_equal(tl_pair_parse("", base, quote, &err), TL_EINVAL);
    assert_string_equal(base, "keep");
    assert_string_equal(quote, "keep");
    assert_string_equal(tl_pair_leg_name(TL_PAIR_BASE), "base");
    assert_string_equal(tl_pair_leg_name(TL_PAIR_QUOTE), "quote");
}

static void test_requests(void **state)
{
    (void)state;
    tl_rfq_request r = req_ok("b 1.5 btc btcusdt");
    assert_int_equal(r.side, TL_SIDE_BUY);
    assert_int_equal(r.amount, 150000000);
    assert_int_equal(r.amount_in, TL_PAIR_BASE);
    assert_string_equal(r.symbol, "BTCUSDT");
    assert_string_equal(r.base, "BTC");
    assert_string_equal(r.quote, "USDT");

    r = req_ok("  SELL\t1000 USDT BtcUsdt \r\n");
    assert_int_equal(r.side, TL_SIDE_SELL);
    assert_int_equal(r.amount, TL_FIXED_INT(1000));
    assert_int_equal(r.amount_in, TL_PAIR_QUOTE);
    assert_string_equal(r.symbol, "BTCUSDT");

    r = req_ok("Buy 0.00000001 eth ethbtc # smallest amount");
    assert_int_equal(r.side, TL_SIDE_BUY);
    assert_int_equal(r.amount, 1);
    assert_int_equal(r.amount_in, TL_PAIR_BASE);
    assert_string_equal(r.quote, "BTC");
    r = req_ok("s 2 btc ethbtc");
    assert_int_equal(r.amount_in, TL_PAIR_QUOTE);

    /* A length: the text need not end in NUL. */
    tl_err err;
    assert_int_equal(tl_rfq_request_parse("b 1 btc btcusdtXXXX", 15, &r, &err), 0);
    assert_string_equal(r.symbol, "BTCUSDT");
}

static void test_request_refusals(void **state)
{
    (void)state;
    req_bad("", "empty request (a request is SIDE AMOUNT ASSET SYMBOL, e.g. b 1.5 btc btcusdt)");
    req_bad("  # only a comment",
            "empty request (a request is SIDE AMOUNT ASSET SYMBOL, e.g. b 1.5 btc btcusdt)");
    req_bad("x 1.5 btc btcusdt", "token 1 'x': not a side (b, buy, s, sell)");
    req_bad("bb 1.5 btc btcusdt", "token 1 'bb': not a side (b, buy, s, sell)");
    req_bad("b 1,5 btc btcusdt", "token 2 '1,5': not an amount (a decimal like 1.5)");
    req_bad("b 1e3 btc btcusdt", "token 2 '1e3': not an amount (a decimal like 1.5)");
    req_bad("b .5 btc btcusdt", "token 2 '.5': not an amount (a decimal like 1.5)");
    req_bad("b 0 btc btcusdt", "token 2 '0': the amount must be positive");
    req_bad("b -1 btc btcusdt", "token 2 '-1': the amount must be positive");
    req_bad("b 1.123456789 btc btcusdt", "token 2 '1.123456789': more than 8 decimals");
    req_bad("b 99999999999 btc btcusdt", "token 2 '99999999999': too large an amount");
    req_bad("b", "token 2 missing (a request is SIDE AMOUNT ASSET SYMBOL, e.g. b 1.5 btc btcusdt)");
    req_bad("b 1.5 btc",
            "token 4 missing (a request is SIDE AMOUNT ASSET SYMBOL, e.g. b 1.5 btc btcusdt)");
    req_bad("b 1.5 eth btcusdt", "token 3 'eth': not an asset of BTCUSDT (BTC or USDT)");
    req_bad("b 1.5 usd btcusdt", "token 3 'usd': not an asset of BTCUSDT (BTC or USDT)");
    req_bad("b 1.5 btc btc-usdt", "token 4 'btc-usdt': not a symbol (1..15 letters and digits)");
    req_bad("b 1.5 btc abcdefghijklmnopusdt",
            "token 4 'abcdefghijklmnopusdt': not a symbol (1..15 letters and digits)");
    req_bad("b 1.5 btc btcxyz", "token 4 'btcxyz': not a pair ending in a known quote asset "
                                "(USDT, USDC, USD, EUR, BTC, ETH, ...)");
    req_bad("b 1.5 btc btcusdt now",
            "token 5 'now': unexpected (a request is SIDE AMOUNT ASSET SYMBOL, e.g. b 1.5 btc "
            "btcusdt)");
    /* Bytes outside printable ASCII are shown as '?': the message stays one printable line. */
    req_bad("b 1.5 \x1b[2J btcusdt", "token 3 '?[2J': not an asset of BTCUSDT (BTC or USDT)");
}

static tl_rfq_line line_ok(const char *text, bool script)
{
    tl_rfq_line l;
    tl_err err;
    if (tl_rfq_line_parse(text, (size_t)-1, script, &l, &err) != 0)
        fail_msg("'%s' refused: %s", text, err.msg);
    return l;
}

static void line_bad(const char *text, bool script, int code, const char *want)
{
    tl_rfq_line l, before;
    memset(&l, 0x3c, sizeof l);
    before = l;
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_rfq_line_parse(text, (size_t)-1, script, &l, &err);
    if (rc != code || strcmp(err.msg, want) != 0)
        fail_msg("'%s': rc %d '%s', want %d '%s'", text, rc, err.msg, code, want);
    assert_memory_equal(&l, &before, sizeof l);
}

static void test_lines(void **state)
{
    (void)state;
    assert_int_equal(line_ok("", true).kind, TL_RFQ_LINE_NONE);
    assert_int_equal(line_ok(" \t\r\n", false).kind, TL_RFQ_LINE_NONE);
    assert_int_equal(line_ok("# a session", true).kind, TL_RFQ_LINE_NONE);
    assert_int_equal(line_ok("p", false).kind, TL_RFQ_LINE_PROCEED);
    assert_int_equal(line_ok("PROCEED", false).kind, TL_RFQ_LINE_PROCEED);
    assert_int_equal(line_ok(" c # changed my mind", true).kind, TL_RFQ_LINE_CANCEL);
    assert_int_equal(line_ok("cancel", true).kind, TL_RFQ_LINE_CANCEL);
    assert_int_equal(line_ok("q", true).kind, TL_RFQ_LINE_QUIT);
    assert_int_equal(line_ok("Quit\n", false).kind, TL_RFQ_LINE_QUIT);
    tl_rfq_line l = line_ok("wait 2s", true);
    assert_int_equal(l.kind, TL_RFQ_LINE_WAIT);
    assert_int_equal(l.u.wait_ns, 2 * TL_NS_PER_SEC);
    assert_int_equal(line_ok("WAIT 1m500ms", true).u.wait_ns, 60500 * TL_NS_PER_MS);
    assert_int_equal(line_ok("wait 0s", true).u.wait_ns, 0);
    l = line_ok("s 1000 usdt btcusdt", false);
    assert_int_equal(l.kind, TL_RFQ_LINE_REQUEST);
    assert_int_equal(l.u.request.side, TL_SIDE_SELL);
    assert_int_equal(l.u.request.amount_in, TL_PAIR_QUOTE);
    assert_string_equal(l.u.request.symbol, "BTCUSDT");
    assert_string_equal(tl_rfq_line_kind_name(TL_RFQ_LINE_WAIT), "wait");
    assert_string_equal(tl_rfq_line_kind_name(TL_RFQ_LINE_REQUEST), "request");
}

static void test_line_refusals(void **state)
{
    (void)state;
    line_bad("x", true, TL_EINVAL,
             "token 1 'x': not a command or a side (p, c, q, wait; b, s: b 1.5 btc btcusdt)");
    line_bad("x", false, TL_EINVAL,
             "token 1 'x': not a command or a side (p, c, q; b, s: b 1.5 btc btcusdt)");
    line_bad("p now", false, TL_EINVAL, "token 2 'now': proceed takes nothing after it");
    line_bad("q 1", true, TL_EINVAL, "token 2 '1': quit takes nothing after it");
    line_bad("wait 2s", false, TL_EINVAL, "token 1 'wait': only in scripts");
    line_bad("wait", true, TL_EINVAL, "token 2 missing (wait DURATION, e.g. wait 2s)");
    line_bad("wait 2s 3s", true, TL_EINVAL,
             "token 3 '3s': unexpected (wait DURATION, e.g. wait 2s)");
    line_bad("wait 2", true, TL_EINVAL,
             "token 2: duration '2': unit missing after 2 (units: ns us ms s m h)");
    line_bad("wait 1.5s", true, TL_EINVAL,
             "token 2: duration '1.5s': unknown unit after 1 (units: ns us ms s m h)");
    line_bad("wait 99999999999h", true, TL_ERANGE,
             "token 2: duration '99999999999h': too long (at most about 292 years)");
    line_bad("b 1.5 eth btcusdt", true, TL_EINVAL,
             "token 3 'eth': not an asset of BTCUSDT (BTC or USDT)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_request_refusals),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_line_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
