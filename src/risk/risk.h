/*
 * risk.h -- the runtime risk monitor: a table of pre-trade rules (instrument, notional, collar,
 * paper policy, portfolio limits, throttle) and the freeze (edge degradation, kill switch, a
 * journal that cannot commit).
 *
 * Every refusal carries a reason code from one table (TL_RISK_REASON_MAP) and a line of text, so a
 * desk can count refusals by cause and read why any one happened. Limits are inclusive: exactly
 * at a limit is accepted, one tick or lot past it is refused.
 *
 * The monitor keeps no pointers into the rest of the engine: the caller passes the instrument, the
 * position and the portfolio figures it needs, which keeps it pure and testable in isolation.
 */
#ifndef TL_RISK_RISK_H
#define TL_RISK_RISK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tz.h"
#include "core/window.h"
#include "tradeloop/fixed.h"
#include "tradeloop/instrument.h"
#include "tradeloop/order.h"

#define TL_RISK_REASON_MAP(X)                                                                      \
    X(OK, "ok")                                                                                    \
    X(UNKNOWN_INSTRUMENT, "instrument not known")                                                  \
    X(BAD_PRICE, "price not positive or off tick")                                                 \
    X(BAD_QTY, "quantity not positive or off lot")                                                 \
    X(QTY_BELOW_MIN, "quantity below instrument minimum")                                          \
    X(QTY_ABOVE_MAX, "quantity above instrument maximum")                                          \
    X(NOTIONAL_BELOW_MIN, "notional below instrument minimum")                                     \
    X(ORDER_NOTIONAL, "order notional above limit")                                                \
    X(PRICE_COLLAR, "price outside collar around reference price")                                 \
    X(NO_REFERENCE, "no reference price for collar")                                               \
    X(INVENTORY, "inventory limit per symbol")                                                     \
    X(TOTAL_NOTIONAL, "total notional limit")                                                      \
    X(RATE, "order rate limit")                                                                    \
    X(FROZEN, "trading frozen")                                                                    \
    X(LONG_ONLY, "long-only: no position to sell")                                                 \
    X(FULL_CLOSE_ONLY, "full close only: a sell must close the whole position")                    \
    X(INSUFFICIENT_CASH, "not enough cash for the order's notional")                               \
    X(SPREAD, "spread above the entry limit")                                                      \
    X(STALE_QUOTE, "quote too old at decision time")                                               \
    X(SLIPPAGE, "fill price too far from the expected price")                                      \
    X(KILL_SWITCH, "kill switch engaged: entries refused")                                         \
    X(RECONCILE_MISMATCH, "account frozen: its position differs from the venue's")                 \
    X(ONE_SYMBOL_PER_VA, "the account already trades another symbol")                              \
    X(MAX_OPEN_POSITIONS, "open positions across accounts at the limit")                           \
    X(COOLDOWN, "account in cooldown after consecutive losses")                                    \
    X(DRAWDOWN, "account drawdown above the limit")                                                \
    X(TRADING_WINDOW, "outside the trading window")                                                \
    X(REDUCE_ONLY, "reduce-only: no position left to reduce")

typedef enum tl_risk_reason {
#define TL__RR_ENUM(name, text) TL_RR_##name,
    TL_RISK_REASON_MAP(TL__RR_ENUM)
#undef TL__RR_ENUM
        TL_RR__COUNT
} tl_risk_reason;

const char *tl_risk_reason_name(int reason); /* "PRICE_COLLAR" */
const char *tl_risk_reason_text(int reason); /* "price outside collar around reference price" */
/* The reason a refusal's message names ("KILL_SWITCH: engaged ..." -- the rules write their
 * name, a colon and the detail), or -1: how a message read back from a result finds its code. */
int tl_risk_reason_of_text(const char *msg);

/* Limits. A zero limit means "no limit" except where noted; all are validated by
 * tl_risk_config_validate. */
typedef struct tl_risk_config {
    tl_fixed max_order_notional; /* per order price*qty, quote units (USD); 0 = none */
    tl_fixed collar_bps;         /* |price - ref| / ref * 1e4 must be <= this; 0 = none */
    tl_fixed max_inventory_usd;  /* per symbol |position after fill| * ref price; 0 = none */
    tl_fixed max_total_notional; /* sum over symbols of |position| * ref price; 0 = none */
    uint32_t max_orders_per_sec; /* sliding one-second window; 0 = none */
    tl_fixed edge_threshold_bps; /* freeze when measured edge < this; 0 = never freeze */
    bool long_only;              /* a sell may not take the position below zero */
    bool full_close_only;        /* a sell must be exactly the whole long position */
    bool require_cash;           /* a buy's notional must not exceed the account's cash */
    /* Market filters (seed 001): entries only, never exits. 0 = off. */
    tl_fixed max_spread_bps;   /* (ask - bid) / mid * 1e4 of the latest quote */
    int64_t max_quote_age_ns;  /* now - the latest quote's time */
    tl_fixed max_slippage_bps; /* |price it would fill at now - expected| / expected * 1e4 */
    /* The governor (seed 001). Entries only, 0 = off. */
    bool one_symbol;             /* an account trades one symbol at a time (ONE_SYMBOL_PER_VA) */
    uint32_t max_open_positions; /* accounts holding a position or a live order, engine-wide */
    uint32_t cooldown_losses;    /* consecutive losing round trips that start a cooldown */
    int64_t cooldown_ns;         /* how long entries are refused after them (engine time) */
    tl_fixed max_drawdown_pct;   /* (peak - equity) / peak * 100 of the account */
    /* Trading window in the zone's local time (core/window.h: ends inclusive, may cross
     * midnight); off when window_on is false. tz is borrowed (NULL = UTC) and must outlive every
     * engine that uses the configuration. */
    bool window_on;
    tl_window window;
    const tl_tz *tz;
} tl_risk_config;

/* What the governor keeps per account, maintained by the kernel from its own transitions (so
 * recovery rebuilds it by replaying them) and read by the rules. Equity is marked at fills: cash
 * plus every position at its last fill price, which the journal alone determines. */
typedef struct tl_governor {
    uint32_t live_orders;     /* orders of the account live at the venue */
    uint32_t open_positions;  /* its non-flat positions */
    uint32_t busy_instrument; /* the instrument of its last order or position */
    uint32_t consecutive_losses;
    int64_t cooldown_until_ns;     /* entries refused before this engine time; 0 = none */
    uint64_t trades, wins, losses; /* closed round trips: a loss is realized - fees < 0 */
    tl_fixed trade_pnl;            /* realized - fees of the round trip under way */
    tl_fixed mark_value;           /* sum over positions of qty * last fill price */
    tl_fixed equity, equity_peak;  /* at the last fill */
    tl_fixed max_drawdown_pct;     /* the largest (peak - equity) / peak * 100 seen */
    bool frozen;                   /* reconciliation found a position it cannot explain */
    char frozen_reason[96];
} tl_governor;

static inline bool tl_governor_busy(const tl_governor *g)
{
    return g->live_orders + g->open_positions > 0;
}

/* Portfolio view the caller passes to a check: the symbol's current net position and the
 * portfolio's current total notional (both from the position book, at reference prices). */
typedef struct tl_risk_exposure {
    tl_fixed position_qty;     /* signed net quantity of the order's symbol */
    tl_fixed total_notional;   /* sum over symbols of |qty| * ref price, this symbol included */
    tl_fixed symbol_notional;  /* |position_qty| * ref price of this symbol */
    tl_fixed held_qty;         /* signed net position now, without live orders */
    tl_fixed cash;             /* the account's cash now */
    bool is_exit;              /* the order only reduces a position: market filters let it pass */
    tl_fixed expected_price;   /* the price the signal expected, 0 = none (no slippage check) */
    bool reduce_only;          /* the order was cut to what can be reduced (REDUCE_ONLY at 0) */
    bool is_limit;             /* a LIMIT order: it fills at its price or better (SLIPPAGE) */
    const tl_risk_config *cfg; /* the account's rules, NULL = the monitor's own */
    const tl_governor *gov;    /* the account's governor state, NULL = no governor */
    const char *account;       /* its name, for texts */
    const char *busy_symbol;   /* the symbol it is busy in, for texts */
    uint32_t busy_accounts;    /* accounts holding a position or a live order, engine-wide */
} tl_risk_exposure;

/* The latest quote of an instrument, for the market filters. */
typedef struct tl_risk_quote {
    tl_fixed bid, ask;
    int64_t ts_ns; /* engine time it arrived; 0 = no quote yet */
} tl_risk_quote;

/* One order as the rules see it. Every pointer is borrowed for the call. */
typedef struct tl_risk_order {
    const tl_instrument *inst; /* NULL when the id is unknown */
    uint32_t instrument;
    tl_side side;
    tl_fixed price, qty;
    const tl_risk_exposure *exposure;
    int64_t now_ns;
    const tl_risk_config *cfg; /* the account's rules (exposure->cfg or the monitor's) */
} tl_risk_order;

typedef struct tl_risk tl_risk;

/* A rule: returns TL_RR_OK, or the reason it refuses (one of its own reasons) with the text in
 * err when err is not NULL. A rule whose configuration is off returns TL_RR_OK. */
typedef tl_risk_reason (*tl_risk_rule_fn)(tl_risk *r, const tl_risk_order *o, tl_err *err);

/* A row of the rule table: rules run in table order and the first refusal wins. New limits (the
 * governor, market filters, the kill switch) are new rows. */
typedef struct tl_risk_rule {
    const char *name;     /* "PRICE_COLLAR" */
    tl_risk_reason first; /* the main reason it gives (some rules give a few, see below) */
    tl_risk_rule_fn check;
    const char *config; /* the configuration it reads, for people: "collar_bps" */
} tl_risk_rule;

/* The table, for documentation and --help: *n gets the number of rows. */
const tl_risk_rule *tl_risk_rules(size_t *n);

typedef struct tl_risk_stats {
    uint64_t checks;
    uint64_t blocks;
    uint64_t blocks_by_reason[TL_RR__COUNT];
    uint64_t freeze_events;
} tl_risk_stats;

struct tl_risk {
    tl_risk_config cfg;
    bool frozen;
    char freeze_reason[128]; /* last freeze's text, "" when never frozen */
    bool killed;             /* the kill switch: entries refused, exits allowed */
    char kill_reason[128];
    tl_fixed last_edge_bps;
    tl_fixed *ref_price;   /* owned, per instrument id; 0 = none yet */
    tl_risk_quote *quotes; /* owned, per instrument id: the latest quote */
    uint32_t ref_count;
    int64_t *rate_ring; /* owned: send times of the last max_orders_per_sec orders */
    uint32_t rate_pos, rate_len;
    tl_risk_stats stats;
};

/* TL_EINVAL naming the field when a limit is negative. */
int tl_risk_config_validate(const tl_risk_config *cfg, tl_err *err);
/* instruments: how many instrument ids reference prices are kept for. */
int tl_risk_init(tl_risk *r, const tl_risk_config *cfg, uint32_t instruments, tl_err *err);
void tl_risk_close(tl_risk *r);

/* Keeps reference prices for `instruments` ids (instruments added at run time). TL_ENOMEM. */
int tl_risk_grow(tl_risk *r, uint32_t instruments);
/* Latest reference (mid) price of an instrument, used by the collar and for notionals. */
int tl_risk_set_reference(tl_risk *r, uint32_t instrument, tl_fixed price);
/* Latest quote of an instrument (bid > 0, ask >= bid) at engine time ts_ns: the market filters'
 * input; also sets the reference price to the mid (rounded toward the bid). */
int tl_risk_set_quote(tl_risk *r, uint32_t instrument, tl_fixed bid, tl_fixed ask, int64_t ts_ns);
static inline tl_fixed tl_risk_reference(const tl_risk *r, uint32_t instrument)
{
    return instrument < r->ref_count ? r->ref_price[instrument] : 0;
}

/* Pre-trade check of one order. Returns 0 (accepted; the order is counted by the throttle) or
 * TL_ERISK with *reason set and err (if given) holding the text, e.g. "PRICE_COLLAR: 101.50 is
 * 150.0 bps from reference 100.00 > 100.0 bps". inst may be NULL (UNKNOWN_INSTRUMENT). */
int tl_risk_check(tl_risk *r, const tl_instrument *inst, uint32_t instrument, tl_side side,
                  tl_fixed price, tl_fixed qty, const tl_risk_exposure *exposure, int64_t now_ns,
                  tl_risk_reason *reason, tl_err *err);

/* Measured edge in bps. When it falls below the threshold and the monitor is not frozen yet, it
 * freezes: returns 1 (the caller must cancel every open order), counts a freeze event and keeps
 * the reason text "Edge degradation: 2.40 BPS < 3.00 BPS". Returns 0 otherwise. */
int tl_risk_on_edge(tl_risk *r, tl_fixed edge_bps);
/* Freezes for another cause (kill switch, store failure); returns 1 when newly frozen. */
int tl_risk_freeze(tl_risk *r, const char *reason);
/* Lifts a freeze (operator action). */
void tl_risk_unfreeze(tl_risk *r);
/* Engages the kill switch with a reason; 1 when newly engaged. */
int tl_risk_kill(tl_risk *r, const char *reason);
/* Releases it; 1 when it was engaged. */
int tl_risk_kill_release(tl_risk *r);

#endif /* TL_RISK_RISK_H */
