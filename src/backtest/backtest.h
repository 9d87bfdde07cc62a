/*
 * backtest.h -- one backtest: a strategy over a series of bars through the strategy runner and
 * the paper broker, into a journal, and the figures of what it did (issue 11).
 *
 * Not a second simulator: the runner (strategy/runner.h) submits every evaluation's intents to
 * the paper broker that trades on paper, so a backtest's journal is the one a dry run would have
 * written. Its figures come from the runner's closed trades (metrics.h); before they are
 * reported, the workspace's state is rebuilt from the journal (tl_paper_state_get) and its cash
 * and positions, marked at the last close, must equal the figures' ending equity: a backtest
 * whose own account and journal disagree fails rather than print a result.
 *
 * A workspace without events is started with a WORKSPACE_RESET of the starting equity at the
 * first bar's time, so the journal says what the run started from; one that has events holds this
 * same run (runner.h: repeated or resumed) and keeps its own starting equity.
 */
#ifndef TL_BACKTEST_BACKTEST_H
#define TL_BACKTEST_BACKTEST_H

#include "backtest/metrics.h"
#include "data/bar.h"
#include "store/store.h"
#include "strategy/runner.h"
#include "strategy/strategy.h"

typedef struct tl_backtest {
    tl_bt_metrics metrics;
    tl_bt_trade *trades; /* owned: closed trades, in order */
    size_t n_trades;
    tl_runner_position open; /* the position still open at the end, if any */
    tl_runner_stats stats;
    tl_fixed last_close;
    uint64_t high_water;   /* the store's last seq after the run */
    char state_digest[65]; /* of the workspace rebuilt from the journal */
} tl_backtest;

/* Runs spec over bars (at least one) on store (borrowed), starting a fresh workspace with
 * starting_equity (> 0). On success *out is filled (free with tl_backtest_free). Errors: the
 * runner's and the broker's (nothing after the failing bar written), TL_EINVAL (no bars, equity
 * <= 0), TL_ECORRUPT (the journal disagrees with the run's own account). */
int tl_backtest_run(const tl_strategy_spec *spec, const tl_bars *bars, tl_fixed starting_equity,
                    tl_store *store, tl_backtest *out, tl_err *err);
void tl_backtest_free(tl_backtest *bt);

#endif /* TL_BACKTEST_BACKTEST_H */
