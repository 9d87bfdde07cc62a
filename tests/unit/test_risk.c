/* Unit tests of the runtime risk monitor (src/risk/risk.c): every rule at its boundary. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "risk/risk.h"

#define SEC 1000000000LL

/* Decimal literal as fixed-point, exactly. */
static tl_fixed X(const char *s)
{
    tl_fixed v = 0;
    assert_int_equal(tl_fixed_parse(s, (size_t)-1, &v, NULL), 0);
    return v;
}

static tl_instrument btc(void)
{
    tl_instrument i = {.symbol = "BTCUSDT", .base = "BTC", .quote = "USDT"};
    i.tick_size = X("0.01");
    i.lot_size = X("0.001");
    i.min_qty = X("0.001");
    i.max_qty = X("100");
    i.min_notional = X("5");
    return i;
}

/* Increments of 1e-8 everywhere, to test limits to the last unit. */
static tl_instrument fine(void)
{
    tl_instrument i = {.symbol = "FINE", .base = "FIN", .quote = "USD"};
    i.tick_size = 1;
    i.lot_size = 1;
    i.min_qty = 1;
    i.max_qty = TL_FIXED_MAX;
    i.min_notional = 0;
    return i;
}

static void init(tl_risk *r, const tl_risk_config *cfg)
{
    assert_int_equal(tl_risk_init(r, cfg, 4, NULL), 0);
}

/* Runs one check and returns its reason; checks that the return code and the text agree with it:
 * a refusal is TL_ERISK and its text starts with "REASON: ". */
static tl_risk_reason check(tl_risk *r, const tl_instrument *inst, tl_side side, tl_fixed price,
                            tl_fixed qty, const tl_risk_exposure *x, int64_t now, tl_err *err)
{
    tl_risk_reason why = (tl_risk_reason)-1;
    tl_err e;
    tl_err *ep = err ? err : &e;

    memset(ep, 0, sizeof(*ep));
    int rc = tl_risk_check(r, inst, 0, side, price, qty, x, now, &why, ep);
    if (rc == 0) {
        assert_int_equal(why, TL_RR_OK);
        return why;
    }
    assert_int_equal(rc, TL_ERISK);
    assert_int_equal(ep->code, TL_ERISK);
    const char *name = tl_risk_reason_name(why);
    size_t n = strlen(name);
    assert_true(strncmp(ep->msg, name, n) == 0);
    assert_memory_equal(ep->msg + n, ": ", 2);
    return why;
}

#define ACCEPT(r, inst, side, px, qty, x)                                                          \
    assert_int_equal(check(r, inst, side, px, qty, x, 0, NULL), TL_RR_OK)
#define REFUSE(r, inst, side, px, qty, x, why)                                                     \
    assert_int_equal(check(r, inst, side, px, qty, x, 0, NULL), why)

static void test_reason_table(void **state)
{
    (void)state;
    assert_string_equal(tl_risk_reason_name(TL_RR_OK), "OK");
    assert_string_equal(tl_risk_reason_name(TL_RR_PRICE_COLLAR), "PRICE_COLLAR");
    assert_string_equal(tl_risk_reason_name(TL_RR_FROZEN), "FROZEN");
    assert_string_equal(tl_risk_reason_text(TL_RR_INVENTORY), "inventory limit per symbol");
    assert_string_equal(tl_risk_reason_name(TL_RR__COUNT), "?");
    assert_string_equal(tl_risk_reason_name(-1), "?");
}

static void test_config_validate(void **state)
{
    (void)state;
    static const struct {
        size_t off;
        const char *msg;
    } fields[] = {
        {offsetof(tl_risk_config, max_order_notional), "max_order_notional must not be negative"},
        {offsetof(tl_risk_config, collar_bps), "collar_bps must not be negative"},
        {offsetof(tl_risk_config, max_inventory_usd), "max_inventory_usd must not be negative"},
        {offsetof(tl_risk_config, max_total_notional), "max_total_notional must not be negative"},
        {offsetof(tl_risk_config, edge_threshold_bps), "edge_threshold_bps must not be negative"},
    };
    tl_risk_config cfg = {0};
    tl_err err;
    tl_risk r;

    assert_int_equal(tl_risk_config_validate(&cfg, &err), 0);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        tl_risk_config bad = {0};
        tl_fixed neg = -1;
        memcpy((char *)&bad + fields[i].off, &neg, sizeof(neg));
        assert_int_equal(tl_risk_config_validate(&bad, &err), TL_EINVAL);
        assert_string_equal(err.msg, fields[i].msg);
        /* init refuses it too and leaves the monitor untouched */
        memset(&r, 0xAB, sizeof(r));
        assert_int_equal(tl_risk_init(&r, &bad, 4, NULL), TL_EINVAL);
        assert_int_equal(r.ref_count, 0xABABABABu);
    }
    cfg.max_orders_per_sec = 2000000;
    assert_int_equal(tl_risk_config_validate(&cfg, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "max_orders_per_sec"));
}

static void test_reference(void **state)
{
    (void)state;
    tl_risk_config cfg = {0};
    tl_risk r;

    init(&r, &cfg);
    assert_int_equal(tl_risk_reference(&r, 2), 0);
    assert_int_equal(tl_risk_set_reference(&r, 2, X("100")), 0);
    assert_int_equal(tl_risk_reference(&r, 2), X("100"));
    assert_int_equal(tl_risk_set_reference(&r, 4, X("100")), TL_EINVAL); /* only 4 kept */
    assert_int_equal(tl_risk_set_reference(&r, 2, -1), TL_EINVAL);
    assert_int_equal(tl_risk_reference(&r, 2), X("100"));
    assert_int_equal(tl_risk_reference(&r, 99), 0);
    tl_risk_close(&r);
}

static void test_instrument_rules(void **state)
{
    (void)state;
    tl_risk_config cfg = {0};
    tl_instrument i = btc();
    tl_risk r;
    tl_err err;

    init(&r, &cfg);
    assert_int_equal(check(&r, NULL, TL_SIDE_BUY, X("100"), X("1"), NULL, 0, &err),
                     TL_RR_UNKNOWN_INSTRUMENT);

    ACCEPT(&r, &i, TL_SIDE_BUY, X("100.01"), X("1"), NULL);
    REFUSE(&r, &i, TL_SIDE_BUY, X("100.005"), X("1"), NULL, TL_RR_BAD_PRICE);
    REFUSE(&r, &i, TL_SIDE_BUY, 0, X("1"), NULL, TL_RR_BAD_PRICE);
    REFUSE(&r, &i, TL_SIDE_BUY, -X("100"), X("1"), NULL, TL_RR_BAD_PRICE);
    /* first failure wins: a bad price hides a bad quantity */
    REFUSE(&r, &i, TL_SIDE_BUY, X("100.005"), 0, NULL, TL_RR_BAD_PRICE);

    REFUSE(&r, &i, TL_SIDE_BUY, X("100"), 0, NULL, TL_RR_BAD_QTY);
    REFUSE(&r, &i, TL_SIDE_BUY, X("100"), -X("0.001"), NULL, TL_RR_BAD_QTY);
    REFUSE(&r, &i, TL_SIDE_BUY, X("100"), X("0.0015"), NULL, TL_RR_BAD_QTY);

    i.min_qty = X("0.01");
    ACCEPT(&r, &i, TL_SIDE_BUY, X("1000"), X("0.01"), NULL);
    REFUSE(&r, &i, TL_SIDE_BUY, X("1000"), X("0.009"), NULL, TL_RR_QTY_BELOW_MIN);
    ACCEPT(&r, &i, TL_SIDE_SELL, X("100"), X("100"), NULL);
    assert_int_equal(check(&r, &i, TL_SIDE_SELL, X("100"), X("100.001"), NULL, 0, &err),
                     TL_RR_QTY_ABOVE_MAX);
    assert_non_null(strstr(err.msg, "100.001"));
    tl_risk_close(&r);
}

static void test_notional_rules(void **state)
{
    (void)state;
    tl_risk_config cfg = {.max_order_notional = X("10000")};
    tl_instrument b = btc(), f = fine();
    tl_risk r;
    tl_err err;

    init(&r, &cfg);
    /* min notional 5 */
    ACCEPT(&r, &b, TL_SIDE_BUY, X("100"), X("0.05"), NULL);
    REFUSE(&r, &b, TL_SIDE_BUY, X("100"), X("0.049"), NULL, TL_RR_NOTIONAL_BELOW_MIN);
    f.min_notional = X("5");
    ACCEPT(&r, &f, TL_SIDE_BUY, X("1"), X("5"), NULL);
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, X("1"), X("4.99999999"), NULL, 0, &err),
                     TL_RR_NOTIONAL_BELOW_MIN);
    assert_string_equal(err.msg, "NOTIONAL_BELOW_MIN: 4.99999999 x 1 = 4.99999999 < 5");
    f.min_notional = 0;

    /* max order notional 10000 */
    ACCEPT(&r, &b, TL_SIDE_BUY, X("10000"), X("1"), NULL);
    REFUSE(&r, &b, TL_SIDE_BUY, X("10000.01"), X("1"), NULL, TL_RR_ORDER_NOTIONAL);
    ACCEPT(&r, &f, TL_SIDE_SELL, X("1"), X("10000"), NULL);
    REFUSE(&r, &f, TL_SIDE_SELL, X("1"), X("10000.00000001"), NULL, TL_RR_ORDER_NOTIONAL);
    tl_risk_close(&r);

    /* 0.00000007 x 71428571.42857143 = 5.0000000000000001: rounded to 8 decimals it would equal
     * the limit; compared exactly it is past it. */
    cfg.max_order_notional = X("5");
    init(&r, &cfg);
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, X("71428571.42857143"), 7, NULL, 0, &err),
                     TL_RR_ORDER_NOTIONAL);
    assert_string_equal(err.msg,
                        "ORDER_NOTIONAL: 0.00000007 x 71428571.42857143 = 5.0000000000000001 > 5");
    ACCEPT(&r, &f, TL_SIDE_BUY, X("71428571.42857142"), 7, NULL);
    tl_risk_close(&r);
}

static void test_collar(void **state)
{
    (void)state;
    tl_risk_config cfg = {.collar_bps = X("100")};
    tl_instrument b = btc();
    tl_risk r;
    tl_err err;

    init(&r, &cfg);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, 0, &err),
                     TL_RR_NO_REFERENCE);
    assert_int_equal(tl_risk_set_reference(&r, 0, X("100")), 0);
    ACCEPT(&r, &b, TL_SIDE_BUY, X("101"), X("1"), NULL);
    REFUSE(&r, &b, TL_SIDE_BUY, X("101.01"), X("1"), NULL, TL_RR_PRICE_COLLAR);
    ACCEPT(&r, &b, TL_SIDE_SELL, X("99"), X("1"), NULL);
    REFUSE(&r, &b, TL_SIDE_SELL, X("98.99"), X("1"), NULL, TL_RR_PRICE_COLLAR);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("101.5"), X("1"), NULL, 0, &err),
                     TL_RR_PRICE_COLLAR);
    assert_string_equal(err.msg, "PRICE_COLLAR: 101.5 is 150 bps from reference 100 > 100 bps");
    tl_risk_close(&r);

    /* A fractional collar on a large price, to the last unit: 0.5 bps of 50000 is 2.5. */
    cfg.collar_bps = X("0.5");
    init(&r, &cfg);
    tl_instrument f = fine();
    assert_int_equal(tl_risk_set_reference(&r, 0, X("50000")), 0);
    ACCEPT(&r, &f, TL_SIDE_BUY, X("50002.5"), X("1"), NULL);
    REFUSE(&r, &f, TL_SIDE_BUY, X("50002.50000001"), X("1"), NULL, TL_RR_PRICE_COLLAR);
    ACCEPT(&r, &f, TL_SIDE_SELL, X("49997.5"), X("1"), NULL);
    REFUSE(&r, &f, TL_SIDE_SELL, X("49997.49999999"), X("1"), NULL, TL_RR_PRICE_COLLAR);
    tl_risk_close(&r);
}

static void test_inventory(void **state)
{
    (void)state;
    tl_risk_config cfg = {.max_inventory_usd = X("10000")};
    tl_instrument b = btc(), f = fine();
    tl_risk_exposure x = {0};
    tl_risk r;
    tl_err err;

    init(&r, &cfg);
    /* No reference yet: the order's own price marks it. */
    ACCEPT(&r, &b, TL_SIDE_BUY, X("50000"), X("0.2"), &x);
    REFUSE(&r, &b, TL_SIDE_BUY, X("50000"), X("0.201"), &x, TL_RR_INVENTORY);

    /* With a reference, the reference marks it, whatever the order price. */
    assert_int_equal(tl_risk_set_reference(&r, 0, X("50000")), 0);
    ACCEPT(&r, &b, TL_SIDE_BUY, X("40000"), X("0.2"), &x);
    REFUSE(&r, &b, TL_SIDE_BUY, X("40000"), X("0.201"), &x, TL_RR_INVENTORY);
    ACCEPT(&r, &b, TL_SIDE_SELL, X("50000"), X("0.2"), &x);
    assert_int_equal(check(&r, &b, TL_SIDE_SELL, X("50000"), X("0.201"), &x, 0, &err),
                     TL_RR_INVENTORY);
    assert_string_equal(err.msg, "INVENTORY: |-0.201| x 50000 = 10050 > 10000");

    /* The existing position counts, to the last 1e-8. */
    x.position_qty = X("0.19999999");
    ACCEPT(&r, &f, TL_SIDE_BUY, X("50000"), 1, &x);
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, X("50000"), 2, &x, 0, &err), TL_RR_INVENTORY);
    assert_string_equal(err.msg, "INVENTORY: |0.20000001| x 50000 = 10000.0005 > 10000");

    /* Reductions pass however far over the limit the position is. */
    x.position_qty = X("1");
    ACCEPT(&r, &b, TL_SIDE_SELL, X("50000"), X("0.5"), &x);
    REFUSE(&r, &b, TL_SIDE_BUY, X("50000"), X("0.001"), &x, TL_RR_INVENTORY);
    /* A flip that ends smaller is a reduction; one that ends larger is not. */
    x.position_qty = X("0.5");
    ACCEPT(&r, &b, TL_SIDE_SELL, X("50000"), X("0.9"), &x); /* -> -0.4 */
    x.position_qty = X("0.1");
    REFUSE(&r, &b, TL_SIDE_SELL, X("50000"), X("0.4"), &x, TL_RR_INVENTORY); /* -> -0.3 */
    x.position_qty = -X("0.3");
    ACCEPT(&r, &b, TL_SIDE_BUY, X("50000"), X("0.5"), &x); /* -> 0.2, exactly the limit */
    x.position_qty = X("0.3");
    REFUSE(&r, &b, TL_SIDE_SELL, X("50000"), X("0.6"), &x, TL_RR_INVENTORY); /* same size */
    tl_risk_close(&r);
}

static void test_total_notional(void **state)
{
    (void)state;
    tl_risk_config cfg = {.max_total_notional = X("50000")};
    tl_instrument b = btc(), f = fine();
    tl_risk_exposure x = {.total_notional = X("40000")};
    tl_risk r;
    tl_err err;

    init(&r, &cfg);
    assert_int_equal(tl_risk_set_reference(&r, 0, X("50000")), 0);
    ACCEPT(&r, &b, TL_SIDE_BUY, X("50000"), X("0.2"), &x);
    REFUSE(&r, &b, TL_SIDE_BUY, X("50000"), X("0.201"), &x, TL_RR_TOTAL_NOTIONAL);

    /* This symbol's current notional is replaced by its notional after the fill. */
    x = (tl_risk_exposure){
        .position_qty = X("0.1"), .total_notional = X("45000"), .symbol_notional = X("5000")};
    ACCEPT(&r, &b, TL_SIDE_BUY, X("50000"), X("0.1"), &x);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("50000"), X("0.101"), &x, 0, &err),
                     TL_RR_TOTAL_NOTIONAL);
    assert_string_equal(err.msg, "TOTAL_NOTIONAL: 40000 + |0.201| x 50000 = 50050 > 50000");
    x.total_notional = X("45000.00000001");
    REFUSE(&r, &f, TL_SIDE_BUY, X("50000"), X("0.1"), &x, TL_RR_TOTAL_NOTIONAL);

    /* Reductions pass even when the portfolio is far over. */
    x = (tl_risk_exposure){
        .position_qty = X("0.5"), .total_notional = X("100000"), .symbol_notional = X("25000")};
    ACCEPT(&r, &b, TL_SIDE_SELL, X("50000"), X("0.1"), &x);
    REFUSE(&r, &b, TL_SIDE_BUY, X("50000"), X("0.001"), &x, TL_RR_TOTAL_NOTIONAL);
    /* A flip to the same size is not a reduction. */
    REFUSE(&r, &b, TL_SIDE_SELL, X("50000"), X("1"), &x, TL_RR_TOTAL_NOTIONAL);
    ACCEPT(&r, &b, TL_SIDE_SELL, X("50000"), X("0.999"), &x);
    /* Inconsistent figures (symbol above total) never make room for more. */
    x = (tl_risk_exposure){.total_notional = 0, .symbol_notional = X("20000")};
    ACCEPT(&r, &b, TL_SIDE_BUY, X("50000"), X("1"), &x);
    REFUSE(&r, &b, TL_SIDE_BUY, X("50000"), X("1.001"), &x, TL_RR_TOTAL_NOTIONAL);
    tl_risk_close(&r);

    /* The per-symbol limit is checked first. */
    cfg.max_inventory_usd = X("1000");
    init(&r, &cfg);
    x = (tl_risk_exposure){.total_notional = X("100000")};
    REFUSE(&r, &b, TL_SIDE_BUY, X("50000"), X("0.1"), &x, TL_RR_INVENTORY);
    tl_risk_close(&r);
}

static void test_rate(void **state)
{
    (void)state;
    tl_risk_config cfg = {.max_orders_per_sec = 3};
    tl_instrument b = btc();
    tl_risk r;
    tl_err err;

    init(&r, &cfg);
    /* A refusal for another reason does not use the throttle. */
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100.001"), X("1"), NULL, 0, NULL),
                     TL_RR_BAD_PRICE);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, 0, NULL), TL_RR_OK);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, SEC / 10, NULL), TL_RR_OK);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, SEC - 1, NULL), TL_RR_OK);
    /* N within the second went through; the N+1th is refused, and refusals are not recorded */
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, SEC - 1, &err), TL_RR_RATE);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, SEC - 1, NULL), TL_RR_RATE);
    /* At exactly 1 s after the oldest, it has left the window. */
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, SEC, NULL), TL_RR_OK);
    /* Now the oldest is 0.1 s: one ns short of its second, still refused. */
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, SEC + SEC / 10 - 1, NULL),
                     TL_RR_RATE);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, SEC + SEC / 10, NULL),
                     TL_RR_OK);
    /* After a quiet spell the whole budget is back. */
    for (int k = 0; k < 3; k++)
        assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, 5 * SEC, NULL),
                         TL_RR_OK);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, 5 * SEC, NULL), TL_RR_RATE);
    assert_int_equal(r.stats.blocks_by_reason[TL_RR_RATE], 4);
    tl_risk_close(&r);
}

static void test_freeze(void **state)
{
    (void)state;
    tl_risk_config cfg = {.edge_threshold_bps = X("3")};
    tl_instrument b = btc();
    tl_risk r;
    tl_err err;

    init(&r, &cfg);
    assert_string_equal(r.freeze_reason, "");
    assert_int_equal(tl_risk_on_edge(&r, X("3")), 0); /* at the threshold is fine */
    assert_false(r.frozen);
    assert_int_equal(tl_risk_on_edge(&r, X("2.4")), 1);
    assert_true(r.frozen);
    assert_int_equal(r.last_edge_bps, X("2.4"));
    assert_string_equal(r.freeze_reason, "Edge degradation: 2.40 BPS < 3.00 BPS");
    assert_int_equal(r.stats.freeze_events, 1);
    /* Counted once while frozen; the first reason stays. */
    assert_int_equal(tl_risk_on_edge(&r, X("1")), 0);
    assert_int_equal(tl_risk_freeze(&r, "kill switch"), 0);
    assert_int_equal(r.stats.freeze_events, 1);
    assert_int_equal(r.last_edge_bps, X("1"));
    assert_string_equal(r.freeze_reason, "Edge degradation: 2.40 BPS < 3.00 BPS");

    /* Frozen refuses everything, before any other rule. */
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, 0, &err), TL_RR_FROZEN);
    assert_string_equal(err.msg, "FROZEN: Edge degradation: 2.40 BPS < 3.00 BPS");
    REFUSE(&r, NULL, TL_SIDE_SELL, 0, 0, NULL, TL_RR_FROZEN);

    tl_risk_unfreeze(&r);
    assert_false(r.frozen);
    assert_string_equal(r.freeze_reason, "Edge degradation: 2.40 BPS < 3.00 BPS");
    assert_int_equal(r.stats.freeze_events, 1);
    ACCEPT(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL);

    assert_int_equal(tl_risk_on_edge(&r, -X("0.125")), 1);
    assert_string_equal(r.freeze_reason, "Edge degradation: -0.13 BPS < 3.00 BPS");
    tl_risk_unfreeze(&r);
    assert_int_equal(tl_risk_freeze(&r, "kill switch"), 1);
    assert_string_equal(r.freeze_reason, "kill switch");
    assert_int_equal(r.stats.freeze_events, 3);
    assert_int_equal(check(&r, &b, TL_SIDE_BUY, X("100"), X("1"), NULL, 0, &err), TL_RR_FROZEN);
    assert_string_equal(err.msg, "FROZEN: kill switch");
    tl_risk_close(&r);

    /* A zero threshold never freezes. */
    cfg.edge_threshold_bps = 0;
    init(&r, &cfg);
    assert_int_equal(tl_risk_on_edge(&r, -X("1000")), 0);
    assert_false(r.frozen);
    assert_int_equal(r.stats.freeze_events, 0);
    tl_risk_close(&r);
}

static void test_no_limits_and_stats(void **state)
{
    (void)state;
    tl_risk_config cfg = {0};
    tl_instrument f = fine();
    tl_risk_exposure x = {.position_qty = X("1000000"), .total_notional = X("90000000000")};
    tl_risk r;
    tl_risk_reason why = TL_RR_FROZEN;

    init(&r, &cfg);
    /* No collar without a reference, no notional, inventory or rate limit. */
    for (int k = 0; k < 1000; k++)
        ACCEPT(&r, &f, TL_SIDE_BUY, X("90000000000"), X("90000000000"), &x);
    assert_int_equal(tl_risk_check(&r, &f, 0, TL_SIDE_SELL, 1, 1, NULL, 0, &why, NULL), 0);
    assert_int_equal(why, TL_RR_OK);
    REFUSE(&r, &f, TL_SIDE_SELL, 0, 1, NULL, TL_RR_BAD_PRICE);
    REFUSE(&r, &f, TL_SIDE_SELL, 1, 0, NULL, TL_RR_BAD_QTY);
    REFUSE(&r, &f, TL_SIDE_SELL, 1, -1, NULL, TL_RR_BAD_QTY);
    /* err may be NULL */
    assert_int_equal(tl_risk_check(&r, NULL, 3, TL_SIDE_SELL, 1, 1, NULL, 0, &why, NULL), TL_ERISK);
    assert_int_equal(why, TL_RR_UNKNOWN_INSTRUMENT);

    assert_int_equal(r.stats.checks, 1005);
    assert_int_equal(r.stats.blocks, 4);
    assert_int_equal(r.stats.blocks_by_reason[TL_RR_BAD_PRICE], 1);
    assert_int_equal(r.stats.blocks_by_reason[TL_RR_BAD_QTY], 2);
    assert_int_equal(r.stats.blocks_by_reason[TL_RR_UNKNOWN_INSTRUMENT], 1);
    assert_int_equal(r.stats.blocks_by_reason[TL_RR_OK], 0);
    tl_risk_close(&r);
}

/* Seed 003's paper policy as rows of the table: each exactly at and one unit past its limit. */
static void test_paper_rules(void **state)
{
    (void)state;
    tl_instrument f = fine();
    tl_risk_config cfg = {0};
    cfg.long_only = true;
    cfg.full_close_only = true;
    cfg.require_cash = true;
    tl_risk r;
    init(&r, &cfg);
    tl_risk_exposure x = {0};
    x.cash = TL_FIXED_INT(100);
    /* Long-only: nothing held, nothing to sell. */
    assert_int_equal(check(&r, &f, TL_SIDE_SELL, TL_FIXED_INT(1), 1, &x, 0, NULL), TL_RR_LONG_ONLY);
    /* Full close: exactly the holding is accepted, a unit less or more is refused. */
    x.held_qty = x.position_qty = TL_FIXED_INT(2);
    ACCEPT(&r, &f, TL_SIDE_SELL, TL_FIXED_INT(1), TL_FIXED_INT(2), &x);
    assert_int_equal(check(&r, &f, TL_SIDE_SELL, TL_FIXED_INT(1), TL_FIXED_INT(2) - 1, &x, 0, NULL),
                     TL_RR_FULL_CLOSE_ONLY);
    assert_int_equal(check(&r, &f, TL_SIDE_SELL, TL_FIXED_INT(1), TL_FIXED_INT(2) + 1, &x, 0, NULL),
                     TL_RR_FULL_CLOSE_ONLY);
    /* Cash: a buy costing exactly the cash passes, one unit more does not; the text says both. */
    ACCEPT(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(50), TL_FIXED_INT(2), &x);
    tl_err err;
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(50) + 1, TL_FIXED_INT(2), &x, 0, &err),
                     TL_RR_INSUFFICIENT_CASH);
    assert_string_equal(err.msg,
                        "INSUFFICIENT_CASH: insufficient cash: need 100.00000002, have 100");
    /* Off: the same orders pass. */
    tl_risk_close(&r);
    tl_risk_config off = {0};
    init(&r, &off);
    x.held_qty = x.position_qty = 0;
    ACCEPT(&r, &f, TL_SIDE_SELL, TL_FIXED_INT(1), 1, &x);
    ACCEPT(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(1000), TL_FIXED_INT(2), &x);
    tl_risk_close(&r);
}

/* Seed 001's market filters, each exactly at and one unit past its limit, entries only. */
static void test_market_filters(void **state)
{
    (void)state;
    tl_instrument f = fine();
    tl_risk_config cfg = {0};
    cfg.max_spread_bps = TL_FIXED_INT(50);
    cfg.max_quote_age_ns = 500 * 1000000LL;
    cfg.max_slippage_bps = TL_FIXED_INT(10);
    tl_risk r;
    init(&r, &cfg);
    tl_risk_exposure x = {0};
    int64_t t0 = 1000 * 1000000000LL;
    /* No quote yet: the filters cannot pass an entry. */
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x, t0, NULL), TL_RR_SPREAD);
    /* Spread: bid 99.75, ask 100.25 is exactly 50 bps of the mid 100; a unit wider is past it. */
    assert_int_equal(
        tl_risk_set_quote(&r, 0, TL_FIXED_INT(100) - 25000000, TL_FIXED_INT(100) + 25000000, t0),
        0);
    ACCEPT(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x);
    assert_int_equal(
        tl_risk_set_quote(&r, 0, TL_FIXED_INT(100) - 25000000, TL_FIXED_INT(100) + 25000001, t0),
        0);
    tl_err err;
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x, t0, &err), TL_RR_SPREAD);
    /* An exit passes every filter. */
    x.is_exit = true;
    assert_int_equal(check(&r, &f, TL_SIDE_SELL, TL_FIXED_INT(100), 1, &x, t0, NULL), TL_RR_OK);
    x.is_exit = false;
    /* Stale: 500 ms old is fresh enough, 1 ns more is not. */
    assert_int_equal(tl_risk_set_quote(&r, 0, TL_FIXED_INT(100), TL_FIXED_INT(100), t0), 0);
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x, t0 + 500000000, NULL),
                     TL_RR_OK);
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x, t0 + 500000001, NULL),
                     TL_RR_STALE_QUOTE);
    /* Slippage: a buy fills at the ask (100); expected 99.9 is 10.01 bps away, past 10. */
    x.expected_price = TL_FIXED_INT(100) - 10000000 + 10000; /* 99.9001: 9.99 bps */
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x, t0, NULL), TL_RR_OK);
    x.expected_price = TL_FIXED_INT(100) - 10000000; /* 99.9: 10.01 bps */
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x, t0, &err),
                     TL_RR_SLIPPAGE);
    assert_non_null(strstr(err.msg, "would fill at 100"));
    x.is_exit = true;
    assert_int_equal(check(&r, &f, TL_SIDE_BUY, TL_FIXED_INT(100), 1, &x, t0, NULL), TL_RR_OK);
    tl_risk_close(&r);
}

/* The table: every row has a unique name, a check and its configuration, and a row that gives a
 * single reason is named after it. */
static void test_rule_table(void **state)
{
    (void)state;
    size_t n = 0;
    const tl_risk_rule *rules = tl_risk_rules(&n);
    assert_true(n >= 12);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(rules[i].check);
        assert_non_null(rules[i].config);
        assert_true(rules[i].first > TL_RR_OK && rules[i].first < TL_RR__COUNT);
        for (size_t j = i + 1; j < n; j++)
            assert_string_not_equal(rules[i].name, rules[j].name);
        if (strcmp(rules[i].name, "INSTRUMENT") != 0)
            assert_string_equal(rules[i].name, tl_risk_reason_name(rules[i].first));
    }
    /* FROZEN runs first (a frozen engine refuses everything), RATE last (it records). */
    assert_string_equal(rules[0].name, "FROZEN");
    assert_string_equal(rules[n - 1].name, "RATE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reason_table),
        cmocka_unit_test(test_config_validate),
        cmocka_unit_test(test_reference),
        cmocka_unit_test(test_instrument_rules),
        cmocka_unit_test(test_notional_rules),
        cmocka_unit_test(test_collar),
        cmocka_unit_test(test_inventory),
        cmocka_unit_test(test_total_notional),
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_freeze),
        cmocka_unit_test(test_no_limits_and_stats),
        cmocka_unit_test(test_paper_rules),
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_market_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
