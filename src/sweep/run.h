/*
 * run.h -- running a sweep's plan: every variant a backtest (backtest/backtest.h) in its own
 * workspace, on `jobs` worker processes (issue 11, `tradeloop sweep`).
 *
 * Workers are processes, not threads: each opens its own store connection (several processes on
 * one SQLite file or PostgreSQL database are what the store already serves) and nothing is shared
 * but a counter of the next variant to take (an atomic in a shared anonymous mapping), so a
 * worker that crashes takes only its current variant with it: that variant is reported failed
 * ("worker died"), the others go on. A worker reports each result on its own pipe as one
 * fixed-size record (smaller than PIPE_BUF, so written whole). The calling process is one of the
 * jobs: it forks jobs - 1 workers (a pool, pool.h, opened for this sweep) and runs variants off
 * the same counter between reading their results (with jobs == 1 it runs them all). The results are the same whatever jobs is: each
 * variant's backtest depends only on its spec, its bars and its workspace.
 *
 * On a mem: store each variant trades into a scratch in-memory journal of its own, closed once
 * its result is taken (run.c says why); the plan's and the variants' rows still go to the store
 * given.
 */
#ifndef TL_SWEEP_RUN_H
#define TL_SWEEP_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "backtest/metrics.h"
#include "data/bar.h"
#include "store/store.h"
#include "strategy/strategy.h"
#include "tradeloop/clock.h"
#include "sweep/plan.h"

typedef struct tl_sweep_result {
    int rc; /* 0 done; else the backtest's error code */
    char error[256]; /* the whole tl_err message */
    tl_bt_metrics metrics;
    char state_digest[65];
    uint64_t intents;
} tl_sweep_result;

/* The strategy spec of variant v of plan p (built from spec s): s's strategy and symbol, v's
 * workspace, every parameter base.params or v's overrides set (the strategy's defaults for the
 * rest). An integer value is given as its digits, a string as it is; the strategy's schema
 * decides (an unknown key or a bad value is TL_EINVAL naming it). */
int tl_sweep_variant_strategy(const tl_sweep_plan *p, const tl_sweep_spec *s,
                              const tl_sweep_variant *v, tl_strategy_spec *out, tl_err *err);

typedef struct tl_sweep_run_config {
    const tl_sweep_plan *plan; /* borrowed, with the spec it was built from */
    const tl_sweep_spec *spec;
    const tl_bars *bars;       /* borrowed */
    tl_fixed starting_equity;  /* > 0 */
    const char *db_url;        /* each worker opens it */
    tl_store_options store_options;
    unsigned jobs; /* >= 1 */
    const char *data_name;  /* the CSV's name, stored with the plan */
    const tl_clock *clock;  /* borrowed: the plan's and each variant's time in the store */
    /* Called in this process after each variant's result (done of total), or NULL. */
    void (*progress)(void *ctx, uint32_t done, uint32_t total);
    void *ctx;
} tl_sweep_run_config;

/* Runs every variant; results[i] (plan->count of them, caller-allocated) gets variant i's result
 * whether it succeeded or not. The plan goes to the store first (tl_store_run_plan_put: the same
 * plan again is fine), then each variant's row as its result comes in (tl_store_run_variant_put,
 * written by this process, so a variant whose worker died is stored failed too). Returns 0 when
 * every variant ran and was stored (a variant's own failure is in its result and its row), or an
 * error that stopped the sweep itself (no store, no process, a row the store refused). */
int tl_sweep_run(const tl_sweep_run_config *cfg, tl_sweep_result *results, tl_err *err);

/* The two steps tl_sweep_run takes, for a runner elsewhere (a queued sweep, sweep/queue.h, stores
 * the plan and its workers run the variants one by one; cfg's jobs, db_url and progress are not
 * used here). tl_sweep_put_plan stores the plan's row on st. tl_sweep_run_variant runs variant i
 * on st (a backtest in the variant's workspace) and stores its row: r gets the result whatever
 * happened, and 0 means the row is stored (done or failed), else the store's error. Running a
 * variant again gives the same result (its journal's intents meet their earlier selves as
 * duplicates) and replaces its row with the same figures. */
int tl_sweep_put_plan(const tl_sweep_run_config *cfg, tl_store *st, tl_err *err);
int tl_sweep_run_variant(const tl_sweep_run_config *cfg, tl_store *st, uint32_t i,
                         tl_sweep_result *r, tl_err *err);

/* ---- internal (run.c, pool.c) ---- */
/* Whether cfg's store is mem: (each variant then trades into a scratch journal of its own). */
bool tl__sweep_journals_in_memory(const tl_sweep_run_config *cfg);
/* Variant i on store (or on its scratch journal): r gets its result, whatever happened. */
void tl__sweep_run_one(const tl_sweep_run_config *cfg, tl_store *store, uint32_t i,
                       tl_sweep_result *r);
/* Variant i's row (its figures or its failure) on st. */
int tl__sweep_put_variant(const tl_sweep_run_config *cfg, tl_store *st, uint32_t i,
                          const tl_sweep_result *r, tl_err *err);

#endif /* TL_SWEEP_RUN_H */
