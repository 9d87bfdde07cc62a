/*
 * test_xcore.c -- the exchange core of `tradeloop exchange`: filters and refusals with Binance's
 * codes, balances locked and moved by fills (both sides, commissions in the asset received),
 * client order ids refused when repeated, cancels freeing what they locked, and recovery from
 * the journal: the same books, balances and ids after a replay, and a tampered journal refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "exchange/xcore.h"

#define T0 (1735689600LL * 1000000000LL)
#define FX(n) TL_FIXED_INT(n)
#define CENT  1000000 /* 0.01 */

static void init(tl_xcore *x, uint32_t fee_bps)
{
    tl_err err;
    if (tl_xcore_init(x, tl_xsymbols_default, tl_xsymbols_default_n, fee_bps, &err) != 0)
        fail_msg("init: %s", err.msg);
}

static uint32_t funded(tl_xcore *x, const char *name, tl_fixed usdt, tl_fixed btc)
{
    uint32_t a;
    tl_err err;
    assert_int_equal(tl_xcore_account(x, name, &a, &err), 0);
    assert_int_equal(tl_xcore_fund(x, a, "USDT", usdt, T0, &err), 0);
    assert_int_equal(tl_xcore_fund(x, a, "BTC", btc, T0, &err), 0);
    return a;
}

/* Places and returns the id; *code gets the refusal's code (0 when placed). */
static uint64_t place(tl_xcore *x, uint32_t acct, uint8_t side, uint8_t type, uint8_t tif,
                      tl_fixed price, tl_fixed qty, const char *cid, int *code)
{
    tl_xplace o = {tl_xcore_symbol(x, "BTCUSDT"), side, type, tif, price, qty, cid};
    uint64_t id = 0;
    uint32_t first;
    tl_xrefusal r;
    tl_err err = {0};
    int rc = tl_xcore_place(x, acct, &o, T0 + 1, &id, &first, &r, &err);
    if (rc < 0)
        fail_msg("place: %s", err.msg);
    *code = rc == 1 ? r.code : 0;
    return id;
}

static tl_fixed free_of(const tl_xcore *x, uint32_t a, const char *asset)
{
    return tl_xcore_balance(x, a, tl_xcore_asset(x, asset)).free;
}

static tl_fixed locked_of(const tl_xcore *x, uint32_t a, const char *asset)
{
    return tl_xcore_balance(x, a, tl_xcore_asset(x, asset)).locked;
}

static void test_refusals(void **state)
{
    (void)state;
    tl_xcore x;
    init(&x, 10);
    uint32_t a = funded(&x, "alice", FX(1000), FX(1));
    int code;
    place(&x, a, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100) + CENT / 2, FX(1), NULL, &code);
    assert_int_equal(code, -1013); /* PRICE_FILTER: off the 0.01 tick */
    place(&x, a, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), 1500, NULL, &code);
    assert_int_equal(code, -1013); /* LOT_SIZE: 0.000015 is off the 0.00001 step */
    place(&x, a, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), 4000000, NULL, &code);
    assert_int_equal(code, -1013); /* MIN_NOTIONAL: 100 x 0.04 = 4 < 5 */
    place(&x, a, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), FX(11), NULL, &code);
    assert_int_equal(code, -2010); /* 1100 USDT > 1000 */
    place(&x, a, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), FX(2), NULL, &code);
    assert_int_equal(code, -2010); /* 2 BTC > 1 */
    assert_int_equal(x.n_orders, 0);
    tl_event *ev;
    assert_int_equal(tl_xcore_pending(&x, &ev), 2); /* the funding only */
    assert_int_equal(free_of(&x, a, "USDT"), FX(1000));

    uint64_t id = place(&x, a, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), FX(1), "c1", &code);
    assert_int_equal(code, 0);
    assert_int_equal(id, 1);
    place(&x, a, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_GTC, FX(200), FX(1), "c1", &code);
    assert_int_equal(code, -2010); /* Duplicate order sent. */
    assert_int_equal(x.n_orders, 1);
    tl_xcore_close(&x);
}

static void test_trade_moves_both_accounts(void **state)
{
    (void)state;
    tl_xcore x;
    init(&x, 10); /* 0.1 % */
    uint32_t m = funded(&x, "maker", FX(0), FX(2));
    uint32_t t = funded(&x, "taker", FX(10000), FX(0));
    int code;
    uint64_t ask1 = place(&x, m, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), FX(1), NULL,
                          &code);
    place(&x, m, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_GTC, FX(101), FX(1), NULL, &code);
    assert_int_equal(locked_of(&x, m, "BTC"), FX(2));
    assert_int_equal(free_of(&x, m, "BTC"), 0);
    /* A LIMIT BUY of 1.5 at 102 takes 1 at 100 and 0.5 at 101: locks 153, spends 150.5. */
    uint64_t bid = place(&x, t, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(102),
                         TL_FIXED_SCALE * 3 / 2, NULL, &code);
    assert_int_equal(code, 0);
    const tl_xorder *o = &x.orders[bid - 1];
    assert_int_equal(o->status, TL_XS_FILLED);
    assert_int_equal(o->quote_executed, FX(150) + TL_FIXED_SCALE / 2);
    assert_int_equal(x.orders[ask1 - 1].status, TL_XS_FILLED);
    assert_int_equal(free_of(&x, t, "USDT"), FX(10000) - FX(150) - TL_FIXED_SCALE / 2);
    assert_int_equal(locked_of(&x, t, "USDT"), 0);
    /* The buyer pays 0.1 % of the BTC it gets, the seller 0.1 % of the USDT. */
    assert_int_equal(free_of(&x, t, "BTC"), TL_FIXED_SCALE * 3 / 2 - 150000);
    assert_int_equal(free_of(&x, m, "USDT"), FX(150) + TL_FIXED_SCALE / 2 - 15050000);
    assert_int_equal(locked_of(&x, m, "BTC"), TL_FIXED_SCALE / 2);
    /* Two trades, two sides each; trade ids 1 and 2, the maker's side first. */
    assert_int_equal(x.n_fills, 4);
    assert_int_equal(x.fills[0].trade_id, 1);
    assert_true(x.fills[0].is_maker && !x.fills[0].is_buyer);
    assert_true(!x.fills[1].is_maker && x.fills[1].is_buyer);
    assert_int_equal(x.fills[3].trade_id, 2);
    assert_int_equal(x.fills[3].price, FX(101));
    tl_xcore_close(&x);
}

static void test_cancel_frees_the_lock(void **state)
{
    (void)state;
    tl_xcore x;
    init(&x, 0);
    uint32_t a = funded(&x, "alice", FX(1000), FX(0));
    int code;
    uint64_t id = place(&x, a, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), FX(3), "b1",
                        &code);
    assert_int_equal(locked_of(&x, a, "USDT"), FX(300));
    tl_xrefusal r;
    tl_err err;
    uint64_t got = 0;
    int sym = tl_xcore_symbol(&x, "BTCUSDT");
    uint32_t b;
    assert_int_equal(tl_xcore_account(&x, "bob", &b, &err), 0);
    assert_int_equal(tl_xcore_cancel(&x, b, sym, id, NULL, T0, &got, &r, &err), 1);
    assert_int_equal(r.code, -2011); /* not bob's */
    assert_int_equal(tl_xcore_cancel(&x, a, sym, 0, "b1", T0, &got, &r, &err), 0);
    assert_int_equal(got, id);
    assert_int_equal(x.orders[id - 1].status, TL_XS_CANCELED);
    assert_int_equal(locked_of(&x, a, "USDT"), 0);
    assert_int_equal(free_of(&x, a, "USDT"), FX(1000));
    assert_int_equal(tl_xcore_cancel(&x, a, sym, id, NULL, T0, &got, &r, &err), 1);
    assert_int_equal(r.code, -2011); /* already canceled */
    /* IOC and FOK that cannot fill end EXPIRED and lock nothing. */
    place(&x, a, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_FOK, FX(100), FX(1), NULL, &code);
    assert_int_equal(x.orders[x.n_orders - 1].status, TL_XS_EXPIRED);
    assert_int_equal(locked_of(&x, a, "USDT"), 0);
    tl_xcore_close(&x);
}

/* A journal of every kind of event, committed to a mem: store. */
static void trade_some(tl_xcore *x, tl_store *st)
{
    uint32_t m = funded(x, "maker", FX(100000), FX(10));
    uint32_t t = funded(x, "taker", FX(100000), FX(10));
    int code;
    for (int i = 0; i < 5; i++) {
        place(x, m, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100 + i), FX(1), NULL, &code);
        place(x, m, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(99 - i), FX(1), NULL, &code);
    }
    place(x, t, TL_SIDE_BUY, TL_ORDER_MARKET, TL_LOB_GTC, 0, TL_FIXED_SCALE * 5 / 2, "mkt", &code);
    assert_int_equal(code, 0);
    place(x, t, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_IOC, FX(98), FX(3), NULL, &code);
    place(x, t, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(50), FX(1), "rest", &code);
    tl_xrefusal r;
    tl_err err;
    uint64_t got;
    assert_int_equal(tl_xcore_cancel(x, m, 0, 6, NULL, T0 + 2, &got, &r, &err), 0); /* BUY 97 */
    tl_event *ev;
    size_t n = tl_xcore_pending(x, &ev);
    if (tl_store_append(st, ev, n, NULL, 0, NULL, 0, &err) != 0)
        fail_msg("append: %s", err.msg);
    tl_xcore_committed(x);
}

static void test_recover(void **state)
{
    (void)state;
    tl_store st;
    tl_err err;
    assert_int_equal(tl_store_open(&st, "mem:", NULL, NULL, &err), 0);
    tl_xcore a, b;
    init(&a, 10);
    trade_some(&a, &st);
    init(&b, 10);
    uint64_t n = 0;
    if (tl_xcore_recover(&b, &st, &n, &err) != 0)
        fail_msg("recover: %s", err.msg);
    assert_true(n > 20);
    assert_int_equal(b.n_orders, a.n_orders);
    assert_int_equal(b.n_fills, a.n_fills);
    assert_int_equal(b.last_trade_id, a.last_trade_id);
    assert_memory_equal(b.orders, a.orders, sizeof(tl_xorder) * a.n_orders);
    assert_memory_equal(b.fills, a.fills, sizeof(tl_xfill) * a.n_fills);
    for (uint32_t i = 0; i < a.n_accounts; i++)
        for (size_t k = 0; k < a.n_assets; k++) {
            tl_xbalance x1 = tl_xcore_balance(&a, i, (int)k), x2 = tl_xcore_balance(&b, i, (int)k);
            assert_int_equal(x1.free, x2.free);
            assert_int_equal(x1.locked, x2.locked);
        }
    tl_fixed bid1, ask1, bid2, ask2;
    tl_lob_best(&a.symbols[0].book, &bid1, NULL, &ask1, NULL);
    tl_lob_best(&b.symbols[0].book, &bid2, NULL, &ask2, NULL);
    assert_int_equal(bid1, bid2);
    assert_int_equal(ask1, ask2);
    assert_int_equal(tl_lob_count(&a.symbols[0].book), tl_lob_count(&b.symbols[0].book));
    /* The recovered exchange goes on where the first left off: ids and client ids. */
    int code;
    assert_int_equal(place(&b, 1, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(10), FX(1), "rest",
                           &code), 0);
    assert_int_equal(code, -2010);
    assert_int_equal(place(&b, 1, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(10), FX(1), NULL,
                           &code), a.n_orders + 1);
    tl_xcore_close(&a);
    tl_xcore_close(&b);
    tl_store_close(&st);
}

/* A fill the matching would not make, written into the journal: refused, with its seq. */
static void test_recover_refuses_a_tampered_journal(void **state)
{
    (void)state;
    tl_store st;
    tl_err err;
    assert_int_equal(tl_store_open(&st, "mem:", NULL, NULL, &err), 0);
    tl_xcore a, b;
    init(&a, 10);
    uint32_t m = funded(&a, "maker", FX(1000), FX(1));
    uint32_t t = funded(&a, "taker", FX(1000), FX(1));
    int code;
    place(&a, m, TL_SIDE_SELL, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), FX(1), NULL, &code);
    place(&a, t, TL_SIDE_BUY, TL_ORDER_LIMIT, TL_LOB_GTC, FX(100), FX(1), NULL, &code);
    tl_event *ev;
    size_t n = tl_xcore_pending(&a, &ev);
    for (size_t i = 0; i < n; i++)
        if (ev[i].type == TL_EV_ORDER_FILLED && ev[i].trade_id[strlen(ev[i].trade_id) - 1] == 'T')
            ev[i].price = FX(99); /* the taker's side at a price no maker asked */
    assert_int_equal(tl_store_append(&st, ev, n, NULL, 0, NULL, 0, &err), 0);
    init(&b, 10);
    assert_int_equal(tl_xcore_recover(&b, &st, NULL, &err), TL_ECORRUPT);
    assert_non_null(strstr(err.msg, "seq"));
    assert_non_null(strstr(err.msg, "ORDER_FILLED"));
    tl_xcore_close(&a);
    tl_xcore_close(&b);
    tl_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_trade_moves_both_accounts),
        cmocka_unit_test(test_cancel_frees_the_lock),
        cmocka_unit_test(test_recover),
        cmocka_unit_test(test_recover_refuses_a_tampered_journal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
