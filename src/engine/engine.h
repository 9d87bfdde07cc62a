/*
 * engine.h -- the kernel: the one place where intents become orders and venue reports become
 * fills, positions and risk state. Shadow, paper, and every later mode (governed loop, RFQ desk,
 * service, backtest, live) run this code; a mode is a venue and a way of feeding inputs.
 *
 *   intent:  idempotency -> rule table (risk) -> order store -> venue.place -> inline poll
 *   submit:  rule table -> order store -> venue.place                      (seed 004's on_quote)
 *   poll:    venue reports -> order state machine -> position book -> risk  (on_fill)
 *   on_edge: edge below threshold -> freeze -> cancel every live order     (on_edge_update)
 *   flush:   step boundary: subscribers make their buffers durable, then results are released
 *
 * The kernel owns the instruments, order store, position book and risk monitor and is the only
 * thing that changes them. It is single-threaded and does no I/O of its own: the venue and the
 * clock are borrowed interfaces. Every state change is a complete event (the journal record, the
 * order, the fill, the position and account after it, the rule that refused) fanned out to any
 * number of subscribers; a subscriber buffers and never calls back into the kernel. What must not
 * be said before it is durable (an intent's result) waits in the outbox until tl_engine_flush has
 * made every subscriber durable. A flush that fails freezes trading (RISK_FROZEN), halts the
 * engine, and returns the error: the caller stops with exit 1 rather than retry without end.
 *
 * Recovery (recover.c) rebuilds the whole state from the journal by feeding its events back
 * through the same transitions the live path uses, with emission switched off.
 */
#ifndef TL_ENGINE_ENGINE_H
#define TL_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/intake.h"
#include "exec/order_store.h"
#include "model/position.h"
#include "risk/risk.h"
#include "tradeloop/clock.h"
#include "tradeloop/event.h"
#include "tradeloop/instrument.h"
#include "venue/venue.h"

#define TL_ENGINE_MAX_SUBSCRIBERS 8
#define TL_ENGINE_MODE_MAX        16
/* The text of a freeze the kernel sets because a subscriber could not flush. */
#define TL_ENGINE_FLUSH_FREEZE_PREFIX "journal: "

/* Counts for reports. Every placed order is, at any time, in exactly one of: filled, canceled,
 * rejected, expired, or open (still live at the venue). risk_blocks counts intents refused before
 * anything was sent (DENIED orders); they are not placed. */
typedef struct tl_engine_counts {
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
} tl_engine_counts;

typedef struct tl_engine_config {
    char workspace[TL_WORKSPACE_MAX]; /* every event's workspace (tl_workspace_validate) */
    char mode[TL_ENGINE_MODE_MAX];    /* "shadow", "paper": written in WORKSPACE_RESET, and a
                                         workspace of another mode is refused on recovery */
    uint32_t account;                 /* virtual account the engine trades for */
    tl_fixed starting_cash;           /* of that account */
    uint32_t order_capacity;          /* orders expected at once; the store grows past it */
    uint32_t retain_terminal;         /* terminal orders kept for late fills; 0 = all */
    bool any_symbol;                  /* symbols first seen are tl_instrument_any (paper), not
                                         tl_instrument_default */
    tl_risk_config risk;
} tl_engine_config;

/* Per-instrument exposure the engine maintains for risk checks. */
typedef struct tl_engine_exposure {
    tl_fixed notional; /* |position| * reference price, of the home account */
} tl_engine_exposure;

/* One state change, complete. Every pointer is borrowed for the duration of the call. */
typedef struct tl_engine_event {
    const tl_event *rec;         /* the journal record, complete but for seq (the store's) */
    const tl_order *order;       /* the order concerned, NULL when none */
    const tl_fill *fill;         /* ORDER_FILLED and FILL_REFUSED, else NULL */
    const tl_position *position; /* ORDER_FILLED and POSITION_*: the position after; else NULL */
    const tl_account *account;   /* the account's cash after the change */
    const struct tl_engine_account *acct; /* the account the change belongs to (governor) */
    const char *symbol;                   /* the order's symbol, "" when none */
    int rule; /* INTENT_DENIED / POLICY_EVALUATED: tl_risk_reason, else 0 */
} tl_engine_event;

/* A subscriber: journal, report, dashboard, metrics. on_event must not call into the engine and
 * must not fail the engine: it buffers (and remembers its own failure for flush). flush (may be
 * NULL) is called at step boundaries: with force it must make everything it buffered durable;
 * without, it may wait for a larger group. It returns 0 or a negative TL_E* code. */
typedef struct tl_engine_subscriber {
    void (*on_event)(void *ctx, const tl_engine_event *ev);
    int (*flush)(void *ctx, bool force, tl_err *err);
    void *ctx; /* borrowed */
} tl_engine_subscriber;

/* An intent: an order request that may carry an idempotency key and an external order id. Every
 * pointer is borrowed for the call. */
typedef struct tl_intent {
    const char *idem_key; /* NULL or "": no idempotency */
    const char *order_id; /* external id for the order (1..23 chars), NULL: "CLI00000001" */
    const char *action;   /* caller's verb journaled with INTENT_EMITTED, NULL: the side */
    uint32_t instrument;
    tl_side side;
    tl_order_type type;
    tl_fixed price, qty;
    bool reduce_only;        /* cut to what the account's position leaves to reduce; an exit
                                never increases or flips a position (REDUCE_ONLY when nothing) */
    tl_fixed expected_price; /* the price the signal expected (SLIPPAGE), 0 = none */
    uint32_t account;        /* tl_engine_add_account's id; 0 = the home account */
} tl_intent;

/* An account of the engine (a virtual account of the governed loop): its own workspace in the
 * journal, cash and positions (in the book, under id), rules and governor state. The home account
 * is the first, made from tl_engine_config; others are added with tl_engine_add_account. */
typedef struct tl_engine_account {
    uint32_t id;                 /* the book's account id: the home account's + its index */
    char name[TL_WORKSPACE_MAX]; /* its workspace */
    tl_risk_config risk;         /* its rules (the engine-wide ones are read from the monitor) */
    tl_governor gov;
    tl_fixed live_buy_qty, live_sell_qty; /* leaves of its live orders */
    tl_fixed last_price;                  /* its last fill's price (the equity mark) */
    bool has_reset;                       /* its workspace has a WORKSPACE_RESET */
} tl_engine_account;

/* An intent's result as released after the commit that holds it. */
typedef struct tl_engine_result {
    tl_intent_record rec; /* outcome and the state right after the original */
    bool duplicate;       /* the key had been executed with this payload: nothing new */
} tl_engine_result;

typedef struct tl_engine {
    tl_instruments instruments; /* owned */
    tl_venue *venue;            /* borrowed */
    const tl_clock *clock;      /* borrowed */
    tl_engine_config cfg;
    tl_order_store orders;    /* owned */
    tl_book book;             /* owned */
    tl_risk risk;             /* owned */
    tl_intake intake;         /* owned: keys, outcomes, external order ids */
    tl_engine_exposure *expo; /* owned, per instrument */
    tl_engine_account *accts; /* owned, [0] = home; index = id - cfg.account */
    uint32_t n_accts, cap_accts;
    tl_hashmap acct_by_name; /* hash of the name -> index (names checked on lookup) */
    uint32_t busy_accounts;  /* accounts holding a position or a live order */
    uint32_t expo_cap;
    tl_fixed total_notional; /* sum of expo[].notional */
    tl_engine_counts counts;
    tl_venue_report *reports; /* owned poll buffer */
    uint32_t report_cap;
    tl_engine_subscriber subs[TL_ENGINE_MAX_SUBSCRIBERS];
    uint32_t nsubs;
    tl_event rec;             /* scratch: the record being emitted */
    const char *cur_key;      /* the key of the intent being executed, borrowed, or NULL */
    tl_engine_result *outbox; /* owned: results waiting for the next successful flush */
    size_t n_out, cap_out;
    tl_engine_result *released; /* owned: results of the last successful flush */
    size_t n_rel, cap_rel;
    bool recovering;           /* replaying the journal: no emission, no venue calls */
    bool has_reset;            /* the workspace has a WORKSPACE_RESET (journaled or recovered) */
    bool halted;               /* a flush failed: nothing more is accepted */
    tl_err halt_err;           /* why */
    uint64_t recovered_events; /* journal events recovery applied */
} tl_engine;

/* Copies the instruments (the engine owns its set); venue and clock are borrowed and must
 * outlive the engine. */
int tl_engine_init(tl_engine *e, const tl_engine_config *cfg, const tl_instruments *instruments,
                   tl_venue *venue, const tl_clock *clock, tl_err *err);
void tl_engine_close(tl_engine *e);

/* Adds an account with its own workspace (name: tl_workspace_validate, unique), starting cash and
 * rules (NULL: cfg.risk; the engine-wide limits - max_orders_per_sec, max_open_positions, the
 * edge threshold - are always the engine's). *id (may be NULL) gets its id. TL_EDUPLICATE for a
 * name taken. Before tl_engine_recover, so recovery finds its events. */
int tl_engine_add_account(tl_engine *e, const char *name, tl_fixed starting_cash,
                          const tl_risk_config *risk, uint32_t *id, tl_err *err);
/* The account of an id (0 = home) or of a name; NULL when none. */
tl_engine_account *tl_engine_account_of(tl_engine *e, uint32_t id);
tl_engine_account *tl_engine_account_named(tl_engine *e, const char *name);
/* Starts one account over (its WORKSPACE_RESET), as tl_engine_reset does the home account. */
int tl_engine_reset_account(tl_engine *e, uint32_t id, tl_fixed starting_cash, tl_err *err);

/* The kill switch: engaged, every live order is canceled and entries are refused (KILL_SWITCH),
 * exits still go; journaled as KILL_SWITCH (status 1) so it holds across restarts. Returns 1 when
 * newly engaged (0: it already was), or a negative error from the cancels. */
int tl_engine_kill(tl_engine *e, const char *reason, tl_err *err);
/* Releases it (KILL_SWITCH, status 0). 1 when it was engaged. */
int tl_engine_kill_release(tl_engine *e);
/* Freezes one account (reconciliation found a position it cannot explain): ACCOUNT_FROZEN, its
 * live orders canceled, every order of it refused (RECONCILE_MISMATCH) until unfrozen
 * (ACCOUNT_UNFROZEN). 1 when newly frozen or unfrozen, 0 when it already was, negative error. */
int tl_engine_freeze_account(tl_engine *e, uint32_t id, const char *reason, tl_err *err);
int tl_engine_unfreeze_account(tl_engine *e, uint32_t id);

/* Adds a subscriber (copied). TL_ENOMEM when TL_ENGINE_MAX_SUBSCRIBERS are taken. */
int tl_engine_subscribe(tl_engine *e, const tl_engine_subscriber *sub);

/* The id of symbol, adding it when absent with tl_instrument_default's increments, or with
 * tl_instrument_any's when cfg.any_symbol (paper symbols are whatever the caller trades). */
int tl_engine_instrument(tl_engine *e, const char *symbol, uint32_t *id, tl_err *err);

/* Starts the workspace over: the account's cash is starting_cash, its positions are gone (a
 * WORKSPACE_RESET event carrying the mode). Orders, ids and keys are kept. */
int tl_engine_reset(tl_engine *e, tl_fixed starting_cash, tl_err *err);

/* A new reference (mid) price for an instrument: used by the collar and for notionals. */
int tl_engine_on_quote(tl_engine *e, uint32_t instrument, tl_fixed bid, tl_fixed ask);
/* The same for a quote stamped ts_ns by its source: STALE_QUOTE measures its age from there (a
 * live feed's quote may arrive late; in a replay the clock is the quote's time anyway). */
int tl_engine_on_quote_at(tl_engine *e, uint32_t instrument, tl_fixed bid, tl_fixed ask,
                          int64_t ts_ns);

/* Pre-trade rules, then store and send. Returns 0 and *client_seq when sent; TL_ERISK with
 * *reason when refused by a rule (counted in risk_blocks; nothing sent); TL_EIO when the venue
 * call failed (the order is REJECTED); TL_ESTATE when halted. client_seq and reason may be NULL. */
int tl_engine_submit(tl_engine *e, uint32_t instrument, tl_side side, tl_order_type type,
                     tl_fixed price, tl_fixed qty, uint64_t *client_seq, tl_risk_reason *reason,
                     tl_err *err);

/* An intent with idempotency: a new key is executed (rules, order, venue, and the reports due at
 * once), a known key with the same payload answers its original outcome (duplicate), a known key
 * with another payload is refused. The result goes to the outbox and is released by the next
 * successful tl_engine_flush; *out (may be NULL) gets a copy now, for callers that wait for that
 * flush themselves. TL_EINVAL for a malformed intent (nothing happens), TL_ESTATE when halted. */
int tl_engine_intent(tl_engine *e, const tl_intent *in, tl_engine_result *out, tl_err *err);

/* Asks the venue to cancel a live order. TL_ENOTFOUND, TL_ESTATE (not cancelable). */
int tl_engine_cancel(tl_engine *e, uint64_t client_seq, tl_err *err);
/* Cancels every live order; returns how many cancel requests were sent, or a negative error. */
int tl_engine_cancel_all(tl_engine *e, tl_err *err);
/* The same for the live orders of one account. */
int tl_engine_cancel_account(tl_engine *e, uint32_t account, tl_err *err);

/* Drains the venue's due reports and applies them. Returns how many reports were applied or a
 * negative error. Refused fills (duplicate, overfill, unknown) are counted, never applied. */
int tl_engine_poll(tl_engine *e, tl_err *err);

/* Measured edge in bps: below the threshold the rule table freezes and every live order is
 * canceled. Returns 1 when this call froze trading, 0 otherwise, or a negative error. */
int tl_engine_on_edge(tl_engine *e, tl_fixed edge_bps, tl_err *err);
/* Freezes (kill switch, operator) with a reason, journaled as RISK_FROZEN, and cancels every live
 * order. 1 when newly frozen, 0 when already frozen. */
int tl_engine_freeze(tl_engine *e, const char *reason, tl_err *err);
/* Lifts a freeze (operator), journaled as RISK_UNFROZEN. */
void tl_engine_unfreeze(tl_engine *e);

/* A step boundary: asks every subscriber to flush (forced when results wait in the outbox or
 * force is set). On success the outbox is released (tl_engine_released). On failure the engine
 * freezes (RISK_FROZEN "journal: …"), halts, and returns the error; nothing is released. */
int tl_engine_flush(tl_engine *e, bool force, tl_err *err);
/* The results the last successful flush released, in the order their intents came. Borrowed
 * until the next flush. */
const tl_engine_result *tl_engine_released(const tl_engine *e, size_t *n);

/* The external or "CLI…" id of an order into buf (TL_ORDER_ID_MAX bytes). */
void tl_engine_order_id(const tl_engine *e, const tl_order *o, char *buf);

/* Digest of the engine's state (every account and its positions), comparable with tl_replay's
 * over the same workspaces. */
int tl_engine_digest(const tl_engine *e, char hex[65], tl_err *err);

/* Orders now live at the venue (placed minus terminal). */
static inline uint64_t tl_engine_open_count(const tl_engine *e)
{
    const tl_engine_counts *c = &e->counts;
    return c->placed - c->filled - c->canceled - c->rejected - c->expired;
}

/* --- kernel-internal, shared by engine.c, intent.c and recover.c --- */
void tl__engine_emit_event(tl_engine *e, int type, const tl_order *o, const tl_fill *f,
                           const tl_position *pos, const char *text, int rule);
/* Emission costs one branch when nobody listens (a bare benchmark, recovery). */
static inline void tl__engine_emit(tl_engine *e, int type, const tl_order *o, const tl_fill *f,
                                   const tl_position *pos, const char *text, int rule)
{
    if (e->nsubs != 0 && !e->recovering)
        tl__engine_emit_event(e, type, o, f, pos, text, rule);
}
/* One order to place: the intent's fields the kernel reads (tl_engine_submit's too). */
typedef struct tl__place {
    tl_engine_account *acct;
    uint32_t instrument;
    tl_side side;
    tl_order_type type;
    tl_fixed price, qty;
    const char *name;   /* external order id, NULL: "CLI…" */
    bool intent;        /* journal INTENT_* and POLICY_EVALUATED around it */
    const char *action; /* the intent's verb */
    bool reduce_only;
    tl_fixed expected_price;
} tl__place;
int tl__engine_place(tl_engine *e, const tl__place *p, uint64_t *client_seq, tl_risk_reason *reason,
                     tl_err *err);
/* The account an order or id belongs to (home when the id is unknown: never for the kernel's own
 * orders). */
static inline tl_engine_account *tl__engine_acct(tl_engine *e, uint32_t id)
{
    uint32_t i = id - e->cfg.account;
    return i < e->n_accts ? &e->accts[i] : &e->accts[0];
}
/* Governor bookkeeping (account.c): an order of the account became live or stopped being live
 * (leaves: its unfilled quantity then), a fill changed one of its positions. */
void tl__engine_gov_live(tl_engine *e, const tl_order *o, tl_fixed leaves, int delta);
void tl__engine_gov_fill(tl_engine *e, const tl_order *o, tl_fixed qty_before,
                         const tl_position *pos, const tl_fill *f, const tl_fill_effect *eff);
void tl__engine_emit_position(tl_engine *e, const tl_order *o, const tl_position *pos,
                              const tl_fill_effect *eff);

/* "<mode>: starting cash" into text (TL_EVENT_TEXT_MAX); the mode of a reset is what precedes
 * the first ':' (a reset text without one is a shadow run's, from before modes were written). */
void tl__engine_reset_text(const char *mode, char *text);
void tl__engine_reset_mode(const char *text, char mode[TL_ENGINE_MODE_MAX]);
void tl__engine_apply_report(tl_engine *e, const tl_venue_report *r);
int tl__engine_create_order(tl_engine *e, uint32_t account, uint32_t instrument, tl_side side,
                            tl_order_type type, tl_fixed price, tl_fixed qty, int64_t now,
                            const char *name, tl_order **out);
/* Emits an event that belongs to an account but to no order (reset, account freeze). */
void tl__engine_emit_for(tl_engine *e, const tl_engine_account *a, int type, uint8_t status,
                         tl_fixed amount, const char *text);
int tl__engine_account_push(tl_engine *e, const char *name, tl_fixed starting_cash,
                            const tl_risk_config *risk, uint32_t *id, tl_err *err);
void tl__engine_add_open(tl_engine *e, const tl_order *o);
/* Takes an order's unfilled quantity out of the live exposure when it stops being live. */
void tl__engine_drop_open(tl_engine *e, const tl_order *o);
/* Re-derives one instrument's notional (pos: its position, may be NULL) and the total. */
void tl__engine_refresh_notional(tl_engine *e, uint32_t instrument, const tl_position *pos);
/* Queues a result for the next successful flush. TL_ENOMEM. */
int tl__engine_outbox_push(tl_engine *e, const tl_engine_result *r);
void tl__engine_record_update(tl_engine *e, const tl_order *o);
/* An intent's outcome from its order: the status and the account and position now. */
void tl__engine_record_of(const tl_engine *e, const tl_order *o, tl_intent_record *r);

#endif /* TL_ENGINE_ENGINE_H */
