/*
 * plot.h -- a backtest as an SVG picture (issue 11, `tradeloop backtest --plot FILE.svg` and the
 * admin pages): the closes as a line, each closed trade's entry (an upward triangle) and exit (a
 * downward one), and under it the trade-equity curve (the starting equity, then the equity after
 * each closed trade, at its exit's time).
 *
 * Coordinates are integers computed from the fixed-point values and the times (no floating
 * point), so the same backtest draws the same bytes. Every text from outside (the title: the
 * strategy's and the symbol's names) is escaped.
 */
#ifndef TL_BACKTEST_PLOT_H
#define TL_BACKTEST_PLOT_H

#include <stddef.h>

#include "backtest/metrics.h"
#include "core/sbuf.h"
#include "data/bar.h"

typedef struct tl_bt_plot {
    const char *title;              /* borrowed; escaped when written */
    const tl_bars *bars;            /* borrowed; at least one bar */
    const tl_bt_trade *trades;      /* borrowed; closed trades, in closing order */
    size_t n_trades;
    tl_fixed starting_equity;
    int width, height;              /* 0: 900 x 520 */
} tl_bt_plot;

/* Appends the whole <svg> document to out. 0, TL_EINVAL (no bars, a size under 200 x 200),
 * TL_ENOMEM. */
int tl_bt_plot_svg(const tl_bt_plot *p, tl_sb *out, tl_err *err);

#endif /* TL_BACKTEST_PLOT_H */
