/*
 * loop.h -- the governed execution loop (seed 001): virtual accounts trading through the kernel,
 * every signal governed by the rule table, a stop-loss on every position, the venue reconciled,
 * one kill switch.
 *
 * The loop is what `tradeloop run` drives from its host: quotes and signals come in as parsed
 * inputs (tl_quote, tl_signal), timers call tl_loop_reconcile, and the host's step end calls
 * tl_loop_flush, which makes the journal durable. It owns the engine (one account per VA) and the
 * stop book; the venue, the clock and the store are borrowed. It is single-threaded and does no
 * I/O of its own besides the journal's commits through the engine's flush.
 *
 * Stops. Every non-flat position has one stop in the stop book at tl_stop_price(avg entry,
 * stop_loss_pct of its VA), for its whole open quantity: the loop listens to the engine's fills
 * and moves the stop after each (partial entry fills, scaling in, partial exits). A quote that
 * crosses a stop sends one reduce-only market exit for the whole position and disarms the stop
 * until that exit ends; an exit that ends with a position left re-arms it. After a restart the
 * stops are rebuilt from the recovered positions.
 */
#ifndef TL_LOOP_LOOP_H
#define TL_LOOP_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "dash/view.h"
#include "engine/engine.h"
#include "journal/journal.h"
#include "loop/quote_csv.h"
#include "loop/signal.h"
#include "loop/stop_book.h"

#define TL_LOOP_MODE   "run"
#define TL_LOOP_RECENT 20 /* refusals kept for the dashboard */

/* Refusals that no rule of the table makes: counted beside the rule reasons in the report. */
#define TL_LOOP_REFUSAL_MAP(X)                                                                     \
    X(DUPLICATE, "signal id seen before")                                                          \
    X(MALFORMED, "signal line that does not parse")                                                \
    X(UNKNOWN_ACCOUNT, "no virtual account of that name")                                          \
    X(NO_QUOTE, "no quote for the symbol yet")                                                     \
    X(VENUE_REJECTED, "the venue rejected the order")

typedef enum tl_loop_refusal {
    TL_LR__FIRST = TL_RR__COUNT - 1,
#define TL__LR_ENUM(name, text) TL_LR_##name,
    TL_LOOP_REFUSAL_MAP(TL__LR_ENUM)
#undef TL__LR_ENUM
        TL_LR__COUNT
} tl_loop_refusal;

/* The name of a refusal code: a rule reason (tl_risk_reason_name) or a loop refusal. */
const char *tl_loop_refusal_name(int code);

/* A virtual account as configured: its name (a workspace), starting balance, rules and stop. */
typedef struct tl_loop_va {
    char name[TL_WORKSPACE_MAX];
    tl_fixed starting_balance;
    tl_risk_config risk;
    tl_fixed stop_loss_pct; /* TL_FIXED_INT(2) = 2% from the average entry price */
} tl_loop_va;

typedef struct tl_loop_config {
    const tl_loop_va *vas; /* borrowed for tl_loop_init: at least one */
    size_t n_vas;
    tl_risk_config engine_risk; /* the engine-wide limits: max_open_positions, max_orders_per_sec */
    uint32_t order_capacity;
} tl_loop_config;

typedef struct tl_loop_stats {
    uint64_t signals_received, signals_accepted, signals_refused;
    uint64_t refusals[TL_LR__COUNT]; /* by tl_risk_reason or tl_loop_refusal */
    uint64_t exits_stop_loss, exits_signal, exits_kill_switch;
    uint64_t reconcile_runs, reconcile_mismatches, reconcile_repaired, reconcile_expired;
    uint64_t adopted; /* live orders of the journal the venue followed again at start */
} tl_loop_stats;

/* A refusal as the dashboard lists it. */
typedef struct tl_loop_refusal_rec {
    int64_t ts_ns;
    char account[TL_WORKSPACE_MAX];
    char symbol[TL_SYMBOL_MAX];
    int code;
    char text[TL_EVENT_TEXT_MAX];
} tl_loop_refusal_rec;

/* Per VA, beside the engine account of the same index. */
typedef struct tl_loop_acct {
    tl_fixed stop_loss_pct;
    uint64_t exit_seq;        /* client_seq of the stop's exit in flight, 0 when none */
    bool stop_held;           /* a rule refused its stop's exit: the stop is held disarmed until
                                 something of the account changes (a fill, an order ending, an
                                 unfreeze), so a refusal is not repeated on every quote */
    uint32_t held_instrument; /* the instrument of that stop */
} tl_loop_acct;

typedef struct tl_loop {
    tl_engine engine; /* owned */
    tl_venue *venue;  /* borrowed */
    const tl_clock *clock;
    tl_stop_book stops;  /* owned */
    tl_loop_acct *accts; /* owned, engine.n_accts of them */
    tl_loop_stats stats;
    tl_loop_refusal_rec recent[TL_LOOP_RECENT]; /* ring, newest at (recent_next - 1) */
    uint32_t recent_next, recent_n;
    uint64_t *suspects; /* owned: live orders the venue did not know at the last look */
    size_t n_suspects, cap_suspects;
    uint64_t fill_cursor; /* venue fills seen by reconciliation */
    tl_fixed *baseline;   /* owned: a simulated venue's starting point, per instrument (the
                             engine's net at start; see reconcile.c) */
    uint32_t n_baseline;
    int64_t last_reconcile_ns;
    char last_reconcile[TL_EVENT_TEXT_MAX]; /* "ok" or the last finding */
    bool venue_unreachable; /* the last reconciliation found the venue not answering (TL_EBUSY) */
    tl_err stop_err; /* the first error a stop exit met, for the caller to report */
} tl_loop;

/* Opens the engine with one account per VA (the first is the home account), journaling into
 * journal when not NULL, recovers it from store when not NULL, starts every VA without a journal
 * yet with its balance, hands the live orders back to a venue that can adopt them (their fills
 * while the engine was down applied once), expires those the venue does not know, and rebuilds
 * the stops. venue and
 * clock are borrowed and must outlive the loop. */
int tl_loop_init(tl_loop *l, const tl_loop_config *cfg, tl_venue *venue, const tl_clock *clock,
                 tl_store *store, tl_journal *journal, tl_err *err);
void tl_loop_close(tl_loop *l);

/* A quote: the engine's reference and filters, the venue's price, then every stop it crosses
 * sends its exit. A stop whose exit a rule refused (the account frozen, nothing left to reduce)
 * is held until the account's state changes: a fill, one of its orders ending, an unfreeze. 0 or a
 * negative error (a halted engine). */
int tl_loop_on_quote(tl_loop *l, const tl_quote *q, tl_err *err);
/* A signal: governed and sent, or refused (counted, kept for the dashboard). 0 unless the engine
 * failed (halted); a refusal is not an error. */
int tl_loop_on_signal(tl_loop *l, const tl_signal *s, tl_err *err);
/* A line of the signals file that did not parse: counted as received and refused (MALFORMED). */
void tl_loop_on_malformed(tl_loop *l, const char *why);
/* Reports due from the venue (fills of orders sent with latency). */
int tl_loop_poll(tl_loop *l, tl_err *err);
/* The step boundary: the journal commits; 0 or the error that halted the engine. */
int tl_loop_flush(tl_loop *l, bool force, tl_err *err);

/* The kill switch: engaged (journaled, every live order canceled) or released. 1 when it changed,
 * 0 when it already was so, negative error. */
int tl_loop_kill(tl_loop *l, const char *reason, tl_err *err);
int tl_loop_kill_release(tl_loop *l, tl_err *err);

/* One reconciliation with the venue (see reconcile.c). */
int tl_loop_reconcile(tl_loop *l, tl_err *err);

/* Internal (reconcile.c): records what a simulated venue, which starts empty, is compared from. */
int tl__loop_baseline(tl_loop *l, tl_err *err);

/* The dashboard's view of the loop now (src/dash/view.h), into *out (caller-owned; untouched on
 * failure): every account (balance = cash, equity and unrealized P&L marked at the price each
 * position would exit at now: the latest bid for a long, ask for a short; drawdown as the
 * governor keeps it), every position with its stop, the recent refusals newest first, the kill
 * switch, the last reconciliation, the first account's filter thresholds, the open positions
 * cap and the busy accounts. mode and db (borrowed; the caller leaves out any password) are shown
 * as given. TL_ERANGE when a value does not fit, TL_ENOMEM; the view passes tl_dash_view_check. */
int tl_loop_view(const tl_loop *l, tl_dash_mode mode, const char *db, tl_dash_view *out,
                 tl_err *err);

/* The report of `run --until-end`: JSON with sorted keys into w, or a table into buf. */
struct tl_jw;
int tl_loop_report_json(tl_loop *l, struct tl_jw *w, uint64_t journal_events, tl_err *err);

#endif /* TL_LOOP_LOOP_H */
