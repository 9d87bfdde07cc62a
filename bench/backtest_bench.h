/*
 * backtest_bench.h -- bars per second of a backtest (issue 11, "Tests and figures"): the built-in
 * breakout_52w_high with its defaults over a synthetic series, through tl_backtest_run (the
 * strategy runner, the paper broker, the metrics and the journal check), and the reference it is
 * judged by: the cost of just walking the same bars and reading each close.
 *
 * The target is that "a fill-free bar costs little more than reading it": almost every bar of a
 * backtest decides nothing, and such a bar must not pay for the store, the digest, a hash or an
 * allocation (runner.h). The series is built so that holds: a price that mean-reverts around a
 * level that now and then jumps up (a "regime shift") and slowly decays back. Between jumps the
 * close rarely beats the highest high of the last 252 bars; a jump gives a handful of breakouts
 * while the price climbs to its new level. Everything is fixed-point and seeded (core/prng.h):
 * the same seed gives the same bars, the same intents and the same journal on every machine.
 */
#ifndef TL_BENCH_BACKTEST_BENCH_H
#define TL_BENCH_BACKTEST_BENCH_H

#include <stdint.h>

#include "data/bar.h"
#include "tradeloop.h"
#include "tradeloop/store.h"

#define TL_BENCH_BT_SYMBOL "SYNTH"

/* One figure: a run's bars, what it did, how long it took. */
typedef struct tl_bench_bt_result {
    char backend[16];      /* "read" for the reference, else the store's scheme */
    uint64_t bars;         /* bars walked */
    uint64_t intents;      /* the strategy's intents submitted to the broker (0 for "read") */
    uint64_t filled;       /* of them, filled */
    uint64_t trades;       /* closed round trips */
    double seconds;        /* wall time of the whole run (for a backtest: tl_backtest_run) */
    double bars_per_sec;   /* bars / seconds */
    double ns_per_bar;     /* seconds * 1e9 / bars */
    char state_digest[65]; /* the journal's digest after the run ("" for "read") */
    uint64_t close_sum;    /* "read": the closes summed (mod 2^64), so the loop cannot be dropped */
} tl_bench_bt_result;

/* Fills *out with n (>= 1) bars of the synthetic series of seed, one a minute from
 * 2025-01-02T00:00:00Z (see above). out is emptied first; free with tl_bars_free. TL_EINVAL for
 * n == 0, TL_ENOMEM. */
int tl_bench_bt_series(uint64_t n, uint64_t seed, tl_bars *out, tl_err *err);

/* The reference: every bar of bars walked once, its close read (and summed, so the compiler
 * cannot drop the loop). Never fails. */
void tl_bench_bt_read(const tl_bars *bars, tl_bench_bt_result *out);

/* breakout_52w_high (defaults) over bars through tl_backtest_run, on the store at db_url opened
 * with durability dur, in a workspace of its own ("bench-bt-<pid>-<ns>": a store's other
 * workspaces are left alone), from a starting equity of 100,000. The store is opened before and
 * closed after the clock. 0, or the store's or the backtest's error. */
int tl_bench_bt_run(const tl_bars *bars, const char *db_url, tl_durability dur,
                    tl_bench_bt_result *out, tl_err *err);

#endif /* TL_BENCH_BACKTEST_BENCH_H */
