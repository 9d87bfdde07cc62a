/*
 * book.h -- the price-time-priority limit order book of one symbol (issue 12, `tradeloop
 * exchange`).
 *
 * A pure data structure: no I/O, no balances, no journal. The exchange core (xcore) checks an
 * order against its account (tl_lob_preview says what a taker would get), assigns the order id,
 * submits it here, and turns the fills this book reports into trades, balances and journal
 * events.
 *
 * Prefix tl_lob_ (limit order book): tl_book_ is taken by the engine's position book
 * (src/model/position.h), which the exchange core includes beside this one.
 *
 * Matching. A taker meets the opposite side best price first, and within a price level oldest
 * first (arrival order of tl_lob_submit). Every fill is at the maker's price. One fill callback
 * per maker touched, in matching order, before tl_lob_submit returns. Then:
 *   LIMIT GTC   rests what is left at its price (time priority from its arrival);
 *   LIMIT IOC   drops what is left;
 *   FOK         (LIMIT or MARKET) fills whole or does nothing: checked before anything moves,
 *               so an unfillable FOK reports no fill and changes nothing;
 *   MARKET      takes what there is (any price) and drops the rest; its tif is GTC or IOC
 *               (both mean that) or FOK.
 * Status, as Binance names it: NEW (rested, nothing filled), PARTIALLY_FILLED (filled some,
 * rests the rest), FILLED (nothing left), EXPIRED (a remainder was dropped, filled or not).
 *
 * Self-trade: allowed. A taker may fill against a maker of the same account (Binance's default
 * selfTradePreventionMode NONE); the fill says both accounts, the core decides what it means.
 *
 * Order ids are the caller's: > 0 and unique. The book knows only resting orders, so it refuses
 * an id that is resting now; an id that was used by a finished order is the caller's to avoid.
 *
 * Costs (docs/ARCHITECTURE.md, "The exchange's book"): cancel, get, best and count are O(1); a
 * submit is O(1) plus O(1) per maker touched; preview and depth are O(levels walked); none of it
 * depends on how many orders rest. Orders live in a pool of nodes with a free list, in intrusive
 * FIFO lists per price level; an id -> node tl_hashmap; price levels are found through 4096-tick
 * blocks, each with a two-level occupancy bitmap per side, kept in a sorted array per side, so
 * the next best level after the best empties is a few bit operations, never a scan of empty
 * prices. The one cost that is not O(1): a level whose removal empties its whole block, or a new
 * level in a block that holds no level yet, moves the entries of that side's block array between
 * it and the best end (the usual case is at the best end: nothing to move).
 *
 * Memory: the caller owns the tl_lob struct; the book owns its arrays and frees them in
 * tl_lob_close. Pools grow by doubling (src/core/vec.h); capacity_hint sizes them up front so a
 * book that stays within its plan never allocates after init. A submit or cancel that fails
 * changes nothing.
 *
 * Not thread-safe; fill callbacks must not call back into the book.
 */
#ifndef TL_EXCHANGE_BOOK_H
#define TL_EXCHANGE_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hashmap.h"
#include "tradeloop/fixed.h"
#include "tradeloop/order.h"

/* Time in force. */
#define TL_LOB_GTC 0
#define TL_LOB_IOC 1
#define TL_LOB_FOK 2

/* tl_lob_result.status, Binance's order statuses. */
typedef enum tl_lob_status {
    TL_LOB_NEW = 0,
    TL_LOB_PARTIALLY_FILLED = 1,
    TL_LOB_FILLED = 2,
    TL_LOB_EXPIRED = 3,
} tl_lob_status;

/* Binance's text of a status: "NEW", "PARTIALLY_FILLED", "FILLED", "EXPIRED". */
const char *tl_lob_status_name(tl_lob_status s);

/* Ticks per price block: the unit of the price index (see the file comment). */
#define TL__LOB_BLOCK_BITS  12
#define TL__LOB_BLOCK_TICKS (1u << TL__LOB_BLOCK_BITS)
#define TL__LOB_NONE        UINT32_MAX

/* An order given to tl_lob_submit. */
typedef struct tl_lob_order {
    uint64_t order_id; /* > 0, unique, assigned by the caller */
    uint32_t account;
    uint8_t side;   /* TL_SIDE_BUY / TL_SIDE_SELL */
    uint8_t type;   /* TL_ORDER_LIMIT / TL_ORDER_MARKET */
    uint8_t tif;    /* TL_LOB_GTC / _IOC / _FOK */
    tl_fixed price; /* LIMIT: > 0 and a multiple of the tick; MARKET: 0 */
    tl_fixed qty;   /* > 0 and a multiple of the lot */
} tl_lob_order;

/* One fill: a taker against one maker, at the maker's price. */
typedef struct tl_lob_fill {
    uint64_t maker_order_id, taker_order_id;
    uint32_t maker_account, taker_account;
    uint8_t taker_side;
    bool maker_done; /* the maker is filled whole and left the book */
    tl_fixed price;  /* the maker's */
    tl_fixed qty;
} tl_lob_fill;

/* Called once per maker touched, in matching order. f is borrowed for the call. */
typedef void (*tl_lob_fill_fn)(void *ctx, const tl_lob_fill *f);

/* What a submit did. */
typedef struct tl_lob_result {
    tl_fixed filled_qty;
    tl_fixed notional;   /* sum over fills of price * qty, each rounded to 8 decimals */
    tl_fixed rested_qty; /* left on the book (GTC LIMIT only) */
    uint32_t fills;      /* callbacks made */
    tl_lob_status status;
} tl_lob_result;

/* A resting order as tl_lob_get, tl_lob_cancel and tl_lob_iter show it. */
typedef struct tl_lob_resting {
    uint64_t order_id;
    uint32_t account;
    uint8_t side;
    tl_fixed price;
    tl_fixed orig_qty;  /* as submitted */
    tl_fixed remaining; /* > 0 */
    uint64_t seq;       /* arrival sequence: time priority within a level */
} tl_lob_resting;

/* One aggregated price level (tl_lob_depth). */
typedef struct tl_lob_level_info {
    tl_fixed price;
    tl_fixed qty;    /* sum of the remaining quantities */
    uint32_t orders; /* how many orders rest there */
} tl_lob_level_info;

/* ---- internals, in the header so the caller can allocate the struct ---- */

typedef struct tl__lob_node {
    uint64_t order_id;
    uint64_t seq;
    tl_fixed orig_qty, remaining;
    uint32_t prev, next; /* within the level (TL__LOB_NONE at the ends); next links the free list */
    uint32_t level;
    uint32_t account;
} tl__lob_node;

typedef struct tl__lob_level {
    uint64_t tick;       /* price / tick_size */
    tl_fixed qty;        /* sum of its orders' remaining */
    uint32_t head, tail; /* oldest, newest */
    uint32_t count;      /* orders; 0 = free (next_free links the free list) */
    uint32_t next_free;
    uint8_t side;
} tl__lob_level;

typedef struct tl__lob_block {
    uint64_t no;          /* tick >> TL__LOB_BLOCK_BITS */
    uint64_t sum[2];      /* per side: bit w set when bits[side][w] != 0 */
    uint64_t bits[2][64]; /* per side: bit (tick & 4095) set when a level rests there */
    uint32_t level[TL__LOB_BLOCK_TICKS]; /* level index per tick of the block, or NONE */
    uint32_t next_free;
} tl__lob_block;

/* One side's blocks that hold a level, ordered so that the best is last: bids ascending by
 * block number, asks descending. */
typedef struct tl__lob_side {
    uint32_t *blocks; /* owned: block indexes */
    uint32_t len, cap;
    bool has_best;
    uint64_t best; /* tick of the best level when has_best */
} tl__lob_side;

typedef struct tl_lob {
    tl_fixed tick_size, lot_size;
    tl__lob_node *nodes; /* owned pool */
    uint32_t nodes_len, nodes_cap, free_node;
    tl__lob_level *levels; /* owned pool */
    uint32_t levels_len, levels_cap, free_level;
    tl__lob_block *blocks; /* owned pool */
    uint32_t blocks_len, blocks_cap, free_block;
    tl_hashmap ids;        /* order id -> node index */
    tl_hashmap block_map;  /* block number -> block index */
    uint32_t pinned_block; /* reserved by the submit in progress: not freed when it empties */
    tl__lob_side side[2];  /* indexed by TL_SIDE_BUY / TL_SIDE_SELL */
    uint64_t seq;          /* last arrival sequence handed out */
    size_t count;          /* resting orders */
} tl_lob;

/* ---- the API ---- */

/* tick_size and lot_size > 0. capacity_hint: resting orders to plan for (pools sized up front).
 * 0, TL_EINVAL or TL_ENOMEM. */
int tl_lob_init(tl_lob *b, tl_fixed tick_size, tl_fixed lot_size, size_t capacity_hint,
                tl_err *err);
void tl_lob_close(tl_lob *b);

/* Matches o, then rests, drops or refuses its remainder as the file comment says. fn may be NULL.
 * 0 and *res; TL_EINVAL for an invalid order (off tick or lot, zero, bad side/type/tif, MARKET
 * with a price, a resting order_id); TL_ERANGE when the quantities or notional could leave the
 * fixed-point range; TL_ENOMEM. On error nothing changes and no callback was made. */
int tl_lob_submit(tl_lob *b, const tl_lob_order *o, tl_lob_fill_fn fn, void *ctx,
                  tl_lob_result *res, tl_err *err);

/* Removes a resting order, O(1); *out (may be NULL) says what it was. 0 or TL_ENOTFOUND. */
int tl_lob_cancel(tl_lob *b, uint64_t order_id, tl_lob_resting *out);

/* A resting order; false when order_id does not rest. */
bool tl_lob_get(const tl_lob *b, uint64_t order_id, tl_lob_resting *out);

/* What a taker (side, type, LIMIT's price, qty) would get now, changing nothing: the quantity it
 * could fill and its notional. O(levels touched). 0, TL_EINVAL (as submit's checks, but for the
 * order id) or TL_ERANGE. */
int tl_lob_preview(const tl_lob *b, uint8_t side, uint8_t type, tl_fixed limit_price, tl_fixed qty,
                   tl_fixed *fillable_qty, tl_fixed *notional);

/* Best bid and ask with their level quantities, O(1); a missing side is price 0, qty 0. Any
 * pointer may be NULL. */
void tl_lob_best(const tl_lob *b, tl_fixed *bid, tl_fixed *bid_qty, tl_fixed *ask,
                 tl_fixed *ask_qty);

/* Up to `levels` aggregated levels of one side, best first, into out; *n how many. */
void tl_lob_depth(const tl_lob *b, uint8_t side, size_t levels, tl_lob_level_info *out, size_t *n);

/* Resting orders. */
size_t tl_lob_count(const tl_lob *b);

/* Calls fn for every resting order of one side in priority order (best level first, oldest first
 * within a level); stops early when fn returns false. The book must not change meanwhile. */
typedef bool (*tl_lob_iter_fn)(void *ctx, const tl_lob_resting *r);
void tl_lob_iter(const tl_lob *b, uint8_t side, tl_lob_iter_fn fn, void *ctx);

/* ---- the price index (book_index.c), internal to the book ---- */

/* Level index at tick on side, or TL__LOB_NONE. */
uint32_t tl__lob_level_at(const tl_lob *b, uint8_t side, uint64_t tick);
/* Makes sure a new level at tick can be added by tl__lob_level_add without failing: creates
 * tick's block (empty) and room in both arrays. 0 or TL_ENOMEM. */
int tl__lob_reserve(tl_lob *b, uint8_t side, uint64_t tick);
/* Adds an empty level at tick (after tl__lob_reserve); returns its index. */
uint32_t tl__lob_level_add(tl_lob *b, uint8_t side, uint64_t tick);
/* Removes an empty level, moving the side's best when it was the best. */
void tl__lob_level_remove(tl_lob *b, uint32_t level);
/* Ends a reserve: unpins tick's block and frees it when no level of either side is in it. */
void tl__lob_block_release(tl_lob *b, uint64_t tick);
/* The next level of side strictly worse than tick; false when none. */
bool tl__lob_next_tick(const tl_lob *b, uint8_t side, uint64_t tick, uint64_t *out);
/* The worst tick of side (the far end); false when the side is empty. */
bool tl__lob_worst_tick(const tl_lob *b, uint8_t side, uint64_t *out);
/* Invariant check for tests: 0, or TL_ECORRUPT naming what is wrong in err. */
int tl__lob_check(const tl_lob *b, tl_err *err);

#endif /* TL_EXCHANGE_BOOK_H */
