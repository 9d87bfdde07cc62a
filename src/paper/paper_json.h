/*
 * paper_json.h -- the paper broker's results and states as JSON (keys sorted, money exact).
 *
 * One writer for the command line and, later, the HTTP API, so both print the same documents.
 * Money and quantities go through tl_jw_fixed: exact decimals, never a double.
 */
#ifndef TL_PAPER_JSON_H
#define TL_PAPER_JSON_H

#include "core/jsonw.h"
#include "paper/broker.h"

/* What a state document holds. */
typedef enum tl_paper_view {
    TL_PAPER_VIEW_STATE,     /* cash, P&L, positions, digest */
    TL_PAPER_VIEW_POSITIONS, /* positions only */
    TL_PAPER_VIEW_RECONCILE  /* the state plus what was replayed and the snapshot check */
} tl_paper_view;

/* One object: action, cash, change, duplicate, fill_price, high_water, idempotency_key,
 * intent_id, mode, order_id, position {avg_price, qty}, qty, realized_pnl, reason,
 * starting_equity, state_digest, status, symbol, trade_id, workspace. */
void tl_paper_result_json(const tl_paper_result *r, tl_jw *w);
void tl_paper_state_json(const tl_paper_state *st, tl_paper_view view, tl_jw *w);

#endif /* TL_PAPER_JSON_H */
