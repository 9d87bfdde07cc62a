/* test_bt_metrics.c -- a backtest's figures against values worked out by hand for small series. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backtest/metrics.h"

#define FX(x) TL_FIXED_INT(x)

static tl_bt_trade trade(int64_t entry, int64_t exit_, int64_t qty)
{
    tl_bt_trade t;
    memset(&t, 0, sizeof(t));
    t.entry_price = FX(entry);
    t.exit_price = FX(exit_);
    t.qty = FX(qty);
    return t;
}

static void near(tl_fixed got, tl_fixed want, tl_fixed tol)
{
    if (llabs(got - want) > tol)
        fail_msg("got %lld, want %lld (+-%lld)", (long long)got, (long long)want, (long long)tol);
}

/*
 * 10,000 of equity, three trades of 10 units: 100 -> 110, 100 -> 95, 100 -> 105.
 *   P&L +100, -50, +50: the trade-equity curve 10,000, 10,100, 10,050, 10,100.
 *   return 1 %; the deepest fall 50 from the peak 10,100 = 0.4950495049 %.
 *   returns 1/10, -1/20, 1/20: mean 1/30; deviations 1/15, -1/12, 1/60; squares 42/3600;
 *   sample variance 7/1200; deviation sqrt(7/1200) = 0.0763762616; Sharpe 0.4364357805.
 *   win rate 2/3; profit factor 150 / 50 = 3.
 */
static void test_hand_made_series(void **state)
{
    (void)state;
    tl_bt_trade t[3] = {trade(100, 110, 10), trade(100, 95, 10), trade(100, 105, 10)};
    tl_bt_metrics m;
    assert_int_equal(tl_bt_metrics_compute(FX(10000), t, 3, 0, 0, 0, &m, NULL), 0);
    assert_int_equal(m.trade_count, 3);
    assert_int_equal(m.ending_equity, FX(10100));
    assert_int_equal(m.return_pct, FX(1));
    assert_int_equal(m.max_drawdown_pct, 49504950); /* 0.49504950 */
    assert_true(m.has_sharpe);
    near(m.sharpe, 43643578, 2); /* rounding of the mean and the root: a few 1e-8 */
    assert_true(m.has_win_rate);
    assert_int_equal(m.win_rate, 66666667);
    assert_true(m.has_profit_factor);
    assert_int_equal(m.profit_factor, FX(3));
}

/* Fees come off each trade's P&L; an open position is marked at the last close and is not a
 * trade; without a loss there is no profit factor; one trade has no Sharpe. */
static void test_fees_open_position_and_absent_figures(void **state)
{
    (void)state;
    tl_bt_trade t = trade(50, 60, 2); /* +20 */
    t.fees = FX(1);                   /* net +19 */
    tl_bt_metrics m;
    /* Open: 3 units bought for 3 * 40 + 1 fee = 121, marked at 45 = 135. */
    assert_int_equal(tl_bt_metrics_compute(FX(1000), &t, 1, FX(3), FX(121), FX(45), &m, NULL), 0);
    assert_int_equal(m.trade_count, 1);
    assert_int_equal(m.ending_equity, FX(1000 + 19 - 121 + 135)); /* 1033 */
    assert_int_equal(m.return_pct, FX(33) / 10);                   /* 3.3 % */
    assert_int_equal(m.max_drawdown_pct, 0);
    assert_false(m.has_sharpe);
    assert_false(m.has_profit_factor);
    assert_true(m.has_win_rate);
    assert_int_equal(m.win_rate, FX(1));
    /* No trades at all: only the equity figures. */
    assert_int_equal(tl_bt_metrics_compute(FX(1000), NULL, 0, 0, 0, 0, &m, NULL), 0);
    assert_int_equal(m.return_pct, 0);
    assert_false(m.has_win_rate);
    assert_false(m.has_sharpe);
}

/* Two equal returns: no deviation, so no Sharpe rather than a division by zero. A loss-only
 * run: profit factor 0, and the drawdown is the whole fall from the starting equity. */
static void test_edges(void **state)
{
    (void)state;
    tl_bt_trade same[2] = {trade(10, 11, 1), trade(20, 22, 1)};
    tl_bt_metrics m;
    assert_int_equal(tl_bt_metrics_compute(FX(100), same, 2, 0, 0, 0, &m, NULL), 0);
    assert_false(m.has_sharpe);
    tl_bt_trade losses[2] = {trade(10, 9, 10), trade(10, 8, 10)}; /* -10, -20 */
    assert_int_equal(tl_bt_metrics_compute(FX(100), losses, 2, 0, 0, 0, &m, NULL), 0);
    assert_int_equal(m.ending_equity, FX(70));
    assert_int_equal(m.max_drawdown_pct, FX(30));
    assert_int_equal(m.return_pct, -FX(30));
    assert_true(m.has_profit_factor);
    assert_int_equal(m.profit_factor, 0);
    assert_int_equal(m.win_rate, 0);
    /* Sharpe of -10 % and -20 %: mean -0.15, deviation sqrt(0.005) = 0.0707106781. */
    near(m.sharpe, -212132034, 2); /* -2.1213203436 */
}

static void test_refusals(void **state)
{
    (void)state;
    tl_bt_metrics m;
    tl_err err = {0};
    tl_bt_trade bad = trade(0, 10, 1);
    assert_int_equal(tl_bt_metrics_compute(0, NULL, 0, 0, 0, 0, &m, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "starting equity"));
    assert_int_equal(tl_bt_metrics_compute(FX(1), &bad, 1, 0, 0, 0, &m, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "trade 1"));
    assert_int_equal(tl_bt_metrics_compute(FX(1), NULL, 0, FX(1), FX(1), 0, &m, &err), TL_EINVAL);
    assert_non_null(strstr(err.msg, "last close"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_made_series),
        cmocka_unit_test(test_fees_open_position_and_absent_figures),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
