/*
 * shadow.h -- the shadow run of seed 004: a quote generator drives the execution loop against the
 * simulated exchange in simulated time, and the run ends in a deterministic report.
 *
 * Each iteration advances simulated time by one step (100 ms). For every symbol it moves the mid
 * price by a seeded random walk and draws a half-spread of 2..8 bps, sets the loop's reference
 * price, cancels the symbol's resting quotes from the previous step (a requote), and quotes both
 * sides at the new bid and ask (the risk limits keep inventory in bounds). Fills are marked out one
 * step later against the new mid; the exponentially weighted mean of those markouts is the measured
 * edge, fed to the risk monitor, which freezes trading and cancels everything when it falls below
 * the threshold.
 *
 * Everything is seeded and time is simulated, so the same configuration gives the same report,
 * byte for byte, on every run and machine. With a database, every state change is journaled
 * (group commit every 4096 events and at the end); after the run the journal is replayed and the
 * replayed state's digest must equal the live state's, or the run fails with TL_ECORRUPT.
 */
#ifndef TL_SHADOW_SHADOW_H
#define TL_SHADOW_SHADOW_H

#include <stdint.h>

#include "core/jsonw.h"
#include "engine/engine.h"
#include "tradeloop/store.h"

#define TL_SHADOW_MAX_SYMBOLS 64

typedef struct tl_shadow_config {
    char symbols[TL_SHADOW_MAX_SYMBOLS][16];
    uint32_t nsymbols;
    uint64_t iterations;
    tl_fixed max_inventory_usd;
    tl_fixed max_total_notional;
    tl_fixed edge_threshold_bps;
    tl_fixed fill_rate, reject_rate, partial_rate;
    uint64_t seed;
    int64_t start_ns;   /* simulated start (the frozen time) */
    int64_t latency_ns; /* simulated exchange latency */
    int64_t step_ns;    /* simulated time per iteration */
    const char *db_url; /* journal everything here (borrowed), NULL = no journal */
    tl_durability durability;
    char workspace[TL_WORKSPACE_MAX]; /* the journal's workspace ("shadow") */
} tl_shadow_config;

typedef struct tl_shadow_result {
    uint64_t iterations;
    tl_engine_counts counts;
    uint64_t open;
    tl_fixed position[TL_SHADOW_MAX_SYMBOLS]; /* net qty per configured symbol, from the book */
    tl_fixed fill_sum[TL_SHADOW_MAX_SYMBOLS]; /* signed sum of every fill applied, counted apart
                                                 from the book: must equal position[] */
    tl_fixed total_notional_usd;
    int frozen;
    uint64_t freeze_events;
    uint64_t quotes_skipped; /* quotes not sent because trading was frozen */
    char last_freeze_reason[128];
    int journaled;           /* db_url was set */
    uint64_t journal_events; /* events this run appended */
    char state_digest[65];   /* digest of the live state, equal to the replayed one */
} tl_shadow_result;

/* Defaults of seed 004: BTCUSDT,ETHUSDT, 20 iterations, max-inv 10000, max-total 50000, edge 3.0,
 * fill 0.7, reject 0.05, partial 0.3, seed 42, start 2025-01-01T00:00:00Z, latency 5 ms, step 100
 * ms. */
void tl_shadow_config_default(tl_shadow_config *cfg);

/* Progress: called every `every` iterations with (done, total); may be NULL. */
typedef void (*tl_shadow_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Runs the whole shadow session. Validates the configuration first (TL_EINVAL naming the field);
 * nothing runs when it is invalid. */
int tl_shadow_run(const tl_shadow_config *cfg, tl_shadow_result *out,
                  tl_shadow_progress_fn progress, void *progress_ctx, tl_err *err);

/* The report as JSON with sorted keys and compact separators (no trailing newline; the caller
 * finishes the writer). */
void tl_shadow_report_json(const tl_shadow_config *cfg, const tl_shadow_result *res, tl_jw *w);

#endif /* TL_SHADOW_SHADOW_H */
