/*
 * xcore.h -- the exchange of `tradeloop exchange` (issue 12): symbols with their books, accounts
 * with their balances, orders, trades, and the journal events that make all of it durable.
 *
 * The REST layer (xrest.c) speaks Binance's spot API v3; this core speaks its concepts: an order
 * is placed or refused with one of Binance's error codes (src/binapi/errors.h), matches in its
 * symbol's book (book.h), and every fill moves both accounts' balances at once. The core does no
 * I/O. Each change appends its events to x->pending; the caller commits them to the store
 * (tl_store_append) before it answers anyone, then calls tl_xcore_committed.
 *
 * The journal is the exchange's input log with its outputs beside it. The inputs are
 * BALANCE_FUNDED (an account funded with an asset), ORDER_SUBMITTED (an order arrives: its id,
 * account, symbol, side, type and time in force, price, quantity, client order id) and
 * ORDER_CANCELED (a cancel). The outputs are what the matching then did: ORDER_FILLED (one per
 * account per trade, trade_id "<trade id>M" for the maker's side, "<trade id>T" for the
 * taker's, so a self-trade keeps two distinct rows), ORDER_EXPIRED (a remainder dropped: IOC,
 * FOK, MARKET). Matching is deterministic, so recovery (tl_xcore_recover) replays the inputs
 * through the same code and checks that every output it makes is the next event in the journal:
 * books, balances, order and trade ids and the client order ids come back exactly, and a
 * journal that disagrees with the matching is refused (TL_ECORRUPT, naming the seq) instead of
 * being half-believed.
 *
 * Balances: free and locked per asset. A LIMIT BUY locks price x qty of the quote asset (rounded
 * up), a SELL locks its quantity of the base asset, a MARKET BUY locks what the book says it
 * will cost now (tl_lob_preview). A fill spends from the lock; what an order did not spend is
 * freed when it ends (filled, canceled, expired). The commission is taken from the asset
 * received, at fee_bps, rounded down to 1e-8 (Binance's default when not paying with BNB).
 *
 * Ownership: the caller allocates the tl_xcore; it owns every array. Not thread-safe.
 */
#ifndef TL_EXCHANGE_XCORE_H
#define TL_EXCHANGE_XCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "exchange/book.h"
#include "store/store.h"
#include "tradeloop/event.h"

#define TL_X_ASSET_MAX     12 /* with NUL */
#define TL_X_SYMBOL_MAX    16 /* with NUL, as tl_event.symbol */
#define TL_X_CLIENT_ID_MAX 37 /* with NUL: Binance allows ^[.A-Z:/a-z0-9_-]{1,36}$ */
#define TL_X_MAX_SYMBOLS   32
#define TL_X_MAX_ASSETS    16 /* per account */

/* Binance's order statuses, as the REST answers name them. */
typedef enum tl_xstatus {
    TL_XS_NEW = 0,
    TL_XS_PARTIALLY_FILLED,
    TL_XS_FILLED,
    TL_XS_CANCELED,
    TL_XS_EXPIRED,
} tl_xstatus;
const char *tl_xstatus_name(int s); /* "NEW", ... */

/* A symbol and its filters (exchangeInfo's PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL). */
typedef struct tl_xsymbol_cfg {
    char name[TL_X_SYMBOL_MAX]; /* "BTCUSDT" */
    char base[TL_X_ASSET_MAX], quote[TL_X_ASSET_MAX];
    tl_fixed tick, min_price, max_price;   /* PRICE_FILTER */
    tl_fixed step, min_qty, max_qty;       /* LOT_SIZE */
    tl_fixed min_notional;                 /* MIN_NOTIONAL */
    tl_fixed start_price;                  /* where the market makers start */
} tl_xsymbol_cfg;

/* The built-in symbols (BTCUSDT, ETHUSDT), the default of `tradeloop exchange`. */
extern const tl_xsymbol_cfg tl_xsymbols_default[];
extern const size_t tl_xsymbols_default_n;

typedef struct tl_xsymbol {
    tl_xsymbol_cfg cfg;
    tl_lob book;
    int base, quote; /* asset numbers (x->assets) */
} tl_xsymbol;

typedef struct tl_xbalance {
    int asset; /* x->assets index */
    tl_fixed free, locked;
} tl_xbalance;

typedef struct tl_xaccount {
    char name[TL_WORKSPACE_MAX]; /* its journal workspace */
    tl_xbalance bal[TL_X_MAX_ASSETS];
    uint32_t n_bal;
    uint32_t *fills; /* owned: indexes into x->fills of this account's side of its trades */
    uint32_t n_fills, cap_fills;
} tl_xaccount;

typedef struct tl_xorder {
    uint64_t id; /* 1, 2, ...: x->orders[id - 1] */
    uint32_t account;
    uint16_t symbol;
    uint8_t side, type, tif, status; /* tl_side, tl_order_type, TL_LOB_*, tl_xstatus */
    char client_id[TL_X_CLIENT_ID_MAX];
    tl_fixed price, qty, executed, quote_executed;
    tl_fixed locked; /* what it still holds locked */
    int64_t time_ns, update_ns;
} tl_xorder;

/* One account's side of one trade (myTrades' row). */
typedef struct tl_xfill {
    uint64_t trade_id;
    uint64_t order_id;
    uint32_t account;
    uint16_t symbol;
    uint8_t is_buyer, is_maker;
    tl_fixed price, qty, quote_qty, commission;
    int commission_asset;
    int64_t ts_ns;
} tl_xfill;

typedef struct tl_xcore {
    tl_xsymbol symbols[TL_X_MAX_SYMBOLS];
    size_t n_symbols;
    char assets[TL_X_MAX_SYMBOLS * 2][TL_X_ASSET_MAX];
    size_t n_assets;
    tl_xaccount *accounts; /* owned */
    uint32_t n_accounts, cap_accounts;
    tl_xorder *orders; /* owned, by id - 1 */
    uint64_t n_orders, cap_orders;
    tl_xfill *fills; /* owned, in trade order (two per trade) */
    uint32_t n_fills, cap_fills;
    uint64_t last_trade_id;
    tl_hashmap client_ids; /* hash(account, client id) -> order index (multi) */
    uint32_t fee_bps;
    tl_event *pending; /* owned: events not yet committed */
    size_t n_pending, cap_pending;
    /* The fills of the placement in progress (book callback -> applied after the submit). */
    tl_lob_fill *taken;
    uint32_t n_taken, cap_taken;
    bool taken_oom;
} tl_xcore;

/* A refusal: Binance's error code and message (src/binapi/errors.h), or 0 when none. */
typedef struct tl_xrefusal {
    int code;
    char msg[160];
} tl_xrefusal;

int tl_xcore_init(tl_xcore *x, const tl_xsymbol_cfg *symbols, size_t n_symbols, uint32_t fee_bps,
                  tl_err *err);
void tl_xcore_close(tl_xcore *x);

/* Symbol number of name, or -1. */
int tl_xcore_symbol(const tl_xcore *x, const char *name);
/* Asset number of name, or -1. */
int tl_xcore_asset(const tl_xcore *x, const char *name);
/* Account number of name (a workspace name), created empty when absent. 0, TL_EINVAL (bad
 * name), TL_ENOMEM. */
int tl_xcore_account(tl_xcore *x, const char *name, uint32_t *out, tl_err *err);
/* Account number of name, or -1 when there is none. */
int tl_xcore_find_account(const tl_xcore *x, const char *name);
/* The balance of asset in account (zeros when it never held it). */
tl_xbalance tl_xcore_balance(const tl_xcore *x, uint32_t account, int asset);

/* Adds amount (>= 0) of asset to account's free balance: a BALANCE_FUNDED input. */
int tl_xcore_fund(tl_xcore *x, uint32_t account, const char *asset, tl_fixed amount, int64_t ts_ns,
                  tl_err *err);

/* An order as the REST layer parsed it. */
typedef struct tl_xplace {
    int symbol;
    uint8_t side, type, tif;
    tl_fixed price; /* LIMIT */
    tl_fixed qty;
    const char *client_id; /* NULL or "": the exchange makes one ("x-<id>") */
} tl_xplace;

/* Places an order for account at ts_ns. 0 and *order_id (x->orders[*order_id - 1] is its state;
 * its fills are x->fills[*first_fill ...] of this account and the counterparties, in order), or
 * 1 with *refusal filled (nothing changed, nothing journaled), or a TL_E* error (out of memory:
 * the caller must stop, as for a failed commit). */
int tl_xcore_place(tl_xcore *x, uint32_t account, const tl_xplace *o, int64_t ts_ns,
                   uint64_t *order_id, uint32_t *first_fill, tl_xrefusal *refusal, tl_err *err);

/* Cancels account's open order (by id, or by client id when id is 0) in symbol. 0 and
 * *order_id, 1 with *refusal (-2011 "Unknown order sent."), or a TL_E* error. */
int tl_xcore_cancel(tl_xcore *x, uint32_t account, int symbol, uint64_t id, const char *client_id,
                    int64_t ts_ns, uint64_t *order_id, tl_xrefusal *refusal, tl_err *err);

/* account's order in symbol by id, or by client id when id is 0; NULL when none. */
const tl_xorder *tl_xcore_find_order(const tl_xcore *x, uint32_t account, int symbol, uint64_t id,
                                     const char *client_id);

/* The events made since the last tl_xcore_committed, for the caller to append. */
static inline size_t tl_xcore_pending(const tl_xcore *x, tl_event **events)
{
    *events = x->pending;
    return x->n_pending;
}
/* The pending events are durable: forget them. */
static inline void tl_xcore_committed(tl_xcore *x)
{
    x->n_pending = 0;
}

/* Rebuilds the exchange from the journal in st (every event in seq order), as described in the
 * file comment. On a fresh tl_xcore (no account, no order). 0, TL_ECORRUPT (an event the
 * matching disagrees with, its seq named), or the store's error. */
int tl_xcore_recover(tl_xcore *x, tl_store *st, uint64_t *events_read, tl_err *err);

/* ---- internal (xcore*.c) ---- */
int tl__xcore_emit(tl_xcore *x, const tl_event *ev);
/* The balance entry of asset in account, added at zero when absent; NULL when it has no room. */
tl_xbalance *tl__xcore_bal(tl_xcore *x, uint32_t account, int asset);
/* account's order with client_id (any symbol: a client id is the account's), or NULL. */
const tl_xorder *tl__xcore_client_order(const tl_xcore *x, uint32_t account,
                                        const char *client_id);
/* The client_ids key of (account, client id). */
uint64_t tl__xcore_client_key(uint32_t account, const char *client_id);

#endif /* TL_EXCHANGE_XCORE_H */
