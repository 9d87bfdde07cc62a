/*
 * test_governor_rules.c -- the governor's and filters' rules at their exact limits through
 * tl_engine_intent on the kernel with several accounts (issue 8): reduce-only cut to the
 * position, MAX_OPEN_POSITIONS, COOLDOWN, DRAWDOWN, TRADING_WINDOW in a zone with daylight saving
 * time, SPREAD, STALE_QUOTE and SLIPPAGE; exits pass every entry rule.
 */
#include "engine_rig.h"

static void test_reduce_only_cut_to_the_position(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    tl_engine_result res;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(10)), TL_INTENT_FILLED);
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(99), F(15), true, 0, &res),
        TL_INTENT_FILLED);
    assert_int_equal(tl_order_store_by_client(&r.e.orders, res.rec.client_seq)->qty, F(10));
    assert_int_equal(held(&r, 0, r.aaa), 0); /* flat, never flipped short */
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_REDUCE_ONLY);
    assert_int_equal(held(&r, 0, r.aaa), 0);
    rig_close(&r);

    /* With an exit already working, the next is cut to what that one leaves. */
    rig_open(&r, SIM_RESTING, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_BUY, TL_ORDER_LIMIT, F(100), F(10), false, 0, &res),
        TL_INTENT_WORKING);
    step(&r, 2 * MS);
    tl_venue_fill f = {.client_seq = res.rec.client_seq, .qty = F(10), .price = F(100)};
    f.ts_ns = tl_clock_now(&r.clock);
    strcpy(f.trade_id, "X1");
    assert_int_equal(tl_engine_apply_missed_fill(&r.e, &f), 1);
    assert_int_equal(order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_LIMIT, F(101), F(6), true, 0, NULL),
                     TL_INTENT_WORKING);
    assert_int_equal(order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_LIMIT, F(101), F(6), true, 0, &res),
                     TL_INTENT_WORKING);
    assert_int_equal(tl_order_store_by_client(&r.e.orders, res.rec.client_seq)->qty, F(4));
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_REDUCE_ONLY);
    rig_close(&r);
}

static void test_max_open_positions(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 2);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    assert_int_equal(r.e.busy_accounts, 2);
    assert_int_equal(market(&r, 2, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_MAX_OPEN_POSITIONS);
    /* A busy account scales in: no account more is busy. */
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(held(&r, 0, r.aaa), F(2));
    /* Flat again, va1 frees its place. */
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(2)), TL_INTENT_FILLED);
    assert_int_equal(r.e.busy_accounts, 1);
    assert_int_equal(market(&r, 2, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
}

static void test_cooldown_ends_exactly_at_its_time(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rules.cooldown_losses = 1;
    rules.cooldown_ns = 60 * TL_NS_PER_SEC;
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    int64_t t_loss = tl_clock_now(&r.clock);
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    assert_int_equal(r.e.accts[0].gov.cooldown_until_ns, t_loss + rules.cooldown_ns);
    tl_clock_set(&r.clock, t_loss + rules.cooldown_ns - 1);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_COOLDOWN);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED); /* its own */
    tl_clock_set(&r.clock, t_loss + rules.cooldown_ns);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
}

/* va1 loses exactly 1% of its peak, va2 1e-8 more; the limit is 1%. */
static void test_drawdown_at_the_limit(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rules.max_drawdown_pct = F(1);
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    quote(&r, r.aaa, F(90), F(91));
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    quote(&r, r.aaa, F(90) - 1, F(91));
    assert_int_equal(exit_market(&r, 1, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    assert_int_equal(r.e.accts[0].gov.equity, F(990));
    assert_int_equal(r.e.accts[1].gov.equity, F(990) - 1);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    assert_int_equal(market(&r, 1, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_DRAWDOWN);
    rig_close(&r);
}

/* 09:30-16:00 in New York, ends inclusive to the nanosecond, in winter (UTC-5) and summer (-4). */
static void test_trading_window_in_new_york(void **state)
{
    (void)state;
    tl_tz ny;
    assert_int_equal(tl_tz_load(&ny, "America/New_York", NULL), 0);
    tl_risk_config rules = plain_rules();
    rules.window_on = true;
    assert_int_equal(tl_window_parse("09:30-16:00", (size_t)-1, &rules.window, NULL), 0);
    rules.tz = &ny;
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    const int64_t days[2] = {1735776000LL, 1751328000LL}; /* 2025-01-02, 2025-07-01 00:00Z */
    const int64_t utc_off_h[2] = {5, 4};
    for (int d = 0; d < 2; d++) {
        int64_t open = (days[d] + (9 + utc_off_h[d]) * 3600 + 1800) * TL_NS_PER_SEC;
        int64_t close = (days[d] + (16 + utc_off_h[d]) * 3600) * TL_NS_PER_SEC;
        const struct {
            int64_t t;
            int want;
        } cases[] = {{open - 1, TL_INTENT_DENIED},
                     {open, TL_INTENT_FILLED},
                     {close, TL_INTENT_FILLED},
                     {close + 1, TL_INTENT_DENIED}};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            tl_clock_set(&r.clock, cases[i].t);
            quote(&r, r.aaa, F(99), F(100));
            assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), cases[i].want);
            if (cases[i].want == TL_INTENT_DENIED)
                assert_int_equal(r.last_rule, TL_RR_TRADING_WINDOW);
        }
    }
    /* Outside the window an exit still goes. */
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
    tl_tz_close(&ny);
}

static void test_filters_at_their_limits(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rules.max_spread_bps = F(10);
    rules.max_quote_age_ns = 500 * MS;
    rules.max_slippage_bps = F(10);
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 0);
    /* SPREAD: 0.1 on a mid of 100 is 10 bps. */
    quote(&r, r.aaa, F(100) - 5000000, F(100) + 5000000);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    quote(&r, r.aaa, F(100) - 5000000, F(100) + 5000001);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_SPREAD);
    /* STALE_QUOTE: 500 ms old is fresh enough, 1 ns more is not. */
    quote(&r, r.aaa, F(99) + 99000000, F(100));
    tl_clock_advance(&r.clock, 500 * MS);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_FILLED);
    tl_clock_advance(&r.clock, 1);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_STALE_QUOTE);
    /* SLIPPAGE: a buy fills at the ask, 100.1 from an expected 100 is 10 bps. */
    quote(&r, r.aaa, F(100), F(100) + 10000000);
    const tl_fixed ask = F(100) + 10000000;
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_BUY, TL_ORDER_MARKET, ask, F(1), false, F(100), NULL),
        TL_INTENT_FILLED);
    assert_int_equal(
        order(&r, 0, r.aaa, TL_SIDE_BUY, TL_ORDER_MARKET, ask, F(1), false, F(100) - 1, NULL),
        TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_SLIPPAGE);
    /* ... and a sell at the bid: 100 from 100.1 is 9.99 bps, from 99.9 10.01. */
    assert_int_equal(order(&r, 1, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(100), F(1), false,
                           F(100) + 10000000, NULL),
                     TL_INTENT_FILLED);
    assert_int_equal(order(&r, 1, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(100), F(1), false,
                           F(100) - 10000000, NULL),
                     TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_SLIPPAGE);
    rig_close(&r);
}

/* Every entry rule refuses the scale-in and lets the exit through. */
static void test_exits_pass_every_entry_rule(void **state)
{
    (void)state;
    tl_risk_config rules = plain_rules();
    rig r;
    rig_open(&r, SIM_NOW, NULL, &rules, 1);
    quote(&r, r.aaa, F(99), F(100));
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(20)), TL_INTENT_FILLED);
    tl_engine_account *a = &r.e.accts[0];
    int64_t now = tl_clock_now(&r.clock);
    for (int rule = 0; rule < 8; rule++) {
        tl_risk_config c = rules;
        tl_fixed expected = 0;
        int want = 0, entry_va = 0;
        uint32_t entry_inst = r.aaa;
        int64_t cooldown_was = a->gov.cooldown_until_ns;
        switch (rule) {
        case 0:
            assert_int_equal(tl_engine_kill(&r.e, "test", NULL), 1);
            want = TL_RR_KILL_SWITCH;
            break;
        case 1:
            entry_inst = r.bbb;
            quote(&r, r.bbb, F(9), F(10));
            want = TL_RR_ONE_SYMBOL_PER_VA;
            break;
        case 2:
            entry_va = 1;
            want = TL_RR_MAX_OPEN_POSITIONS;
            break;
        case 3:
            a->gov.cooldown_until_ns = now + TL_NS_PER_SEC;
            want = TL_RR_COOLDOWN;
            break;
        case 4:
            c.max_drawdown_pct = F(1);
            a->gov.equity = a->gov.equity_peak / 2;
            want = TL_RR_DRAWDOWN;
            break;
        case 5:
            c.window_on = true;
            assert_int_equal(tl_window_parse("00:00-00:01", (size_t)-1, &c.window, NULL), 0);
            want = TL_RR_TRADING_WINDOW;
            break;
        case 6:
            c.max_spread_bps = F(1);
            want = TL_RR_SPREAD;
            break;
        case 7:
            c.max_slippage_bps = F(1);
            expected = F(50);
            want = TL_RR_SLIPPAGE;
            break;
        }
        a->risk = c;
        r.e.accts[1].risk = c;
        const tl_risk_quote *q = &r.e.risk.quotes[entry_inst];
        assert_int_equal(order(&r, entry_va, entry_inst, TL_SIDE_BUY, TL_ORDER_MARKET, q->ask, F(1),
                               false, expected, NULL),
                         TL_INTENT_DENIED);
        assert_int_equal(r.last_rule, want);
        tl_fixed before = held(&r, 0, r.aaa);
        assert_int_equal(
            order(&r, 0, r.aaa, TL_SIDE_SELL, TL_ORDER_MARKET, F(99), F(1), true, expected, NULL),
            TL_INTENT_FILLED);
        assert_int_equal(held(&r, 0, r.aaa), before - F(1));
        a->risk = r.e.accts[1].risk = rules;
        a->gov.cooldown_until_ns = cooldown_was;
        if (rule == 0)
            assert_int_equal(tl_engine_kill_release(&r.e), 1);
    }
    /* STALE_QUOTE last: the quote is old from here on. */
    a->risk.max_quote_age_ns = MS;
    tl_clock_advance(&r.clock, 2 * MS);
    assert_int_equal(market(&r, 0, r.aaa, TL_SIDE_BUY, F(1)), TL_INTENT_DENIED);
    assert_int_equal(r.last_rule, TL_RR_STALE_QUOTE);
    assert_int_equal(exit_market(&r, 0, r.aaa, TL_SIDE_SELL, F(1)), TL_INTENT_FILLED);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reduce_only_cut_to_the_position),
        cmocka_unit_test(test_max_open_positions),
        cmocka_unit_test(test_cooldown_ends_exactly_at_its_time),
        cmocka_unit_test(test_drawdown_at_the_limit),
        cmocka_unit_test(test_trading_window_in_new_york),
        cmocka_unit_test(test_filters_at_their_limits),
        cmocka_unit_test(test_exits_pass_every_entry_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
