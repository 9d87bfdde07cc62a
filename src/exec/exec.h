/*
 * exec.h -- the execution loop: the one place where intents become orders and venue reports
 * become fills, positions and risk state.
 *
 *   submit:  pre-trade risk check -> order store -> venue.place          (seed 004's on_quote)
 *   poll:    venue reports -> order state machine -> position book -> risk  (on_fill)
 *   on_edge: edge below threshold -> freeze -> cancel every live order     (on_edge_update)
 *
 * The loop is single-threaded and does no I/O of its own: the venue and the clock are borrowed
 * interfaces, and everything the loop decides can be observed through an optional event sink (the
 * journal subscribes there). Given the same venue, clock and calls it makes the same decisions.
 */
#ifndef TL_EXEC_EXEC_H
#define TL_EXEC_EXEC_H

#include <stdint.h>

#include "exec/order_store.h"
#include "model/position.h"
#include "risk/risk.h"
#include "tradeloop/clock.h"
#include "tradeloop/instrument.h"
#include "venue/venue.h"

/* Counts for reports. Every placed order is, at any time, in exactly one of: filled, canceled,
 * rejected, expired, or open (still live at the venue). risk_blocks counts intents refused before
 * anything was sent (DENIED orders); they are not placed. */
typedef struct tl_exec_counts {
    uint64_t placed;
    uint64_t filled;   /* orders now FILLED */
    uint64_t canceled; /* orders now CANCELED (partially filled ones too) */
    uint64_t rejected; /* REJECTED by the venue, or refused by its dispatch (place failed) */
    uint64_t expired;
    uint64_t risk_blocks;
    uint64_t fills;         /* fill reports applied */
    uint64_t refused_fills; /* duplicate, overfill or unknown-order fill reports */
    uint64_t cancel_requests;
    uint64_t cancel_rejects;
} tl_exec_counts;

typedef struct tl_exec_config {
    uint32_t account;         /* virtual account the loop trades for */
    tl_fixed starting_cash;   /* of that account */
    uint32_t order_capacity;  /* orders expected at once; the store grows past it */
    uint32_t retain_terminal; /* terminal orders kept for late fills; 0 = all */
    tl_risk_config risk;
} tl_exec_config;

/* Per-instrument exposure the loop maintains for risk checks. */
typedef struct tl_exec_exposure {
    tl_fixed open_buy_qty;  /* leaves of live buy orders */
    tl_fixed open_sell_qty; /* leaves of live sell orders */
    tl_fixed notional;      /* |position| * reference price */
} tl_exec_exposure;

/* Called after each fill is applied (order and position already updated). The order is borrowed
 * for the duration of the call. */
typedef void (*tl_exec_fill_fn)(void *ctx, const tl_order *order, const tl_fill *fill);

/* Called for every state change the loop makes, after it is made: type is a tl_event_type
 * (include/tradeloop/event.h); order is the order concerned (NULL for RISK_FROZEN and for a
 * refused fill of an unknown order); fill is the fill of ORDER_FILLED and FILL_REFUSED, else NULL;
 * text is a reason ("" when none). All borrowed for the call. The journal subscribes here. */
typedef void (*tl_exec_event_fn)(void *ctx, int type, const tl_order *order, const tl_fill *fill,
                                 const char *text);

typedef struct tl_exec {
    const tl_instruments *instruments; /* borrowed */
    tl_exec_fill_fn on_fill;           /* optional hook, set after init */
    void *hook_ctx;
    tl_exec_event_fn on_event; /* optional hook, set after init */
    void *event_ctx;
    tl_venue *venue;       /* borrowed */
    const tl_clock *clock; /* borrowed */
    tl_exec_config cfg;
    tl_order_store orders;   /* owned */
    tl_book book;            /* owned */
    tl_risk risk;            /* owned */
    tl_exec_exposure *expo;  /* owned, per instrument */
    tl_fixed total_notional; /* sum of expo[].notional */
    tl_exec_counts counts;
    tl_venue_report *reports; /* owned poll buffer */
    uint32_t report_cap;
} tl_exec;

/* instruments, venue and clock are borrowed and must outlive the loop. */
int tl_exec_init(tl_exec *x, const tl_exec_config *cfg, const tl_instruments *instruments,
                 tl_venue *venue, const tl_clock *clock, tl_err *err);
void tl_exec_close(tl_exec *x);

/* A new reference (mid) price for an instrument: used by the collar and for notionals. */
int tl_exec_on_quote(tl_exec *x, uint32_t instrument, tl_fixed bid, tl_fixed ask);

/* Pre-trade check, then store and send. Returns 0 and *client_seq when sent; TL_ERISK with
 * *reason when refused by risk (counted in risk_blocks; nothing sent); TL_EIO when the venue call
 * failed (the order is REJECTED). client_seq and reason may be NULL. */
int tl_exec_submit(tl_exec *x, uint32_t instrument, tl_side side, tl_order_type type,
                   tl_fixed price, tl_fixed qty, uint64_t *client_seq, tl_risk_reason *reason,
                   tl_err *err);

/* Asks the venue to cancel a live order. TL_ENOTFOUND, TL_ESTATE (not cancelable). */
int tl_exec_cancel(tl_exec *x, uint64_t client_seq, tl_err *err);
/* Cancels every live order; returns how many cancel requests were sent, or a negative error. */
int tl_exec_cancel_all(tl_exec *x, tl_err *err);

/* Drains the venue's due reports and applies them. Returns how many reports were applied or a
 * negative error. Refused fills (duplicate, overfill, unknown) are counted, never applied. */
int tl_exec_poll(tl_exec *x, tl_err *err);

/* Measured edge in bps: below the threshold the risk monitor freezes and every live order is
 * canceled. Returns 1 when this call froze trading, 0 otherwise, or a negative error. */
int tl_exec_on_edge(tl_exec *x, tl_fixed edge_bps, tl_err *err);

/* Orders now live at the venue (placed minus terminal). */
static inline uint64_t tl_exec_open_count(const tl_exec *x)
{
    const tl_exec_counts *c = &x->counts;
    return c->placed - c->filled - c->canceled - c->rejected - c->expired;
}

#endif /* TL_EXEC_EXEC_H */
