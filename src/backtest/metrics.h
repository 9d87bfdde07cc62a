/*
 * metrics.h -- a backtest's figures from its closed trades (issue 11): return, drawdown, Sharpe,
 * win rate, profit factor, ending equity.
 *
 * Everything is integer arithmetic on tl_fixed (1e-8 units) with 128-bit intermediates and one
 * rounding rule (half away from zero, tl_fixed_from_ratio128), so the same trades give the same
 * bytes on every machine; the square root of the Sharpe ratio's variance is an integer square
 * root. Percentages are tl_fixed too: 12.5 % is TL_FIXED_INT(125) / 10.
 *
 * Definitions (the issue's):
 *   ending_equity    starting equity + every closed trade's P&L net of fees + the open position
 *                    marked at the last close (an open position is not a closed trade);
 *   return_pct       (ending_equity - starting) / starting * 100;
 *   max_drawdown_pct the deepest fall from a running peak of the trade-equity curve (the starting
 *                    equity, then the equity after each closed trade), as a percentage of that
 *                    peak; 0 when it never falls;
 *   sharpe           mean / sample standard deviation of the per-trade returns
 *                    (exit - entry) / entry; absent with fewer than 2 trades or no deviation;
 *   win_rate         trades with exit > entry / trade_count (a fraction); absent without trades;
 *   profit_factor    gross profit / gross loss of the trades' net P&L; absent without a loss.
 */
#ifndef TL_BACKTEST_METRICS_H
#define TL_BACKTEST_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tradeloop.h"
#include "tradeloop/fixed.h"

typedef struct tl_bt_trade {
    int64_t entry_ts_ns, exit_ts_ns;
    tl_fixed entry_price, exit_price;
    tl_fixed qty;  /* > 0: long trades */
    tl_fixed fees; /* both legs */
} tl_bt_trade;

typedef struct tl_bt_metrics {
    tl_fixed starting_equity, ending_equity;
    tl_fixed return_pct, max_drawdown_pct;
    tl_fixed sharpe, win_rate, profit_factor;
    bool has_sharpe, has_win_rate, has_profit_factor;
    uint64_t trade_count;
} tl_bt_metrics;

/* A trade's P&L net of fees, as the paper broker moves cash: round(exit * qty) - round(entry *
 * qty) - fees. TL_ERANGE when a notional does not fit. */
int tl_bt_trade_pnl(const tl_bt_trade *t, __int128 *pnl);

/* The figures of trades[0..n) (in the order they closed) from starting equity, with an open
 * position of open_qty (0: none) bought for open_cost in all (its price times qty plus its fee)
 * and marked at last_close. 0, TL_EINVAL (a non-positive starting equity, price or qty),
 * TL_ERANGE (a figure that does not fit a tl_fixed); err says which. */
int tl_bt_metrics_compute(tl_fixed starting_equity, const tl_bt_trade *trades, size_t n,
                          tl_fixed open_qty, tl_fixed open_cost, tl_fixed last_close,
                          tl_bt_metrics *out, tl_err *err);

#endif /* TL_BACKTEST_METRICS_H */
