/*
 * paper_bench.h -- durable paper intents through the broker alone, without HTTP: what the
 * engine and the journal cost an intent of `tradeloop serve`'s POST /execute/intents, so its
 * figure (bench/serve_bench.sh) can be split into the service's part and the rest.
 *
 * `intents` new intents (OPEN_LONG, each its own intent id) of one workspace, submitted in groups
 * of `batch` and committed once per group (tl_paper_broker_submit / _commit, as the service's
 * group commit does), with the store's full durability; intents/s over the whole run and the
 * p50/p99 of a group (its submits and its commit: how long its first intent waits).
 */
#ifndef TL_BENCH_PAPER_H
#define TL_BENCH_PAPER_H

#include <stdint.h>

#include "tradeloop.h"

typedef struct tl_bench_paper_config {
    const char *db_url; /* borrowed; a store without events */
    uint64_t intents;
    uint32_t batch; /* intents per commit */
} tl_bench_paper_config;

typedef struct tl_bench_paper_result {
    char backend[16];
    double intents_per_sec;
    double us_per_intent;
    double group_p50_us, group_p99_us;
} tl_bench_paper_result;

int tl_bench_paper(const tl_bench_paper_config *cfg, tl_bench_paper_result *out, tl_err *err);

#endif /* TL_BENCH_PAPER_H */
