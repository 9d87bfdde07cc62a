/*
 * desk_report.h -- the RFQ desk's figures, folded from its rows: LP scorecards and totals.
 *
 * Computed here from the store's scans (tl_store_lp_quotes_scan, tl_store_executions_scan), in
 * one place for every backend, rather than in three dialects of SQL: the figures need a
 * percentile and each request's best price, and a viewer reads them now and then, so one pass
 * over the rows costs less than keeping them in every backend. Memory: one entry per LP, the
 * response times of its answers (8 bytes each, for the exact p95) and one request's rows.
 *
 * Definitions (docs/OPERATIONS.md):
 *  - requested: the LP's lp_quotes rows; answered: those "quoted"; refusals: "refused"; late:
 *    "late" (an answer after the desk stopped waiting is not an answer).
 *  - response rate = answered / requested; win rate = wins / answered; wins: rows with won = 1
 *    (its quote became the lock).
 *  - mean and p95 response time over the answered rows (p95: nearest rank, ceil(0.95 n)).
 *  - best / worst bps: how far the LP's price was behind the best quoted price of the same
 *    request, in bps of that best price (0 = it was the best; for a client buy the best is the
 *    lowest price, for a sell the highest), the smallest and the largest over its quotes.
 *  - executions / failed: its executions rows with status SUCCESS / FAILED.
 * Rates and bps are tl_fixed, rounded half away from zero to 8 decimals.
 */
#ifndef TL_STORE_DESK_REPORT_H
#define TL_STORE_DESK_REPORT_H

#include <stdbool.h>

#include "store/store.h"

typedef struct tl_lp_scorecard {
    char lp[TL_LP_NAME_MAX];
    uint64_t requested, answered, refused, late, wins;
    uint64_t executions, failed;
    tl_fixed response_rate, win_rate;          /* fractions: 0.5 = 50%; 0 when undefined */
    int64_t mean_response_ns, p95_response_ns; /* 0 when no answer */
    bool has_bps;                              /* it quoted at least once */
    tl_fixed best_bps, worst_bps;
} tl_lp_scorecard;

/* Scorecards of every LP met in lp_quotes or executions, sorted by name: *out malloc'ed (the
 * caller frees it; NULL when *n is 0). */
int tl_desk_scorecards(tl_store *s, tl_lp_scorecard **out, size_t *n, tl_err *err);

#define TL_DESK_ASSETS_MAX 64 /* P&L assets a stats report keeps apart */

typedef struct tl_desk_pnl {
    char asset[TL_ASSET_MAX];
    tl_fixed pnl, pnl_after_fees; /* sums over its successful executions */
} tl_desk_pnl;

typedef struct tl_desk_stats {
    uint64_t executions, succeeded, failed;
    tl_fixed success_rate;               /* succeeded / executions, 0 when none */
    tl_desk_pnl pnl[TL_DESK_ASSETS_MAX]; /* sorted by asset */
    size_t n_pnl;
} tl_desk_stats;

/* Totals of the executions. TL_ERANGE when a sum overflows, TL_EFULL past TL_DESK_ASSETS_MAX
 * assets. */
int tl_desk_stats_get(tl_store *s, tl_desk_stats *out, tl_err *err);

#endif /* TL_STORE_DESK_REPORT_H */
