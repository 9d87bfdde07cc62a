/* test_hedge.c -- the hedge calculator: the 8 cases against values worked out by hand, the seed's
 * example, the fee in the base asset, where the rounding happens, the bps tie, and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rfq/hedge.h"

static tl_fixed fx(const char *s)
{
    tl_fixed v;
    tl_err err;
    if (tl_fixed_parse(s, (size_t)-1, &v, &err) != 0)
        fail_msg("bad constant '%s': %s", s, err.msg);
    return v;
}

/* What a case must give, as exact decimals. */
typedef struct want {
    const char *client_price, *client_base, *client_quote;
    const char *hedge_base, *hedge_quote, *profit, *fee_quote, *fee, *pnl, *bps;
} want;

static tl_hedge run(tl_side side, const char *amount, tl_pair_leg amount_in, const char *lp,
                    const char *markup, const char *fee, tl_pair_leg profit_in)
{
    tl_hedge_input in = {side, fx(amount), amount_in, fx(lp), fx(markup), fx(fee), profit_in};
    tl_hedge h;
    tl_err err;
    if (tl_hedge_compute(&in, &h, &err) != 0)
        fail_msg("hedge refused: %s", err.msg);
    return h;
}

static void expect(const char *name, tl_fixed got, const char *w)
{
    if (got != fx(w)) {
        char buf[TL_FIXED_STRLEN];
        tl_fixed_format_dp(got, 8, buf, sizeof buf);
        fail_msg("%s: got %s, want %s", name, buf, w);
    }
}

static void check(const tl_hedge *h, tl_side side, tl_pair_leg profit_in, const want *w)
{
    expect("client price", h->client_price, w->client_price);
    expect("client base", h->client_base, w->client_base);
    expect("client quote", h->client_quote, w->client_quote);
    expect("hedge base", h->hedge_base, w->hedge_base);
    expect("hedge quote", h->hedge_quote, w->hedge_quote);
    expect("profit", h->profit, w->profit);
    expect("fee (quote)", h->fee_quote, w->fee_quote);
    expect("fee", h->fee, w->fee);
    expect("P&L", h->pnl, w->pnl);
    expect("bps", h->pnl_bps, w->bps);
    assert_int_equal(h->hedge_side, side);
    assert_int_equal(h->profit_in, profit_in);
    bool buy = side == TL_SIDE_BUY;
    assert_int_equal(h->client_pays_in, buy ? TL_PAIR_QUOTE : TL_PAIR_BASE);
    assert_int_equal(h->client_gets_in, buy ? TL_PAIR_BASE : TL_PAIR_QUOTE);
    assert_int_equal(h->client_pays, buy ? h->client_quote : h->client_base);
    assert_int_equal(h->client_gets, buy ? h->client_base : h->client_quote);
}

/* Runs one case and checks all of it. */
static void hedge_case(tl_side side, const char *amount, tl_pair_leg amount_in, const char *lp,
                       const char *markup, const char *fee, tl_pair_leg profit_in, const want *w)
{
    tl_hedge h = run(side, amount, amount_in, lp, markup, fee, profit_in);
    check(&h, side, profit_in, w);
}

#define BUY   TL_SIDE_BUY
#define SELL  TL_SIDE_SELL
#define BASE  TL_PAIR_BASE
#define QUOTE TL_PAIR_QUOTE

/* BTCUSDT, LP price 100,000, markup 5 bps, hedge fee 2 bps. Client prices:
 * buy 100,000 * 1.0005 = 100,050; sell 100,000 * 0.9995 = 99,950. */
static void test_eight_cases(void **state)
{
    (void)state;
    /* 1. BUY 1.5 BTC, profit in USDT. Client pays 1.5 * 100,050 = 150,075. Hedge buys 1.5 BTC
     * for 1.5 * 100,000 = 150,000; profit 150,075 - 150,000 = 75. Fee 150,000 * 0.0002 = 30;
     * P&L 45; bps 45 / 150,075 * 10000 = 2.99850074|96... -> 2.99850075. */
    hedge_case(
        BUY, "1.5", BASE, "100000", "5", "2", QUOTE,
        &(want){"100050", "1.5", "150075", "1.5", "150000", "75", "30", "30", "45", "2.99850075"});
    /* 2. BUY 1.5 BTC, profit in BTC. Hedge spends all 150,075 USDT: 150,075 / 100,000 =
     * 1.50075 BTC; profit 1.50075 - 1.5 = 0.00075 BTC. Fee 150,075 * 0.0002 = 30.015 USDT =
     * 30.015 / 100,000 = 0.00030015 BTC; P&L 0.00044985 BTC = 44.985 USDT at 100,000;
     * bps 44.985 / 150,075 * 10000 = 2.99750124|93... -> 2.99750125. */
    hedge_case(BUY, "1.5", BASE, "100000", "5", "2", BASE,
               &(want){"100050", "1.5", "150075", "1.50075", "150075", "0.00075", "30.015",
                       "0.00030015", "0.00044985", "2.99750125"});
    /* 3. BUY 1000 USDT of BTC, profit in USDT. Client gets 1000 / 100,050 = 0.00999500|2498...
     * -> 0.00999500 BTC. Hedge buys 0.009995 BTC for 999.5; profit 0.5. Fee 999.5 * 0.0002 =
     * 0.1999; P&L 0.3001; bps 0.3001 / 1000 * 10000 = 3.001. */
    hedge_case(BUY, "1000", QUOTE, "100000", "5", "2", QUOTE,
               &(want){"100050", "0.009995", "1000", "0.009995", "999.5", "0.5", "0.1999", "0.1999",
                       "0.3001", "3.001"});
    /* 4. BUY 1000 USDT of BTC, profit in BTC. Hedge spends 1000 USDT: 0.01 BTC; profit 0.01 -
     * 0.009995 = 0.000005 BTC. Fee 1000 * 0.0002 = 0.2 USDT = 0.000002 BTC; P&L 0.000003 BTC =
     * 0.3 USDT; bps 0.3 / 1000 * 10000 = 3. */
    hedge_case(BUY, "1000", QUOTE, "100000", "5", "2", BASE,
               &(want){"100050", "0.009995", "1000", "0.01", "1000", "0.000005", "0.2", "0.000002",
                       "0.000003", "3"});
    /* 5. SELL 1.5 BTC, profit in USDT. Client gets 1.5 * 99,950 = 149,925. Hedge sells 1.5 BTC
     * for 150,000; profit 150,000 - 149,925 = 75. Fee 30; P&L 45; bps 45 / 149,925 * 10000 =
     * 3.00150075|03... -> 3.00150075. */
    hedge_case(
        SELL, "1.5", BASE, "100000", "5", "2", QUOTE,
        &(want){"99950", "1.5", "149925", "1.5", "150000", "75", "30", "30", "45", "3.00150075"});
    /* 6. SELL 1.5 BTC, profit in BTC. Hedge sells only what pays the client: 149,925 / 100,000 =
     * 1.49925 BTC; profit 1.5 - 1.49925 = 0.00075 BTC. Fee 149,925 * 0.0002 = 29.985 USDT =
     * 0.00029985 BTC; P&L 0.00045015 BTC = 45.015 USDT; bps 45.015 / 149,925 * 10000 =
     * 3.00250125|06... -> 3.00250125. */
    hedge_case(SELL, "1.5", BASE, "100000", "5", "2", BASE,
               &(want){"99950", "1.5", "149925", "1.49925", "149925", "0.00075", "29.985",
                       "0.00029985", "0.00045015", "3.00250125"});
    /* 7. SELL BTC for 1000 USDT, profit in USDT. Client gives 1000 / 99,950 = 0.01000500|2501...
     * -> 0.01000500 BTC. Hedge sells 0.010005 BTC for 1000.5; profit 0.5. Fee 1000.5 * 0.0002 =
     * 0.2001; P&L 0.2999; bps 2.999. */
    hedge_case(SELL, "1000", QUOTE, "100000", "5", "2", QUOTE,
               &(want){"99950", "0.010005", "1000", "0.010005", "1000.5", "0.5", "0.2001", "0.2001",
                       "0.2999", "2.999"});
    /* 8. SELL BTC for 1000 USDT, profit in BTC. Hedge sells 1000 / 100,000 = 0.01 BTC; profit
     * 0.010005 - 0.01 = 0.000005 BTC. Fee 0.2 USDT = 0.000002 BTC; P&L 0.000003 BTC; bps 3. */
    hedge_case(SELL, "1000", QUOTE, "100000", "5", "2", BASE,
               &(want){"99950", "0.010005", "1000", "0.01", "1000", "0.000005", "0.2", "0.000002",
                       "0.000003", "3"});
}

/* The seed: buy 1.5 BTC at LP 100,000 with 5 bps markup -> client pays 150,075.00000000 USDT;
 * profit 75 USDT (quote) or 0.00075 BTC (base). No fee. */
static void test_seed_example(void **state)
{
    (void)state;
    char buf[TL_FIXED_STRLEN];
    tl_hedge q = run(BUY, "1.5", BASE, "100000", "5", "0", QUOTE);
    tl_fixed_format_dp(q.client_pays, 8, buf, sizeof buf);
    assert_string_equal(buf, "150075.00000000");
    assert_int_equal(q.client_pays_in, QUOTE);
    expect("client gets", q.client_gets, "1.5");
    expect("profit", q.profit, "75");
    expect("P&L", q.pnl, "75");
    expect("fee", q.fee, "0");
    /* 75 / 150,075 * 10000 = 4.99750124|937... -> 4.99750125 */
    expect("bps", q.pnl_bps, "4.99750125");

    tl_hedge b = run(BUY, "1.5", BASE, "100000", "5", "0", BASE);
    tl_fixed_format_dp(b.client_pays, 8, buf, sizeof buf);
    assert_string_equal(buf, "150075.00000000");
    expect("hedge base", b.hedge_base, "1.50075");
    expect("profit", b.profit, "0.00075");
    expect("P&L", b.pnl, "0.00075");
    expect("bps", b.pnl_bps, "4.99750125"); /* 0.00075 BTC = 75 USDT at 100,000 */
}

/* ETHUSDT at LP 3456.78, markup 7 bps, fee 1.5 bps, 1234.56 USDT: every quantity needs rounding.
 * Buy: client price 3456.78 * 1.0007 = 3459.199746 (exact). */
static void test_rounding(void **state)
{
    (void)state;
    /* Client gets 1234.56 / 3459.199746 = 0.35689179|3088... -> 0.35689179 ETH. Profit in USDT:
     * hedge 0.35689179 * 3456.78 = 1233.69640183|62 -> 1233.69640184; profit 1234.56 -
     * 1233.69640184 = 0.86359816. Fee 1233.69640184 * 0.00015 = 0.18505446|0276 -> 0.18505446;
     * P&L 0.67854370; bps 0.6785437 / 1234.56 * 10000 = 5.49623914|59... -> 5.49623915. */
    hedge_case(BUY, "1234.56", QUOTE, "3456.78", "7", "1.5", QUOTE,
               &(want){"3459.199746", "0.35689179", "1234.56", "0.35689179", "1233.69640184",
                       "0.86359816", "0.18505446", "0.18505446", "0.6785437", "5.49623915"});
    /* Profit in ETH: hedge 1234.56 / 3456.78 = 0.35714161|7343... -> 0.35714162 ETH; profit
     * 0.35714162 - 0.35689179 = 0.00024983. Fee 1234.56 * 0.00015 = 0.185184 USDT; in ETH
     * 0.185184 / 3456.78 = 0.00005357|124... -> 0.00005357; P&L 0.00019626 ETH = 0.67842764|28
     * USDT; bps 0.6784276428 / 1234.56 * 10000 = 5.49529907|659... -> 5.49529908. */
    hedge_case(BUY, "1234.56", QUOTE, "3456.78", "7", "1.5", BASE,
               &(want){"3459.199746", "0.35689179", "1234.56", "0.35714162", "1234.56",
                       "0.00024983", "0.185184", "0.00005357", "0.00019626", "5.49529908"});
    /* Sell: client price 3456.78 * 0.9993 = 3454.360254; client gives 1234.56 / 3454.360254 =
     * 0.35739179|1597... -> 0.35739179 ETH. Hedge sells it for 0.35739179 * 3456.78 =
     * 1235.42479183|62 -> 1235.42479184; profit 0.86479184. Fee 1235.42479184 * 0.00015 =
     * 0.18531371|8776 -> 0.18531372; P&L 0.67947812; bps 5.50380799|63... -> 5.50380800. */
    hedge_case(SELL, "1234.56", QUOTE, "3456.78", "7", "1.5", QUOTE,
               &(want){"3454.360254", "0.35739179", "1234.56", "0.35739179", "1235.42479184",
                       "0.86479184", "0.18531372", "0.18531372", "0.67947812", "5.503808"});
    /* Profit in ETH: the hedge sells 0.35714162 ETH (as above); profit 0.35739179 - 0.35714162 =
     * 0.00025017; fee 0.00005357; P&L 0.0001966 ETH = 0.679602948 USDT; bps 0.679602948 /
     * 1234.56 * 10000 = 5.50481910|96... -> 5.50481911. */
    hedge_case(SELL, "1234.56", QUOTE, "3456.78", "7", "1.5", BASE,
               &(want){"3454.360254", "0.35739179", "1234.56", "0.35714162", "1234.56",
                       "0.00025017", "0.185184", "0.00005357", "0.0001966", "5.50481911"});
}

/* The fee of a profit kept in base is the exact quote fee converted at the LP price, rounded once:
 * 1234.56 * 1.5 bps = 0.185184 USDT at 3456.78 -> 0.00005357 BTC (above); here one where the
 * quote fee itself has more than 8 decimals: buy 0.123 BTC at 100,000, 3 bps markup, profit in
 * BTC, fee 0.33333333 bps. Client pays 0.123 * 100,030 = 12303.69; hedge spends it: 0.1230369
 * BTC; fee 12303.69 * 0.000033333333 = 0.41012299|59... USDT -> 0.41012300; in BTC
 * 0.4101229959 / 100,000 = 0.00000410|1229... -> 0.00000410 (rounding the rounded quote fee
 * would give the same here; the rule is one rounding of the exact value). */
static void test_fee_conversion(void **state)
{
    (void)state;
    tl_hedge h = run(BUY, "0.123", BASE, "100000", "3", "0.33333333", BASE);
    expect("client quote", h.client_quote, "12303.69");
    expect("hedge base", h.hedge_base, "0.1230369");
    expect("profit", h.profit, "0.0000369");
    expect("fee (quote)", h.fee_quote, "0.410123");
    expect("fee (base)", h.fee, "0.0000041");
    expect("P&L", h.pnl, "0.0000328");
    /* 0.0000328 BTC = 3.28 USDT; 3.28 / 12303.69 * 10000 = 2.66586690|66... -> 2.66586691 */
    expect("bps", h.pnl_bps, "2.66586691");

    /* A fee larger than the profit: a loss, in the profit asset and in bps. BUY 1.5 BTC at
     * 100,000, 5 bps markup, 10 bps fee, profit in USDT: fee 150 USDT, P&L 75 - 150 = -75,
     * bps -4.99750125 (half away from zero, as the positive one). */
    tl_hedge l = run(BUY, "1.5", BASE, "100000", "5", "10", QUOTE);
    expect("loss", l.pnl, "-75");
    expect("loss bps", l.pnl_bps, "-4.99750125");
}

/* bps rounds half away from zero: 100,000 USDT of BTC at LP 9.41 (no markup, no fee). Client base
 * 100,000 / 9.41 = 10626.99256110|52... -> 10626.99256111; hedge quote 10626.99256111 * 9.41 =
 * 100000.00000004|51 -> 100000.00000005. A buy loses 0.00000005 USDT: -0.00000005 / 100,000 *
 * 10000 = -0.000000005 exactly, a tie: -0.00000001 (truncation or half-even would give 0). A
 * sell gains it: +0.00000001. */
static void test_bps_tie(void **state)
{
    (void)state;
    tl_hedge b = run(BUY, "100000", QUOTE, "9.41", "0", "0", QUOTE);
    expect("client base", b.client_base, "10626.99256111");
    expect("hedge quote", b.hedge_quote, "100000.00000005");
    expect("P&L", b.pnl, "-0.00000005");
    expect("bps", b.pnl_bps, "-0.00000001");
    tl_hedge s = run(SELL, "100000", QUOTE, "9.41", "0", "0", QUOTE);
    expect("P&L", s.pnl, "0.00000005");
    expect("bps", s.pnl_bps, "0.00000001");
}

static void refused(tl_hedge_input in, int code, const char *msg)
{
    tl_hedge h, before;
    memset(&h, 0x5a, sizeof h);
    before = h;
    tl_err err;
    tl_err_clear(&err);
    int rc = tl_hedge_compute(&in, &h, &err);
    if (rc != code || strcmp(err.msg, msg) != 0)
        fail_msg("rc %d '%s', want %d '%s'", rc, err.msg, code, msg);
    assert_memory_equal(&h, &before, sizeof h); /* untouched */
}

static void test_refusals(void **state)
{
    (void)state;
    const tl_hedge_input ok = {BUY, fx("1.5"), BASE, fx("100000"), fx("5"), 0, QUOTE};
    tl_hedge_input in = ok;
    in.amount = 0;
    refused(in, TL_EINVAL, "hedge: the amount must be positive");
    in = ok;
    in.lp_price = -1;
    refused(in, TL_EINVAL, "hedge: the LP price must be positive");
    in = ok;
    in.markup_bps = TL_FIXED_INT(10000);
    refused(in, TL_EINVAL, "hedge: markup must be within [0, 10000) bps");
    in = ok;
    in.fee_bps = TL_FIXED_INT(10000) + 1;
    refused(in, TL_EINVAL, "hedge: fee must be within [0, 10000] bps");
    in = ok;
    in.side = (tl_side)7;
    refused(in, TL_EINVAL, "hedge: side must be BUY or SELL");
    in = ok;
    in.profit_in = (tl_pair_leg)2;
    refused(in, TL_EINVAL, "hedge: an asset must be base or quote");
    /* 0.00000001 USDT buys 1e-13 BTC at 100,050: rounds to 0. */
    in = ok;
    in.amount = 1;
    in.amount_in = QUOTE;
    refused(in, TL_EINVAL, "hedge: the client base quantity rounds to 0 (amount too small)");
    /* A client sell at the largest markup of a tiny price: 0.00000001 * 0.00000001 -> 0. */
    in = ok;
    in.side = SELL;
    in.lp_price = 1;
    in.markup_bps = TL_HEDGE_MARKUP_BPS_MAX;
    refused(in, TL_EINVAL, "hedge: the client price rounds to 0 (LP price too small)");
    /* 1,000,000 BTC at 100,000: 1e11 USDT is past tl_fixed. */
    in = ok;
    in.amount = TL_FIXED_INT(1000000);
    refused(in, TL_ERANGE, "hedge: client quote quantity out of range");
}

/* The largest markup and fee are allowed and stay exact: a client sell at 9999.99999999 bps. */
static void test_bounds(void **state)
{
    (void)state;
    tl_hedge h = run(SELL, "1", BASE, "100000", "9999.99999999", "10000", QUOTE);
    /* 100,000 * (1 - 0.999999999999) = 0.0000001 */
    expect("client price", h.client_price, "0.0000001");
    expect("profit", h.profit, "99999.9999999");
    expect("fee", h.fee, "100000");
    expect("P&L", h.pnl, "-0.0000001");
    expect("bps", h.pnl_bps, "-10000"); /* -0.0000001 / 0.0000001 * 10000 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eight_cases), cmocka_unit_test(test_seed_example),
        cmocka_unit_test(test_rounding),    cmocka_unit_test(test_fee_conversion),
        cmocka_unit_test(test_bps_tie),     cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
