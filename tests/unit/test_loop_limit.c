/*
 * test_loop_limit.c -- LIMIT entries of the governed loop (signal "limit_price"): the entry goes
 * out as a LIMIT order at the signal's price and may rest; its stop-loss attaches to what fills,
 * part by part, as a market entry's does; the SLIPPAGE rule measures where the order can fill
 * (the limit, or the far side when that is better), so a resting bid at the expected price passes
 * when the market has moved away and a limit far from it is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "loop/loop.h"
#include "store/store.h"

#define T0   1735812000LL * TL_NS_PER_SEC /* 2025-01-02T10:00:00Z */
#define MS   TL_NS_PER_MS
#define F(x) TL_FIXED_INT(x)
/* Fills in two parts, the first one latency after the order, the second two. */
#define SIM_PARTS "sim://?fill_rate=1&reject_rate=0&partial_rate=1&latency_us=1000&fee_bps=0"
/* Never fills: every order rests until canceled. */
#define SIM_REST "sim://?fill_rate=0&reject_rate=0&latency_us=1000&fee_bps=0"

typedef struct rig {
    tl_clock clock;
    tl_venue venue;
    tl_store store;
    tl_loop l;
} rig;

static void rig_open(rig *r, const char *url, tl_fixed max_slippage_bps)
{
    memset(r, 0, sizeof(*r));
    tl_clock_init_sim(&r->clock, T0);
    assert_int_equal(tl_venue_open(&r->venue, url, &r->clock, NULL, NULL), 0);
    assert_int_equal(tl_store_open(&r->store, "mem:", NULL, NULL, NULL), 0);
    tl_loop_va va;
    memset(&va, 0, sizeof(va));
    snprintf(va.name, sizeof(va.name), "va1");
    va.starting_balance = F(100000);
    va.risk.max_slippage_bps = max_slippage_bps;
    va.stop_loss_pct = F(2);
    tl_loop_config cfg = {&va, 1, {0}, 0};
    tl_err err = {0};
    assert_int_equal(tl_loop_init(&r->l, &cfg, &r->venue, &r->clock, &r->store, NULL, &err), 0);
}

static void rig_close(rig *r)
{
    tl_loop_close(&r->l);
    tl_store_close(&r->store);
    tl_venue_close(&r->venue);
}

static void quote_at(rig *r, int64_t t, tl_fixed bid, tl_fixed ask)
{
    tl_quote q = {.ts_ns = t, .bid = bid, .ask = ask};
    snprintf(q.symbol, sizeof(q.symbol), "BTCUSDT");
    tl_clock_set(&r->clock, t);
    assert_int_equal(tl_loop_on_quote(&r->l, &q, NULL), 0);
    assert_int_equal(tl_loop_flush(&r->l, true, NULL), 0);
}

static void enter(rig *r, const char *id, tl_signal_action act, tl_fixed qty, tl_fixed limit,
                  tl_fixed expected)
{
    tl_signal s = {.ts_ns = tl_clock_now(&r->clock), .action = act, .qty = qty};
    snprintf(s.id, sizeof(s.id), "%s", id);
    snprintf(s.account, sizeof(s.account), "va1");
    snprintf(s.symbol, sizeof(s.symbol), "BTCUSDT");
    s.limit_price = limit;
    s.expected_price = expected;
    assert_int_equal(tl_loop_on_signal(&r->l, &s, NULL), 0);
    assert_int_equal(tl_loop_flush(&r->l, true, NULL), 0);
}

static const tl_order *last_order(rig *r)
{
    const tl_order *o =
        tl_order_store_by_client(&r->l.engine.orders, r->l.engine.orders.next_client_seq - 1);
    assert_non_null(o);
    return o;
}

static const tl_position *pos(rig *r)
{
    uint32_t inst;
    assert_int_equal(tl_instruments_find(&r->l.engine.instruments, "BTCUSDT", &inst), 0);
    return tl_book_find(&r->l.engine.book, r->l.engine.accts[0].id, inst);
}

static bool stop(rig *r, tl_stop *s)
{
    uint32_t inst;
    assert_int_equal(tl_instruments_find(&r->l.engine.instruments, "BTCUSDT", &inst), 0);
    return tl_stop_book_get(&r->l.stops, r->l.engine.accts[0].id, inst, s) == 0;
}

static void test_limit_entry_rests_at_its_price(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_REST, 0);
    quote_at(&r, T0, F(100), F(101));
    enter(&r, "s1", TL_SIGNAL_ENTER_LONG, F(2), F(95), 0);
    const tl_order *o = last_order(&r);
    assert_int_equal(o->type, TL_ORDER_LIMIT);
    assert_int_equal(o->side, TL_SIDE_BUY);
    assert_int_equal(o->price, F(95));
    quote_at(&r, T0 + 10 * MS, F(100), F(101));
    o = last_order(&r);
    assert_int_equal(o->status, TL_OS_OPEN); /* resting, nothing filled, no stop yet */
    assert_null(pos(&r));
    tl_stop s;
    assert_false(stop(&r, &s));
    assert_int_equal(r.l.stats.signals_accepted, 1);
    rig_close(&r);
}

static void test_stop_attaches_as_the_limit_fills(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_PARTS, 0);
    quote_at(&r, T0, F(100), F(101));
    enter(&r, "s1", TL_SIGNAL_ENTER_SHORT, F(4), F(102), 0);
    const tl_order *o = last_order(&r);
    assert_int_equal(o->type, TL_ORDER_LIMIT);
    assert_int_equal(o->price, F(102));
    uint64_t seq = o->client_seq;
    tl_stop s;
    quote_at(&r, T0 + 1 * MS, F(100), F(101)); /* the first part */
    o = tl_order_store_by_client(&r.l.engine.orders, seq);
    assert_true(o->filled_qty > 0 && o->filled_qty < F(4));
    assert_int_equal(pos(&r)->qty, -o->filled_qty);
    assert_int_equal(pos(&r)->avg_price, F(102));
    assert_true(stop(&r, &s));
    assert_false(s.is_long);
    assert_int_equal(s.qty, o->filled_qty);
    assert_int_equal(s.price, 10404000000LL);  /* 102 * 1.02 */
    quote_at(&r, T0 + 2 * MS, F(100), F(101)); /* the rest */
    o = tl_order_store_by_client(&r.l.engine.orders, seq);
    assert_int_equal(o->status, TL_OS_FILLED);
    assert_int_equal(pos(&r)->qty, -F(4));
    assert_true(stop(&r, &s));
    assert_int_equal(s.qty, F(4));
    assert_int_equal(s.price, 10404000000LL);
    rig_close(&r);
}

static void test_slippage_is_measured_at_the_limit(void **state)
{
    (void)state;
    rig r;
    rig_open(&r, SIM_REST, F(10)); /* 10 bps */
    quote_at(&r, T0, F(104), F(105));
    /* As a market order it would fill at 105, 500 bps from 100: refused. */
    enter(&r, "m1", TL_SIGNAL_ENTER_LONG, F(1), 0, F(100));
    assert_int_equal(r.l.stats.refusals[TL_RR_SLIPPAGE], 1);
    /* A bid at 100.05 rests and fills there: 5 bps. */
    enter(&r, "l1", TL_SIGNAL_ENTER_LONG, F(1), 10005000000LL, F(100));
    assert_int_equal(r.l.stats.refusals[TL_RR_SLIPPAGE], 1);
    assert_int_equal(r.l.stats.signals_accepted, 1);
    assert_int_equal(last_order(&r)->price, 10005000000LL);
    rig_close(&r);

    rig_open(&r, SIM_REST, F(10));
    quote_at(&r, T0, F(104), F(105));
    /* A bid at 101 is 100 bps from the expected 100: refused. */
    enter(&r, "l2", TL_SIGNAL_ENTER_LONG, F(1), F(101), F(100));
    assert_int_equal(r.l.stats.refusals[TL_RR_SLIPPAGE], 1);
    /* A bid above the ask fills at the ask (105), not at its limit: 455 bps from 110. */
    enter(&r, "l3", TL_SIGNAL_ENTER_LONG, F(1), F(110), F(110));
    assert_int_equal(r.l.stats.refusals[TL_RR_SLIPPAGE], 2);
    /* ... and at the expected 105, 0 bps: accepted. */
    enter(&r, "l4", TL_SIGNAL_ENTER_LONG, F(1), F(110), F(105));
    assert_int_equal(r.l.stats.refusals[TL_RR_SLIPPAGE], 2);
    assert_int_equal(r.l.stats.signals_accepted, 1);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_entry_rests_at_its_price),
        cmocka_unit_test(test_stop_attaches_as_the_limit_fills),
        cmocka_unit_test(test_slippage_is_measured_at_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
