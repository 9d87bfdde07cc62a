/*
 * sweep_bench.h -- variants/s of a 200-variant sweep (issue 11): breakout_52w_high over a shipped
 * daily series, entry.lookback_days 5..54 x exit.hold_bars {1, 2, 3, 5}, run by tl_sweep_run
 * (src/sweep/run.h) with `jobs` worker processes, the journal on `db` (mem: measures the work
 * itself; each worker has its own). A sweep of 200 short backtests lasts tens of milliseconds,
 * so it is run again until `min_seconds` have passed, and variants/s is over all of them.
 */
#ifndef TL_BENCH_SWEEP_H
#define TL_BENCH_SWEEP_H

#include <stdint.h>

#include "tradeloop.h"

typedef struct tl_bench_sweep_result {
    uint32_t variants; /* of one sweep */
    uint64_t sweeps;   /* run */
    double seconds, variants_per_sec;
} tl_bench_sweep_result;

/* data: an OHLCV CSV (its file name's first word is the symbol: msft_daily.csv -> MSFT). */
int tl_bench_sweep(const char *data, unsigned jobs, const char *db, double min_seconds,
                   tl_bench_sweep_result *out, tl_err *err);

#endif /* TL_BENCH_SWEEP_H */
