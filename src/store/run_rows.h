/*
 * run_rows.h (internal) -- what the run plans' rows may hold, decided in one place.
 *
 * The run_plans and run_variants rows (include/tradeloop/store.h) are written by a sweep and
 * read by the admin pages and by people through SQL. The dispatcher (runs.c) checks every row
 * here before any backend sees it, and the backends store and read the enums by the names
 * below, so a name means the same on every backend.
 */
#ifndef TL_STORE_RUN_ROWS_H
#define TL_STORE_RUN_ROWS_H

#include "tradeloop/store.h"

/* The columns as both SQL backends name them, in the order their statements bind and read
 * them, and what an insert of a variant already stored replaces (every column but the key). */
#define TL_RUN_PLAN_COLS                                                                           \
    "run_plan_id, created_ns, strategy, symbol, spec, data_name, bars, variants"
#define TL_RUN_VARIANT_COLS                                                                        \
    "run_plan_id, variant_id, ord, kind, workspace, overrides, status, error, trade_count, "       \
    "return_pct, max_drawdown_pct, sharpe, win_rate, profit_factor, ending_equity, state_digest, " \
    "finished_ns"
#define TL_RUN_VARIANT_UPDATE                                                                      \
    "ord = excluded.ord, kind = excluded.kind, workspace = excluded.workspace, overrides = "       \
    "excluded.overrides, status = excluded.status, error = excluded.error, trade_count = "         \
    "excluded.trade_count, return_pct = excluded.return_pct, max_drawdown_pct = "                  \
    "excluded.max_drawdown_pct, sharpe = excluded.sharpe, win_rate = excluded.win_rate, "          \
    "profit_factor = excluded.profit_factor, ending_equity = excluded.ending_equity, "             \
    "state_digest = excluded.state_digest, finished_ns = excluded.finished_ns"

/* "baseline", "grid", "ablation"; NULL for another value. */
const char *tl_run_kind_name(int kind);
/* "done", "failed"; NULL for another value. */
const char *tl_run_status_name(int status);
/* The value of a stored name (exact bytes), or 0 when it is none of them. */
int tl_run_kind_parse(const char *name);
int tl_run_status_parse(const char *name);

/* A run plan or variant id: exactly 16 lower-case hex digits. TL_EINVAL naming `field`. */
int tl_run_id_validate(const char *id, const char *field, tl_err *err);
/* Every field of a row (see store.h): TL_EINVAL naming the field and what is wrong with it. */
int tl_run_plan_check(const tl_run_plan_row *r, tl_err *err);
int tl_run_variant_check(const tl_run_variant_row *r, tl_err *err);

#endif /* TL_STORE_RUN_ROWS_H */
