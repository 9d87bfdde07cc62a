/*
 * bench_replay.h -- the end-to-end figure of `tradeloop bench loop`: a replay of a quotes file
 * with generated signals through `tradeloop run` itself (tl_cmd_run: flags, accounts, the host in
 * replay, the loop, the journal, reconciliation timers, the final report), timed from the call to
 * its return.
 *
 * The inputs, written into a temporary directory that is removed afterwards: ten accounts with
 * the run's default rules, and `signals` signals in pairs spread evenly over the quotes: an entry
 * (long and short alternating, 1000 units, expecting the quote's price) 100 ms after a quote, and
 * its exit (the whole position) half way to the next entry; pair k is account va(k % 10 + 1). The
 * run is `tradeloop run --quotes FILE --symbol USDCHF --spread-bps 2 --accounts A --signals S
 * --trading-window off --db DB --until-end --json` (the data trade round the clock), DB a SQLite
 * file in the directory (durability full, the run's default) or mem:. Its report (stdout) goes to
 * a file in the directory and is read back for the counts.
 */
#ifndef TL_APP_BENCH_REPLAY_H
#define TL_APP_BENCH_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "tradeloop.h"

typedef struct bench_replay_result {
    uint64_t quotes;                                             /* quotes in the file */
    uint64_t signals;                                            /* signals written */
    uint64_t accepted, refused, stop_loss_exits, journal_events; /* from the run's report */
    double seconds;                                              /* tl_cmd_run, call to return */
    double quotes_per_sec;
} bench_replay_result;

/* quotes_path: a `timestamp,price` file of USDCHF (data/usdchf_30m.csv); sqlite: a SQLite file
 * (true) or mem: (false). TL_EINVAL for a file that does not fit (its message says why), TL_EIO
 * when the run failed (its stderr has said why). */
int bench_replay(const char *quotes_path, uint64_t signals, bool sqlite, bench_replay_result *out,
                 tl_err *err);

#endif /* TL_APP_BENCH_REPLAY_H */
